"""Dashboards, mounted under /tableau-de-bord/ (namespace "indicators"): the organisation's (headline cards,
every indicator by axis › commitment, a table per direction), one direction's, one axis's and one
commitment's. Filters live in the URL (`periode`, `perimetre`); access rules in dashboard_access.py.

The indicator page and the drill-down are in indicator_views.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from spaser.observatory.selectors import position_for
from spaser.schemes.models import Axis, Commitment

from . import dashboard_memos, selectors
from .charts import Bar, percent_bar_chart
from .dashboard_access import Board, board, landing_direction, member
from .models import ORGANISATION_SCOPE


def _empty(request: HttpRequest, current: Board):
    """No scheme yet, or a scheme without any value computed or entered."""
    return render(
        request,
        "indicators/dashboard_empty.html",
        {
            "organisation": current.organisation,
            "scheme": current.scheme,
            "breadcrumbs": [("Tableau de bord", "")],
        },
    )


def _with_query(url: str, **params: str) -> str:
    params = {name: value for name, value in params.items() if value}
    return f"{url}?{urlencode(params)}" if params else url


def _headline_chart(headline: list[selectors.Figure], current: Board):
    """The headline rates against their targets (bars on a 0-100 % scale); other units are in the cards."""
    rates = [f for f in headline if f.unit == "percent"]
    if not rates:
        return None
    return percent_bar_chart(
        bars=[
            Bar(f"{f.code} — {f.indicator.name}"[:46], f.number, f.target.value if f.target else None)
            for f in rates
        ],
        title=f"Indicateurs phares en pourcentage, {current.period.label} : valeur et cible",
        description=(
            f"Valeur de chaque indicateur phare exprimé en pourcentage pour {current.period.label} "
            f"({current.scope.label}), comparée à la cible de la période. Les mêmes chiffres figurent dans "
            "les cartes au-dessus et dans le tableau des indicateurs."
        ),
        chart_id="chart-headline",
    )


def _dashboard_context(current: Board) -> dict:
    figures = dashboard_memos.figures(current.organisation, current.scheme, current.period, current.scope.key)
    headline = selectors.headline(figures)
    return {
        "board": current,
        "scheme": current.scheme,
        "period": current.period,
        "scope": current.scope,
        "query": current.query,
        "figures": figures,
        "axes": selectors.by_axis(figures),
        "headline": headline,
        "chart": _headline_chart(headline, current),
        "has_values": any(f.value is not None for f in figures),
    }


@require_GET
def dashboard(request):
    """The organisation's dashboard (or a buyer's, `perimetre=buyer:…`). A referent lands on its direction."""
    if "perimetre" not in request.GET:
        _organisation, membership = member(request)
        direction = landing_direction(membership)
        if direction is not None:
            url = reverse("indicators:direction", args=[direction.slug])
            return redirect(_with_query(url, periode=request.GET.get("periode") or request.GET.get("annee")))
    current = board(request)
    if current.period is None:
        return _empty(request, current)
    if current.scope.kind == "direction":  # one address per direction dashboard
        url = reverse("indicators:direction", args=[current.scope.direction.slug])
        return redirect(_with_query(url, periode=request.GET.get("periode")))
    context = _dashboard_context(current)
    rows = dashboard_memos.direction_rows(
        current.organisation, current.scheme, current.period, context["headline"], current.directions
    )
    context["directions"] = [row for row in rows if row.has_values or row.contracts]
    context["idle_directions"] = [row.direction for row in rows if not (row.has_values or row.contracts)]
    context["breadcrumbs"] = [("Tableau de bord", "")]
    if current.scope.kind == "organisation":  # among the buyers of its type, from the national data
        context["observatory_position"] = position_for(current.organisation, current.period.year)
    return render(request, "indicators/dashboard.html", context)


@require_GET
def direction(request, slug: str):
    """One direction's dashboard: the figures of the contracts attributed to it."""
    current = board(request, scope_key=f"direction:{slug}")
    if current.period is None:
        return _empty(request, current)
    context = _dashboard_context(current)
    context["direction"] = current.scope.direction
    context["contracts"] = max(
        ((f.value.details or {}).get("contrats", 0) for f in context["figures"] if f.value is not None),
        default=0,
    )
    context["breadcrumbs"] = [
        ("Tableau de bord", _with_query(reverse("indicators:dashboard"), perimetre=ORGANISATION_SCOPE)),
        (current.scope.label, ""),
    ]
    return render(request, "indicators/direction.html", context)


def _section(request: HttpRequest, *, axis: Axis | None = None, commitment: Commitment | None = None):
    current = board(request)
    # The axis or commitment is looked up in the user's own scheme before anything is shown, the empty
    # board included: another organisation's address is a 404, never a page.
    if axis is not None:
        axis = get_object_or_404(Axis, pk=axis, scheme=current.scheme)
    else:
        commitment = get_object_or_404(
            Commitment.objects.select_related("axis"), pk=commitment, axis__scheme=current.scheme
        )
        axis = commitment.axis
    if current.period is None:
        return _empty(request, current)
    part = ("commitment", commitment.pk) if commitment is not None else ("axis", axis.pk)
    figures = dashboard_memos.figures(
        current.organisation, current.scheme, current.period, current.scope.key, part=part
    )
    crumbs = [("Tableau de bord", f"{reverse('indicators:dashboard')}?{current.query}")]
    if commitment is not None:
        crumbs.append((f"Axe {axis.code}", f"{reverse('indicators:axis', args=[axis.pk])}?{current.query}"))
        crumbs.append((f"Engagement {commitment.code}", ""))
    else:
        crumbs.append((f"Axe {axis.code}", ""))
    return render(
        request,
        "indicators/section.html",
        {
            "board": current,
            "scheme": current.scheme,
            "period": current.period,
            "scope": current.scope,
            "query": current.query,
            "axis": axis,
            "commitment": commitment,
            "figures": figures,
            "axes": selectors.by_axis(figures),
            "has_values": any(f.value is not None for f in figures),
            "breadcrumbs": crumbs,
        },
    )


@require_GET
def axis(request, pk: int):
    return _section(request, axis=pk)


@require_GET
def commitment(request, pk: int):
    return _section(request, commitment=pk)
