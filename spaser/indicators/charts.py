"""Server-side SVG charts: vector in pages and (later) in the PDF, with a title and a description for
assistive technologies; every chart is shown next to a data table holding the same figures.
See docs/decisions/0003-svg-charts.md for why this is hand-written rather than Vega."""

import re
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    target: Decimal | None = None


def _fmt(value: Decimal) -> str:
    return f"{value:.1f}".replace(".", ",")


def percent_bar_chart(*, bars: list[Bar], title: str, description: str, chart_id: str) -> SafeString:
    """Horizontal bars on a 0-100 % scale, with the target as a dark tick. Missing values are written
    « pas de données », never drawn as 0."""
    label_w, plot_w, row_h, top = 250, 360, 38, 34
    width, height = label_w + plot_w + 90, top + row_h * len(bars) + 30

    def x(value: Decimal) -> float:
        return label_w + plot_w * float(min(max(value, Decimal(0)), Decimal(100))) / 100

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in range(0, 101, 25):
        tx = x(Decimal(tick))
        parts.append(
            f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{height - 24}" class="chart-grid"/>'
            f'<text x="{tx:.1f}" y="{height - 8}" text-anchor="middle" class="chart-axis">{tick} %</text>'
        )
    for index, bar in enumerate(bars):
        y = top + index * row_h
        parts.append(f'<text x="{label_w - 10}" y="{y + 19}" text-anchor="end" class="chart-label">'
                     f"{escape(bar.label)}</text>")  # fmt: skip
        if bar.value is None:
            parts.append(f'<text x="{label_w + 6}" y="{y + 19}" class="chart-missing">pas de données</text>')
        else:
            parts.append(
                f'<rect x="{label_w}" y="{y + 6}" width="{x(bar.value) - label_w:.1f}" height="{row_h - 16}" '
                f'class="chart-bar"/>'
                f'<text x="{x(bar.value) + 6:.1f}" y="{y + 19}" class="chart-value">'
                f"{_fmt(bar.value)} %</text>"
            )
        if bar.target is not None:
            tx = x(bar.target)
            parts.append(
                f'<line x1="{tx:.1f}" y1="{y + 2}" x2="{tx:.1f}" y2="{y + row_h - 6}" class="chart-target">'
                f"<title>Cible : {_fmt(bar.target)} %</title></line>"
            )
    parts.append(
        f'<g class="chart-legend"><rect x="{label_w}" y="8" width="14" height="10" class="chart-bar"/>'
        f'<text x="{label_w + 20}" y="17">Valeur</text>'
        f'<line x1="{label_w + 90}" y1="6" x2="{label_w + 90}" y2="20" class="chart-target"/>'
        f'<text x="{label_w + 98}" y="17">Cible de l\'année</text></g>'
    )
    parts.append("</svg>")
    # Safe: every interpolated text is escaped above, numbers are formatted by us.
    return mark_safe("".join(parts))


@dataclass(frozen=True)
class Column:
    label: str
    value: Decimal | None
    target: Decimal | None = None


def _scale_top(columns: list[Column], unit: str) -> Decimal:
    """The top of the scale: 100 for a rate (more when a rate passes 100, as realised hours can), else the
    largest value or target rounded up to a readable step."""
    numbers = [n for c in columns for n in (c.value, c.target) if n is not None]
    largest = max(numbers, default=Decimal(0))
    if unit == "percent" and largest <= 100:
        return Decimal(100)
    if largest <= 0:
        return Decimal(1)
    step = Decimal(10) ** (len(str(int(largest))) - 1)
    return ((largest / step).to_integral_value(rounding="ROUND_CEILING")) * step


def _tick(value: Decimal, unit: str) -> str:
    """An axis tick without a useless decimal: « 25 % », « 12,5 % »."""
    from .templatetags.figures import format_value

    return re.sub(r",0(?!\d)", "", format_value(value, unit))


def column_chart(
    *, columns: list[Column], unit: str, title: str, description: str, chart_id: str
) -> SafeString:
    """Vertical bars (one per period), the target of each period as a dark tick across its bar. A period
    without value is written « pas de données » in place of its bar, never drawn as 0. Labels are formatted
    the French way with the unit (format_value)."""
    from .templatetags.figures import format_value

    left, bar_w, gap, top, plot_h = 70, 64, 26, 30, 180
    width = left + (bar_w + gap) * max(len(columns), 1) + 20
    height = top + plot_h + 50
    scale = _scale_top(columns, unit)

    def y(value: Decimal) -> float:
        share = float(min(max(value, Decimal(0)), scale) / scale)
        return top + plot_h * (1 - share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart chart--columns">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for step in range(5):
        tick = scale * step / 4
        ty = y(tick)
        parts.append(
            f'<line x1="{left - 4}" y1="{ty:.1f}" x2="{width - 10}" y2="{ty:.1f}" class="chart-grid"/>'
            f'<text x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end" class="chart-axis">'
            f"{escape(_tick(tick, unit))}</text>"
        )
    for index, column in enumerate(columns):
        x = left + gap / 2 + index * (bar_w + gap)
        centre = x + bar_w / 2
        parts.append(
            f'<text x="{centre:.1f}" y="{top + plot_h + 18}" text-anchor="middle" class="chart-label">'
            f"{escape(column.label)}</text>"
        )
        if column.value is None:
            parts.append(
                f'<text x="{centre:.1f}" y="{top + plot_h - 8}" text-anchor="middle" class="chart-missing">'
                "pas de données</text>"
            )
        else:
            vy = y(column.value)
            parts.append(
                f'<rect x="{x:.1f}" y="{vy:.1f}" width="{bar_w}" height="{top + plot_h - vy:.1f}" '
                f'class="chart-bar"/>'
                f'<text x="{centre:.1f}" y="{vy - 6:.1f}" text-anchor="middle" class="chart-value">'
                f"{escape(format_value(column.value, unit))}</text>"
            )
        if column.target is not None:
            ty = y(column.target)
            parts.append(
                f'<line x1="{x - 4:.1f}" y1="{ty:.1f}" x2="{x + bar_w + 4:.1f}" y2="{ty:.1f}" '
                'class="chart-target">'
                f"<title>Cible : {escape(format_value(column.target, unit))}</title></line>"
            )
    parts.append(
        f'<g class="chart-legend"><rect x="{left}" y="6" width="14" height="10" class="chart-bar"/>'
        f'<text x="{left + 20}" y="15">Valeur</text>'
        f'<line x1="{left + 90}" y1="11" x2="{left + 110}" y2="11" class="chart-target"/>'
        f'<text x="{left + 116}" y="15">Cible de la période</text></g>'
    )
    parts.append("</svg>")
    # Safe: every interpolated text is escaped above, numbers are formatted by us.
    return mark_safe("".join(parts))
