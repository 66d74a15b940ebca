"""Writes: compute and store indicator values with their provenance. Idempotent: a value whose figures did
not change is left untouched (no new history row)."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max

from spaser.schemes.models import Indicator, Scheme

from .engine import NotComputable, Result, compute
from .models import IndicatorValue
from .scopes import Scope, organisation_scopes

DECP_PERIMETER = (
    "Source : données essentielles de la commande publique (DECP), marchés de 40 000 € HT et plus publiés ; "
    "unité : le marché (uid = SIRET de l'acheteur + identifiant), doublons fusionnés ; "
    "concessions comptées à part ; année = année de notification."
)


@dataclass(frozen=True)
class ComputedFigure:
    indicator: Indicator
    year: int
    scope: Scope
    result: Result
    data_date: date | None

    @property
    def perimeter(self) -> str:
        return f"{self.scope.description}, notifiés en {self.year}. {DECP_PERIMETER}"


def data_date(contracts) -> date | None:
    """The snapshot date of the data behind a figure: the day its newest contract row was imported."""
    newest = contracts.aggregate(newest=Max("updated_at"))["newest"]
    return newest.date() if newest else None


def compute_figures(*, indicators, scopes: list[Scope], years: list[int]) -> list[ComputedFigure]:
    figures = []
    for scope in scopes:
        for year in years:
            contracts = scope.contracts.notified_in(year)
            snapshot = data_date(contracts)
            for indicator in indicators:
                try:
                    result = compute(indicator.method, indicator.params, contracts)
                except NotComputable:
                    continue
                figures.append(ComputedFigure(indicator, year, scope, result, snapshot))
    return figures


def default_years(scheme: Scheme, today: date | None = None) -> list[int]:
    today = today or date.today()
    return [year for year in scheme.years if year <= today.year]


@transaction.atomic
def store_figures(figures: list[ComputedFigure]) -> dict[str, int]:
    """Upsert each figure; returns how many values were created, updated and left unchanged."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {
        (v.indicator_id, v.year, v.scope): v
        for v in IndicatorValue.objects.filter(indicator__in={f.indicator for f in figures})
    }
    for figure in figures:
        fields = {
            "direction": figure.scope.direction,
            "value": figure.result.value,
            "numerator": figure.result.numerator,
            "denominator": figure.result.denominator,
            "unknown": figure.result.unknown,
            "details": figure.result.details,
            "perimeter": figure.perimeter,
            "data_date": figure.data_date,
            "method_version": figure.result.method_version,
        }
        current = existing.get((figure.indicator.pk, figure.year, figure.scope.key))
        if current is None:
            IndicatorValue.objects.create(
                indicator=figure.indicator, year=figure.year, scope=figure.scope.key, **fields
            )
            counts["created"] += 1
        elif any(_differs(getattr(current, name), value) for name, value in fields.items()):
            for name, value in fields.items():
                setattr(current, name, value)
            current.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def _differs(stored, new) -> bool:
    if hasattr(stored, "pk") or hasattr(new, "pk"):
        return getattr(stored, "pk", None) != getattr(new, "pk", None)
    return stored != new


def compute_scheme_indicators(*, scheme: Scheme, years: list[int] | None = None) -> dict[str, int]:
    """Compute every computed indicator of the scheme, for each year, on every scope, and store them."""
    indicators = list(scheme.indicators().computed().select_related("commitment__axis__scheme"))
    scopes = organisation_scopes(scheme.organisation, mutualised=scheme.mutualised)
    figures = compute_figures(indicators=indicators, scopes=scopes, years=years or default_years(scheme))
    return store_figures(figures)
