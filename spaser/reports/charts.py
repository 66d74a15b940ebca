"""The annual report's charts, drawn from the report content dict alone with the hand-written SVG charts of
`spaser.indicators.charts` (docs/decisions/0003-svg-charts.md): one chart per axis, its percent indicators
against their targets, always followed in the report by a data table holding the same figures.

The SVG carries its colours and font as presentation attributes, not as classes only: WeasyPrint does not
apply the document's stylesheets inside an inline `<svg>`, and a `<style>` element inside the SVG would be
refused by the pages' Content-Security-Policy. Presentation attributes work in both, and the page's CSS can
still override them (they have the lowest precedence)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from spaser.core.documents import parse_decimal
from spaser.indicators.charts import Bar, percent_bar_chart
from spaser.indicators.templatetags.figures import format_value

LABEL_LENGTH = 30
FONT = "DejaVu Sans, Verdana, sans-serif"
# class → presentation attributes (colours ≥ 4.5:1 on white for the texts, as in indicators/dashboard.css).
PAINT = {
    "chart-grid": 'stroke="#d5dbe2" stroke-width="1"',
    "chart-axis": 'fill="#4a5565"',
    "chart-label": 'fill="#1c2430"',
    "chart-value": 'fill="#1c2430"',
    "chart-missing": 'fill="#4a5565" font-style="italic"',
    "chart-bar": 'fill="#1f4e79"',
    "chart-target": 'stroke="#c2410c" stroke-width="3"',
    "chart-legend": 'fill="#4a5565"',
}
_CLASS = re.compile(r'class="(chart-[a-z]+)"')


def percent_rows(axis: dict) -> list[dict]:
    """The axis's percent indicators, in register order: what its chart draws and its data table lists."""
    return [
        row
        for commitment in axis.get("commitments") or []
        for row in commitment.get("indicators") or []
        if row.get("unit") == "percent"
    ]


def _label(row: dict) -> str:
    name = row.get("name") or ""
    if len(name) > LABEL_LENGTH:
        name = name[: LABEL_LENGTH - 1].rstrip() + "…"
    return f"{row.get('code', '')} — {name}"


def _describe(row: dict) -> str:
    value, target = parse_decimal(row.get("value")), parse_decimal(row.get("target"))
    target_text = f"cible {format_value(target, 'percent')}" if target is not None else "sans cible"
    status = row.get("status_label") or ""
    return f"{row.get('code', '')} : {format_value(value, 'percent')}, {target_text}" + (
        f" ({status.lower()})" if status else ""
    )


def _paint(svg: str) -> str:
    svg = _CLASS.sub(lambda m: f'class="{m.group(1)}" {PAINT.get(m.group(1), "")}'.rstrip(), svg)
    return svg.replace('class="chart"', f'class="chart report-chart" font-family="{FONT}" font-size="11"', 1)


def axis_chart(axis: dict, *, chart_id: str, year: int | str) -> SafeString:
    """The SVG chart of an axis's percent indicators against their targets of the year; "" when the axis has
    none. Title and description say what it shows, the description every figure (for screen readers)."""
    rows = percent_rows(axis)
    if not rows:
        return mark_safe("")
    bars = [
        Bar(
            label=_label(row),
            value=_decimal(parse_decimal(row.get("value"))),
            target=parse_decimal(row.get("target")),
        )
        for row in rows
    ]
    title = (
        f"Axe {axis.get('code', '')} — {axis.get('title', '')} : indicateurs en pourcentage et cibles {year}"
    )
    description = (
        "Barres horizontales de 0 à 100 %, la cible de l'année en trait vertical. "
        + " ; ".join(map(_describe, rows))
        + "."
    )
    svg = percent_bar_chart(bars=bars, title=title, description=description, chart_id=chart_id)
    # Safe: the SVG comes from percent_bar_chart (every text escaped), only attributes of ours are added.
    return mark_safe(_paint(str(svg)))


def _decimal(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value)
