"""One indicator's page (/tableau-de-bord/indicateurs/<code>/) and the contracts behind its figure
(…/marches/, and the same list as CSV). Filters in the URL: `periode`, `perimetre`, `part`, `tri`, `page`."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from spaser.core.listing import query_with, sort_links

from . import dashboard_memos
from . import drilldown as drill
from .charts import Column, column_chart
from .dashboard_access import Board, board
from .indicator_selectors import IndicatorPage
from .plans import PARTS

PER_PAGE = 50


def _indicator(current: Board, code: str):
    indicator = dashboard_memos.indicator(current.organisation, current.scheme, code)
    if indicator is None:
        raise Http404(f"Indicateur « {code} » introuvable dans le schéma {current.scheme.title}.")
    return indicator


def _board(request: HttpRequest) -> Board:
    current = board(request)
    if current.scheme is None:
        raise Http404("Votre organisation n'a pas encore de schéma : aucun indicateur à afficher.")
    if current.period is None:
        raise Http404("Aucune valeur n'est encore calculée : lancez « spaser compute_indicators ».")
    return current


def _crumbs(current: Board, indicator, *, last: str = "", indicator_url: str = "") -> list:
    axis, commitment = indicator.commitment.axis, indicator.commitment
    query = current.query
    crumbs = [
        ("Tableau de bord", f"{reverse('indicators:dashboard')}?{query}"),
        (f"Axe {axis.code}", f"{reverse('indicators:axis', args=[axis.pk])}?{query}"),
        (
            f"Engagement {commitment.code}",
            f"{reverse('indicators:commitment', args=[commitment.pk])}?{query}",
        ),
        (f"Indicateur {indicator.code}", indicator_url),
    ]
    if last:
        crumbs.append((last, ""))
    return crumbs


def _trend_chart(page: IndicatorPage, chart_id: str, rows, title: str, description: str):
    """Bars of the trend; the label is short (« 2024 », « T2 ») since the table beside says it in full."""
    columns = [
        Column(
            row.period.label if row.period.kind == "year" else row.period.key,
            row.number,
            row.target.value if row.target else None,
        )
        for row in rows
    ]
    return column_chart(
        columns=columns, unit=page.figure.unit, title=title, description=description, chart_id=chart_id
    )


@require_GET
def indicator_detail(request, code: str):
    current = _board(request)
    indicator = _indicator(current, code)
    page = dashboard_memos.page(
        current.organisation, indicator, current.scope, current.period, timezone.localdate()
    )
    scope_label = current.scope.label
    yearly_chart = _trend_chart(
        page,
        "chart-years",
        page.yearly,
        f"{indicator.code} : valeur de chaque année ({scope_label})",
        f"Valeur de l'indicateur « {indicator.name} » pour chaque année du schéma et sa cible (trait "
        "horizontal). Les mêmes chiffres figurent dans le tableau qui suit.",
    )
    sub_chart = (
        _trend_chart(
            page,
            "chart-periods",
            page.sub_periods,
            f"{indicator.code} : valeur de chaque période de {current.period.year} ({scope_label})",
            f"Valeur de l'indicateur « {indicator.name} » pour chaque période de {current.period.year} et sa "
            "cible. Les mêmes chiffres figurent dans le tableau qui suit.",
        )
        if page.sub_periods
        else None
    )
    return render(
        request,
        "indicators/indicator.html",
        {
            "board": current,
            "scheme": current.scheme,
            "period": current.period,
            "scope": current.scope,
            "query": current.query,
            "indicator": indicator,
            "page": page,
            "figure": page.figure,
            "yearly_chart": yearly_chart,
            "sub_chart": sub_chart,
            "parts": PARTS,
            "breadcrumbs": _crumbs(current, indicator),
        },
    )


def _drill(request: HttpRequest, code: str) -> tuple[Board, object, drill.DrillDown]:
    current = _board(request)
    indicator = _indicator(current, code)
    part = request.GET.get("part", "numerator")
    if part not in PARTS:
        raise Http404(f"Partie du calcul inconnue : « {part} » (attendu : {', '.join(PARTS)}).")
    return (
        current,
        indicator,
        drill.drilldown(indicator=indicator, scope=current.scope, period=current.period, part=part),
    )


@require_GET
def drilldown_list(request, code: str):
    current, indicator, found = _drill(request, code)
    sort = request.GET.get("tri") or drill.DEFAULT_SORT
    if sort.lstrip("-") not in drill.SORTS:
        raise Http404(f"Tri inconnu : « {sort} ».")
    context = {
        "board": current,
        "scheme": current.scheme,
        "period": current.period,
        "scope": current.scope,
        "query": current.query,
        "indicator": indicator,
        "drill": found,
        "parts": PARTS,
        "breadcrumbs": _crumbs(
            current,
            indicator,
            last="Marchés comptés",
            indicator_url=f"{reverse('indicators:indicator', args=[indicator.code])}?{current.query}",
        ),
    }
    if found.rows is not None:
        totals = found.totals()
        paginator = Paginator(drill.with_relations(drill.sorted_rows(found.rows, sort)), PER_PAGE)
        paginator.count = totals["contracts"]  # counted with the totals: spare the same COUNT query
        page = paginator.get_page(request.GET.get("page"))
        columns = ["uid", "objet", "date"] + (["poids"] if found.weighted or found.kind == "hours" else [])
        context |= {
            "totals": totals,
            "page": page,
            "rows": drill.page_rows(page.object_list, found.plan),
            "sort_headers": sort_links(
                request.GET, current=sort, columns=columns, descending_first=drill.DESCENDING_FIRST
            ),
            "csv_query": query_with(request.GET, page=None),
        }
    return render(request, "indicators/drilldown.html", context)


@require_GET
def drilldown_csv(request, code: str):
    current, indicator, found = _drill(request, code)
    if found.rows is None:
        raise Http404(found.reason)
    rows = drill.sorted_rows(found.rows, request.GET.get("tri") or drill.DEFAULT_SORT)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in drill.csv_lines(found, rows)),
        content_type="text/csv; charset=utf-8",
    )
    filename = (
        f"marches-{indicator.code}-{current.period.slug}-{current.scope.key.replace(':', '-')}-{found.part}"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
