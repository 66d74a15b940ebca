"""SVG charts of the observatory, written like spaser/indicators/charts.py
(docs/decisions/0003-svg-charts.md): vector, a title and a description for assistive technologies, every chart
followed by a data table holding the same figures. A distribution without known value is written « pas de
données », never drawn as 0."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from spaser.indicators.templatetags.figures import format_value

from .selectors import Distribution


def _scale(distributions: list[Distribution], unit: str, extra: list[float]) -> tuple[float, float]:
    numbers = [n for d in distributions for n in (d.minimum, d.maximum) if n is not None] + extra
    if unit == "percent" and all(0 <= n <= 100 for n in numbers):
        return 0.0, 100.0
    low = min([0.0, *numbers])
    high = max([1.0, *numbers])
    return low, high


def _open(width: int, height: int, chart_id: str, title: str, description: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart {css}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def boxplot_chart(
    *,
    distributions: list[Distribution],
    unit: str,
    target: float | None,
    title: str,
    description: str,
    chart_id: str,
) -> SafeString:
    """One row per buyer type: the line from the minimum to the maximum, the box from the first to the third
    quartile, the median as a thick tick; the national target as a dashed vertical line."""
    label_w, plot_w, row_h, top = 230, 380, 34, 30
    width, height = label_w + plot_w + 40, top + row_h * max(len(distributions), 1) + 30
    low, high = _scale(distributions, unit, [target] if target is not None else [])

    def x(value: float) -> float:
        return label_w + plot_w * (min(max(value, low), high) - low) / (high - low)

    parts = _open(width, height, chart_id, title, description, "chart--boxplot")
    for step in range(5):
        tick = low + (high - low) * step / 4
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{height - 24}" class="chart-grid"/>'
            f'<text x="{tx:.1f}" y="{height - 8}" text-anchor="middle" class="chart-axis">'
            f"{escape(format_value(tick, unit))}</text>"
        )
    for index, dist in enumerate(distributions):
        y = top + index * row_h
        middle = y + row_h / 2
        parts.append(
            f'<text x="{label_w - 10}" y="{middle + 4:.1f}" text-anchor="end" class="chart-label">'
            f"{escape(dist.type_label)}</text>"
        )
        if dist.median is None:
            parts.append(
                f'<text x="{label_w + 6}" y="{middle + 4:.1f}" class="chart-missing">pas de données</text>'
            )
            continue
        parts.append(
            f'<line x1="{x(dist.minimum):.1f}" y1="{middle:.1f}" x2="{x(dist.maximum):.1f}" '
            f'y2="{middle:.1f}" class="chart-whisker"/>'
            f'<rect x="{x(dist.q1):.1f}" y="{y + 7}" width="{max(x(dist.q3) - x(dist.q1), 1):.1f}" '
            f'height="{row_h - 14}" class="chart-box"/>'
            f'<line x1="{x(dist.median):.1f}" y1="{y + 4}" x2="{x(dist.median):.1f}" y2="{y + row_h - 4}" '
            f'class="chart-median"><title>Médiane : {escape(format_value(dist.median, unit))}</title></line>'
        )
    if target is not None:
        tx = x(target)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{height - 24}" class="chart-target '
            f'chart-target--national"><title>Cible nationale : {escape(format_value(target, unit))}</title>'
            "</line>"
        )
    parts.append(
        f'<g class="chart-legend"><rect x="{label_w}" y="6" width="14" height="10" class="chart-box"/>'
        f'<text x="{label_w + 20}" y="15">De Q1 à Q3</text>'
        f'<line x1="{label_w + 110}" y1="4" x2="{label_w + 110}" y2="18" class="chart-median"/>'
        f'<text x="{label_w + 118}" y="15">Médiane</text>'
        + (
            f'<line x1="{label_w + 200}" y1="4" x2="{label_w + 200}" y2="18" class="chart-target '
            f'chart-target--national"/><text x="{label_w + 208}" y="15">Cible nationale</text>'
            if target is not None
            else ""
        )
        + "</g></svg>"
    )
    # Safe: every interpolated text is escaped above, numbers are formatted by us.
    return mark_safe("".join(parts))


def histogram_chart(
    *,
    distribution: Distribution,
    marker: float | None,
    marker_label: str,
    target: float | None,
    title: str,
    description: str,
    chart_id: str,
) -> SafeString:
    """Vertical bars: how many buyers fall in each bin of values; the organisation's value as a marked
    vertical line (its bin is highlighted too), the national target as a dashed line."""
    bins = distribution.bins
    unit = distribution.unit
    left, plot_w, top, plot_h = 50, 520, 34, 170
    width, height = left + plot_w + 30, top + plot_h + 50
    parts = _open(width, height, chart_id, title, description, "chart--histogram")
    if not bins:
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
            'class="chart-missing">pas de données</text></svg>'
        )
        return mark_safe("".join(parts))
    low, high = bins[0].low, bins[-1].high
    peak = max(max(b.count for b in bins), 1)
    bar_w = plot_w / len(bins)

    def x(value: float) -> float:
        return left + plot_w * (min(max(value, low), high) - low) / (high - low)

    def y(count: float) -> float:
        return top + plot_h * (1 - count / peak)

    for step in range(3):
        tick = round(peak * step / 2)
        parts.append(
            f'<line x1="{left - 4}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" '
            f'class="chart-grid"/><text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'class="chart-axis">{tick}</text>'
        )
    for index, current in enumerate(bins):
        bx = left + index * bar_w
        holds = marker is not None and (
            current.low <= marker < current.high or (current.last and marker == current.high)
        )
        css = "chart-bar chart-bar--own" if holds else "chart-bar"
        if current.count:
            parts.append(
                f'<rect x="{bx + 2:.1f}" y="{y(current.count):.1f}" width="{bar_w - 4:.1f}" '
                f'height="{top + plot_h - y(current.count):.1f}" class="{css}">'
                f"<title>{escape(current.label)} : {current.count}</title></rect>"
            )
    for index in range(0, len(bins) + 1, 2):
        value = low + (high - low) * index / len(bins)
        parts.append(
            f'<text x="{x(value):.1f}" y="{top + plot_h + 18}" text-anchor="middle" class="chart-axis">'
            f"{escape(format_value(value, unit))}</text>"
        )
    if target is not None:
        tx = x(target)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{top + plot_h}" class="chart-target '
            f'chart-target--national"><title>Cible nationale : {escape(format_value(target, unit))}</title>'
            "</line>"
        )
    if marker is not None:
        mx = x(marker)
        parts.append(
            f'<line x1="{mx:.1f}" y1="{top - 10}" x2="{mx:.1f}" y2="{top + plot_h}" class="chart-marker"/>'
            f'<text x="{mx:.1f}" y="{top - 14}" text-anchor="middle" class="chart-value">'
            f"{escape(marker_label)} : {escape(format_value(marker, unit))}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" class="chart-axis">'
        "Valeur de l'indicateur (hauteur des barres : nombre d'acheteurs)</text></svg>"
    )
    # Safe: every interpolated text is escaped above, numbers are formatted by us.
    return mark_safe("".join(parts))
