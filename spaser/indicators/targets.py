"""Targets of an indicator for a period: the yearly targets of the register, the trajectory between them,
and the national targets that apply (docs/indicators.md).

- A year with a target in the register has that target (« cible de l'année »).
- A year without one, between two known points — the baseline (reference year and value) and the yearly
  targets — gets the straight line between them (« trajectoire »); after the last target, the last target
  holds; before the first known point there is none.
- A sub-period (semester, quarter, month, year to date): a rate or a mean (percent, days…) keeps the year's
  target; a quantity that adds up over the year (number, euros, hours, tCO2e) gets the year's target pro rata
  of its months, so a year-to-date figure can be on track in June.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from spaser.schemes.models import Unit

from .periods import Period

ADDITIVE_UNITS = {Unit.COUNT, Unit.EURO, Unit.HOURS, Unit.TCO2E}
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class NationalTarget:
    value: Decimal
    source: str


# Targets set by national texts, shown beside the scheme's own where the indicator measures the same thing.
PNAD_SOCIAL = "PNAD 2022-2025 : 30 % des contrats avec une considération sociale"
PNAD_ENVIRONMENTAL = "PNAD 2022-2025 : 100 % des contrats avec une considération environnementale"
NATIONAL_TARGETS = {
    "S1": NationalTarget(Decimal(30), PNAD_SOCIAL),
    "S2": NationalTarget(Decimal(30), PNAD_SOCIAL),
    "E1": NationalTarget(Decimal(100), PNAD_ENVIRONMENTAL),
    "E2": NationalTarget(Decimal(100), PNAD_ENVIRONMENTAL),
    "E4": NationalTarget(Decimal(100), "Loi Climat : consultations lancées après le 22 août 2026 conformes"),
    "E7a": NationalTarget(Decimal(50), "EGalim : 50 % de produits durables et de qualité"),
    "E7b": NationalTarget(Decimal(20), "EGalim : 20 % de produits biologiques"),
    "C5": NationalTarget(Decimal(30), "Code de la commande publique : paiement sous 30 jours"),
}  # fmt: skip


@dataclass(frozen=True)
class PeriodTarget:
    value: Decimal
    kind: str  # "year" (set in the register), "trajectory" (between known points), "held" (last target kept)
    prorated: bool = False

    @property
    def label(self) -> str:
        label = {"year": "cible de l'année", "trajectory": "trajectoire", "held": "dernière cible"}[self.kind]
        return f"{label}, au prorata de la période" if self.prorated else label


def yearly_target(indicator, year: int, targets: dict[int, Decimal] | None = None) -> PeriodTarget | None:
    """The target of `indicator` for a whole year. `targets` (year → value) saves a query when the
    caller prefetched them."""
    if targets is None:
        targets = {target.year: target.value for target in indicator.targets.all()}
    if year in targets:
        return PeriodTarget(targets[year], "year")
    points = dict(targets)
    if indicator.baseline_year is not None and indicator.baseline_value is not None:
        points.setdefault(indicator.baseline_year, indicator.baseline_value)
    before = [y for y in points if y < year]
    after = [y for y in points if y > year]
    if before and after:
        low, high = max(before), min(after)
        share = Decimal(year - low) / Decimal(high - low)
        value = points[low] + (points[high] - points[low]) * share
        return PeriodTarget(value.quantize(PLACES), "trajectory")
    if before and targets and max(before) >= max(targets):
        return PeriodTarget(targets[max(targets)], "held")
    return None


def period_target(
    indicator, period: Period, targets: dict[int, Decimal] | None = None
) -> PeriodTarget | None:
    """The target of `indicator` for any period (see the module docstring)."""
    year = yearly_target(indicator, period.year, targets)
    if year is None or period.kind == "year" or indicator.unit not in ADDITIVE_UNITS:
        return year
    months = len(period.months)
    return PeriodTarget((year.value * months / 12).quantize(PLACES), year.kind, prorated=True)


def final_target(indicator, targets: dict[int, Decimal] | None = None) -> tuple[int, Decimal] | None:
    """The last yearly target set (the scheme's end goal), as (year, value)."""
    if targets is None:
        targets = {target.year: target.value for target in indicator.targets.all()}
    if not targets:
        return None
    year = max(targets)
    return year, targets[year]
