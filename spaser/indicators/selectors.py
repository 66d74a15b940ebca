"""Reads for the dashboards: the stored values of a period and scope with their target, status, the same
period last year and the trend over the scheme's years — computed and validated manual values alike.

Every figure comes from `IndicatorValue` (what `spaser compute_indicators` and the input campaigns store), so
the dashboard, the exports and the command line show the same numbers. A page reads a fixed number of
queries whatever the number of indicators, directions or years (the tests count them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from spaser.schemes.models import Axis, Commitment, Indicator, Scheme

from .models import ORGANISATION_SCOPE, IndicatorValue
from .periods import Period
from .status import Status, scheme_status
from .targets import NATIONAL_TARGETS, NationalTarget, PeriodTarget, period_target

# The headline set of domain.md §6, for committees and the annual report; a code matches its split codes too
# (S5 → S5a, S5b, S5c), never a longer number (S1 is not S10).
HEADLINE_CODES = ("S1", "S2", "E1", "E2", "S5", "S7", "C1", "C5", "T1", "T2", "E6", "E7")
_HEADLINE = re.compile(r"^(" + "|".join(HEADLINE_CODES) + r")(?![0-9])")
# Order of period kinds in selectors: the year, year to date, semesters, quarters, months.
_KIND_ORDER = {"A": 0, "C": 1, "S": 2, "T": 3, "M": 4}


def headline_rank(code: str) -> int | None:
    """Position of `code` in the headline set, None when it is not a headline indicator."""
    match = _HEADLINE.match(code)
    return HEADLINE_CODES.index(match.group(1)) if match else None


def period_sort_key(period: Period) -> tuple:
    return (period.year, _KIND_ORDER[period.key[0]], period.key)


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    value: IndicatorValue | None


@dataclass(frozen=True)
class Figure:
    """One indicator's figure for a period and scope, with everything a reader judges it by."""

    indicator: Indicator
    period: Period
    scope: str
    value: IndicatorValue | None
    target: PeriodTarget | None
    status: Status
    national: NationalTarget | None
    previous: IndicatorValue | None  # the same period last year
    trend: list[TrendPoint] = field(default_factory=list)  # the same period over the scheme's years

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def number(self) -> Decimal | None:
        return self.value.value if self.value is not None else None

    @property
    def has_value(self) -> bool:
        return self.number is not None

    @property
    def is_manual(self) -> bool:
        return self.indicator.is_manual

    @property
    def counts_contracts(self) -> bool:
        return self.indicator.method in ("share", "total", "mean")

    @property
    def is_amount(self) -> bool:
        return self.indicator.params.get("measure") == "amount"

    @property
    def measured(self) -> int | None:
        """How many contracts (or periods of hours) the figure was measured on, unknowns included."""
        if self.value is None:
            return None
        details = self.value.details or {}
        if self.indicator.method == "mean":
            return details.get("contrats")
        for key in ("contrats_mesures", "contrats", "periodes"):
            if key in details:
                return details[key]
        return None

    @property
    def unknown_share(self) -> Decimal | None:
        """Unknowns among what was measured (%), shown beside the rate; None when nothing was measured."""
        measured = self.measured
        if not measured or self.value is None or not self.counts_contracts:
            return None
        return Decimal(self.value.unknown) * 100 / Decimal(measured)

    @property
    def previous_number(self) -> Decimal | None:
        return self.previous.value if self.previous is not None else None

    @property
    def difference(self) -> Decimal | None:
        """Change since the same period last year, in the indicator's unit (points for a rate)."""
        if self.number is None or self.previous_number is None:
            return None
        return self.number - self.previous_number

    @property
    def short_label(self) -> str:
        return f"{self.indicator.code} — {self.indicator.name}"


def _scheme_indicators(scheme: Scheme, **filters):
    return (
        scheme.indicators()
        .filter(**filters)
        .select_related("commitment__axis__scheme", "owner_direction")
        .prefetch_related("targets")
    )


def figures_for(
    *, scheme: Scheme, period: Period, scope: str = ORGANISATION_SCOPE, indicators=None
) -> list[Figure]:
    """The figure of each indicator (all the scheme's by default, in register order) for `period` and
    `scope`. Three queries: the indicators, their targets, and the values of the period's kind over every
    year (for last year's comparison and the trend)."""
    indicators = list(indicators if indicators is not None else _scheme_indicators(scheme))
    values = IndicatorValue.objects.filter(indicator__in=indicators, scope=scope, period=period.key)
    return _figures(scheme, period, scope, indicators, values)


def live_figures(*, scheme: Scheme, period: Period, today: date | None = None) -> list[Figure]:
    """The organisation's figure of each scheme indicator for `period` and the same period last year,
    **computed now from the data** (manual indicators: their stored values), whatever periods the stored
    values cover — for a meeting pack built for any date (spaser/governance). Same Figures as figures_for."""
    from .engine import compute_scheme
    from .scopes import organisation_scopes

    indicators = list(_scheme_indicators(scheme))
    organisation_scope = organisation_scopes(scheme.organisation, mutualised=False)[0]
    computed = compute_scheme(
        indicators=[indicator for indicator in indicators if not indicator.is_manual],
        scopes=[organisation_scope],
        years=[period.year - 1, period.year],
        scheme=scheme,
        today=today,
        periods=lambda _indicator, year, _today: [Period(year, period.key)],
    )
    values = [
        IndicatorValue(
            indicator=figure.indicator,
            year=figure.year,
            period=period.key,
            scope=ORGANISATION_SCOPE,
            value=figure.result.value,
            numerator=figure.result.numerator,
            denominator=figure.result.denominator,
            unknown=figure.result.unknown,
            details=figure.result.details,
            perimeter=figure.perimeter,
            data_date=figure.data_date,
            method_version=figure.result.method_version,
        )
        for figure in computed
    ]
    values += IndicatorValue.objects.filter(
        indicator__in=[indicator for indicator in indicators if indicator.is_manual],
        scope=ORGANISATION_SCOPE,
        period=period.key,
    )
    return _figures(scheme, period, ORGANISATION_SCOPE, indicators, values)


def _figures(scheme: Scheme, period: Period, scope: str, indicators, values) -> list[Figure]:
    by_indicator: dict[int, dict[int, IndicatorValue]] = defaultdict(dict)
    for value in values:
        by_indicator[value.indicator_id][value.year] = value
    years = sorted(set(scheme.years) | {v.year for years in by_indicator.values() for v in years.values()})
    years = [year for year in years if year <= max(period.year, scheme.period_start)]
    figures = []
    for indicator in indicators:
        mine = by_indicator.get(indicator.pk, {})
        targets = {target.year: target.value for target in indicator.targets.all()}
        target = period_target(indicator, period, targets)
        value = mine.get(period.year)
        number = value.value if value is not None else None
        figures.append(
            Figure(
                indicator=indicator,
                period=period,
                scope=scope,
                value=value,
                target=target,
                status=scheme_status(number, target.value if target else None, indicator),
                national=NATIONAL_TARGETS.get(indicator.code),
                previous=mine.get(period.year - 1),
                trend=[TrendPoint(Period(year, period.key), mine.get(year)) for year in years],
            )
        )
    return figures


def headline(figures: list[Figure]) -> list[Figure]:
    """The headline figures (domain.md §6), in the order of the headline set, then by code."""
    ranked = [(headline_rank(f.code), f.code, f) for f in figures]
    return [f for rank, _code, f in sorted((r for r in ranked if r[0] is not None), key=lambda r: r[:2])]


@dataclass(frozen=True)
class CommitmentFigures:
    commitment: Commitment
    figures: list[Figure]


@dataclass(frozen=True)
class AxisFigures:
    axis: Axis
    commitments: list[CommitmentFigures]


def by_axis(figures: list[Figure]) -> list[AxisFigures]:
    """The figures grouped axis › commitment, in register order (the figures' own order)."""
    axes: dict[int, tuple[Axis, dict[int, CommitmentFigures]]] = {}
    for figure in figures:
        commitment = figure.indicator.commitment
        axis = commitment.axis
        _axis, commitments = axes.setdefault(axis.pk, (axis, {}))
        group = commitments.setdefault(commitment.pk, CommitmentFigures(commitment, []))
        group.figures.append(figure)
    return [AxisFigures(axis, list(commitments.values())) for axis, commitments in axes.values()]


def available_periods(scheme: Scheme) -> list[Period]:
    """Every period with at least one stored value of the scheme, latest year first (one query)."""
    pairs = (
        IndicatorValue.objects.filter(indicator__commitment__axis__scheme=scheme)
        .values_list("year", "period")
        .distinct()
        .order_by()
    )
    periods = {Period(year, key) for year, key in pairs}
    return sorted(periods, key=lambda p: (-p.year, _KIND_ORDER[p.key[0]], p.key))


def default_period(scheme: Scheme) -> Period | None:
    """The latest year whose organisation values have something measured behind them; else the latest
    computed year; None before any computation."""
    values = IndicatorValue.objects.filter(
        indicator__commitment__axis__scheme=scheme, scope=ORGANISATION_SCOPE, period="A"
    )
    year = values.filter(denominator__gt=0).order_by("-year").values_list("year", flat=True).first()
    year = year or values.order_by("-year").values_list("year", flat=True).first()
    return Period(year) if year else None


@dataclass(frozen=True)
class DirectionCell:
    indicator: Indicator
    value: IndicatorValue | None


@dataclass(frozen=True)
class DirectionRow:
    direction: object  # organisations.Direction
    scope: str
    cells: list[DirectionCell]
    contracts: int  # contracts attributed to the direction in the period (from the values' details)

    @property
    def has_values(self) -> bool:
        return any(cell.value is not None and cell.value.value is not None for cell in self.cells)


def direction_rows(*, indicators: list[Indicator], directions, period: Period) -> list[DirectionRow]:
    """For each direction, the stored values of `indicators` (the headline set) in the period: one query."""
    directions = list(directions)
    scopes = {f"direction:{d.slug}": d for d in directions}
    values = IndicatorValue.objects.for_period(period).filter(indicator__in=indicators, scope__in=scopes)
    found = {(v.scope, v.indicator_id): v for v in values}
    rows = []
    for scope, direction in scopes.items():
        cells = [DirectionCell(indicator, found.get((scope, indicator.pk))) for indicator in indicators]
        contracts = max(
            ((c.value.details or {}).get("contrats", 0) for c in cells if c.value is not None), default=0
        )
        rows.append(DirectionRow(direction, scope, cells, contracts))
    return rows


def scope_has_values(*, scheme: Scheme, period: Period, scope: str) -> bool:
    return (
        IndicatorValue.objects.for_period(period)
        .filter(indicator__commitment__axis__scheme=scheme, scope=scope)
        .exists()
    )
