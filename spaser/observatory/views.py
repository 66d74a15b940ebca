"""The national page (/observatoire/: the distribution of each indicator per buyer type) and the
organisation's position among the buyers of its type (/observatoire/position/). Both read the store through
`selectors` (cached per file version); `?annee=` picks the year, the latest of the store by default."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from spaser.indicators.dashboard_access import member
from spaser.organisations.selectors import membership_for, organisation_for

from . import selectors
from .charts import boxplot_chart, histogram_chart


def _year(request: HttpRequest) -> int | None:
    text = request.GET.get("annee", "").strip()
    if not text:
        return None
    if not (text.isdigit() and len(text) == 4):
        raise Http404(
            f"Année « {text} » invalide : attendu une année sur quatre chiffres (par exemple 2024)."
        )
    return int(text)


def _target(code: str) -> float | None:
    target = selectors.NATIONAL_TARGETS.get(code)
    return float(target.value) if target else None


def _national_chart(summary, indicator, index: int):
    known = sum(1 for d in indicator.distributions if d.count)
    return boxplot_chart(
        distributions=indicator.distributions,
        unit=indicator.unit,
        target=_target(indicator.code),
        title=f"{indicator.code} — {indicator.name} : distribution par type d'acheteur, {summary.year}",
        description=(
            "Pour chaque type d'acheteur, minimum, premier quartile, médiane, troisième quartile et maximum "
            f"des valeurs de l'indicateur ; {known} type(s) avec des valeurs. Les chiffres sont dans le "
            "tableau qui suit."
        ),
        chart_id=f"chart-{index}",
    )


def _position_chart(organisation, current, item, index: int):
    own = (
        f"Valeur de {organisation.name} marquée : {item.rank_label}."
        if item.value is not None
        else f"Pas de données pour {organisation.name}."
    )
    return histogram_chart(
        distribution=item.distribution,
        marker=item.value,
        marker_label=organisation.name if len(organisation.name) <= 30 else "Vous",
        target=_target(item.code),
        title=f"{item.code} — {item.name} : {organisation.name} parmi les {current.type_plural}, "
        f"{current.year}",
        description=(
            f"Nombre de {current.type_plural} par tranche de valeur de l'indicateur ({item.peers} avec une "
            f"valeur, {item.distribution.unknown} sans donnée). {own} Les chiffres sont dans le tableau qui "
            "suit."
        ),
        chart_id=f"chart-{index}",
    )


@require_GET
def national(request: HttpRequest):
    """Any signed-in user: national open data, the same for everyone."""
    asked = _year(request)
    years = selectors.available_years()
    summary = selectors.national_summary(asked) if years else None
    blocks = []
    if summary is not None:
        blocks = [
            {"indicator": indicator, "chart": _national_chart(summary, indicator, index)}
            for index, indicator in enumerate(summary.indicators)
        ]
    organisation = organisation_for(request.user)
    return render(
        request,
        "observatory/national.html",
        {
            "summary": summary,
            "blocks": blocks,
            "years": years,
            "asked_year": asked,
            "organisation": organisation,
            "membership": membership_for(request.user, organisation) if organisation else None,
        },
    )


@require_GET
def position(request: HttpRequest):
    """Members of an organisation: its position among the buyers of its type (404 outside any
    organisation)."""
    organisation, membership = member(request)
    asked = _year(request)
    current = selectors.position_for(organisation, asked)
    blocks = []
    if current is not None:
        blocks = [
            {"position": item, "chart": _position_chart(organisation, current, item, index)}
            for index, item in enumerate(current.positions)
        ]
    return render(
        request,
        "observatory/position.html",
        {
            "current": current,
            "blocks": blocks,
            "years": selectors.available_years(),
            "asked_year": asked,
            "organisation": organisation,
            "membership": membership,
        },
    )
