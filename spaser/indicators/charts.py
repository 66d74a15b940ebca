"""Server-side SVG charts: vector in pages and (later) in the PDF, with a title and a description for
assistive technologies; every chart is shown next to a data table holding the same figures.
See docs/decisions/0003-svg-charts.md for why this is hand-written rather than Vega."""

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
