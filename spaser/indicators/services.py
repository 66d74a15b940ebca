"""Writes: compute and store indicator values with their provenance. Idempotent: a value whose figures did
not change is left untouched (no new history row)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from spaser.organisations.data_stamp import one_renewal
from spaser.schemes.models import Scheme

from .engine import ComputedFigure, compute_scheme
from .models import IndicatorValue
from .scopes import organisation_scopes


def default_years(scheme: Scheme, today: date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return [year for year in scheme.years if year <= today.year]


@transaction.atomic
def store_figures(figures: list[ComputedFigure]) -> dict[str, int]:
    """Upsert each figure; returns how many values were created, updated and left unchanged."""
    with one_renewal():  # of the data stamp, once for every value stored
        return _store(figures)


def _store(figures: list[ComputedFigure]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {
        (v.indicator_id, v.year, v.period, v.scope): v
        for v in IndicatorValue.objects.filter(
            indicator__in={f.indicator for f in figures}, year__in={f.year for f in figures}
        )
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
        key = (figure.indicator.pk, figure.year, figure.period.key, figure.scope.key)
        current = existing.get(key)
        if current is None:
            IndicatorValue.objects.create(
                indicator=figure.indicator,
                year=figure.year,
                period=figure.period.key,
                scope=figure.scope.key,
                **fields,
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


def scheme_figures(
    *, scheme: Scheme, years: list[int] | None = None, today: date | None = None
) -> list[ComputedFigure]:
    """Every computed indicator of the scheme, for each year and period, on every scope."""
    indicators = list(scheme.indicators().computed().select_related("commitment__axis__scheme"))
    scopes = organisation_scopes(scheme.organisation, mutualised=scheme.mutualised)
    return compute_scheme(
        indicators=indicators,
        scopes=scopes,
        years=years or default_years(scheme, today),
        scheme=scheme,
        today=today,
    )


def compute_scheme_indicators(
    *, scheme: Scheme, years: list[int] | None = None, today: date | None = None
) -> dict[str, int]:
    """Compute and store every computed indicator of the scheme (see `scheme_figures`)."""
    return store_figures(scheme_figures(scheme=scheme, years=years, today=today))
