"""The indicator engine: one code path per method (plans.py), shared by the dashboards, the exports, the
command line and later the report, the API and the observatory.

- `compute(method, params, contracts)`: one figure over a queryset of contracts (a buyer, a drill-down).
- `compute_scheme(scheme, years)`: every computed indicator of a scheme, for every scope (organisation,
  buyers of a joint scheme, directions) and period (the year, the sub-periods of the indicator's frequency,
  the year to date), in a few grouped queries: the aggregates of all indicators are summed per month, per
  scope, by the database, then added up per period here (counts and sums are additive).
- `breakdown(...)`: one figure split by CPV division, procedure, nature or amount band.

A figure never rounds before dividing; a figure without data is None (« pas de données »), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from spaser.contracts.models import Contract
from spaser.registers.models import InsertionHours, InsertionParticipant

from .errors import InvalidParams, NotComputable
from .objects import COUNTABLES, shared_run
from .periods import Period, periods_of, year_to_date
from .plans import PARTS, ContractPlan, HoursPlan, ObjectsPlan, PeoplePlan, Plan, Sums, plan_for
from .results import Result
from .scopes import Scope

__all__ = [
    "BREAKDOWNS",
    "PARTS",
    "Classification",
    "ComputedFigure",
    "InvalidParams",
    "NotComputable",
    "Result",
    "breakdown",
    "classify_contract",
    "compute",
    "compute_scheme",
    "in_period",
]

PERIMETERS = {
    "contracts": (
        "Source : données essentielles de la commande publique (DECP) et registres internes importés ; "
        "unité : le marché (uid = SIRET de l'acheteur + identifiant), doublons fusionnés ; concessions "
        "comptées à part ; période : date de notification."
    ),
    "hours": (
        "Source : export du facilitateur des clauses d'insertion (heures par marché et par période) ; "
        "une période d'heures compte dans le mois de sa date de fin."
    ),
    "people": (
        "Source : export du facilitateur (participants, référence pseudonyme) ; une personne présente sur "
        "plusieurs marchés ou périodes compte une fois ; période : date de fin de la période d'heures."
    ),
}


def compute(method: str, params: dict, contracts: QuerySet, period: Period | None = None) -> Result:
    """One figure over `contracts` (a perimeter), for `period` when given: contracts notified in it, hours
    and people of the periods of hours ending in it. The straightforward path: one query per figure."""
    plan = plan_for(method, params)
    if isinstance(plan, ContractPlan | HoursPlan):
        sums = Sums()
        plan.request(sums)
        rows = in_period(_source_rows(plan.source, contracts), plan.source, period)
        totals = rows.aggregate(**sums.expressions) if sums.expressions else {}
        return plan.finish(totals.get)
    if isinstance(plan, PeoplePlan):
        people = in_period(InsertionParticipant.objects.filter(contract__in=contracts), "people", period)
        return plan.count(list(people.values_list("person_ref", "gender", "resident")))
    raise NotComputable("se calcule sur les objets d'un schéma, pas sur une liste de marchés")


def in_period(rows: QuerySet, source: str, period: Period | None) -> QuerySet:
    """Rows of a source (contracts, hours, people) that fall in `period` (all of them when None)."""
    if period is None:
        return rows
    months = list(period.months)
    if source == "contracts":
        return rows.filter(notification_year=period.year, notification_date__month__in=months)
    end = "period_end" if source == "hours" else "period__period_end"
    return rows.filter(**{f"{end}__year": period.year, f"{end}__month__in": months})


def _source_rows(source: str, contracts: QuerySet) -> QuerySet:
    if source == "contracts":
        return contracts
    return InsertionHours.objects.filter(contract__in=contracts)


# -- a whole scheme, in grouped queries ------------------------------------------------------------------


@dataclass(frozen=True)
class ComputedFigure:
    indicator: Any  # schemes.Indicator
    period: Period
    scope: Scope
    result: Result
    data_date: date | None
    source: str

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def perimeter(self) -> str:
        if self.source == "objects":
            countable = COUNTABLES[self.indicator.params["object"]]
            return f"{self.scope.description} ; {countable.perimeter} ; période : {self.period.label}."
        which = {
            "contracts": "notifiés",
            "hours": "heures des périodes finissant",
            "people": "personnes des périodes finissant",
        }[self.source]
        return f"{self.scope.description}, {which} {self.period.phrase}. {PERIMETERS[self.source]}"


@dataclass(frozen=True)
class _Grouping:
    """How the rows of a source are found for a scheme, and grouped per month and scope."""

    rows: QuerySet
    year: Any
    month: Any
    direction: str
    buyer: str
    newest: Any


def _groupings(organisation) -> dict[str, _Grouping]:
    contracts = Contract.objects.for_organisation(organisation)
    hours = InsertionHours.objects.filter(organisation.buyer_filter("contract__buyer_siret"))
    return {
        "contracts": _Grouping(
            contracts.exclude(notification_date=None),
            "notification_year",
            ExtractMonth("notification_date"),
            "direction_id",
            "buyer_siret",
            Max("updated_at"),
        ),
        "hours": _Grouping(
            hours,
            ExtractYear("period_end"),
            ExtractMonth("period_end"),
            "contract__direction_id",
            "contract__buyer_siret",
            Max("contract__updated_at"),
        ),
    }


class _MonthlySums:
    """Per scope, per (year, month): the sums of a source's aggregates, as the database added them up."""

    def __init__(self):
        self.months: dict[str, dict[tuple[int, int], dict[str, Any]]] = defaultdict(dict)

    def add(self, scope_key: str, year: int, month: int, row: dict[str, Any]) -> None:
        current = self.months[scope_key].get((year, month))
        if current is None:
            self.months[scope_key][(year, month)] = dict(row)
            return
        for alias, value in row.items():
            if value is None:
                continue
            if alias == "newest":
                current[alias] = max(current[alias], value) if current[alias] else value
            else:
                current[alias] = value if current[alias] is None else current[alias] + value

    def period(self, scope_key: str, period: Period) -> tuple[dict[str, Any], date | None]:
        total: dict[str, Any] = {}
        newest = None
        months = self.months.get(scope_key, {})
        for month in period.months:
            row = months.get((period.year, month))
            if row is None:
                continue
            for alias, value in row.items():
                if alias == "newest":
                    newest = value if newest is None or (value and value > newest) else newest
                elif value is not None:
                    total[alias] = value if total.get(alias) is None else total[alias] + value
        return total, (newest.date() if hasattr(newest, "date") else newest)


def _monthly_sums(grouping: _Grouping, sums: Sums, scopes: list[Scope], years: list[int]) -> _MonthlySums:
    monthly = _MonthlySums()
    rows = grouping.rows.annotate(y=_expression(grouping.year), m=grouping.month).filter(y__in=years)
    aggregates = {**sums.expressions, "newest": grouping.newest}
    # One pass per direction and month; the organisation's months are their sums (every row of the perimeter
    # has one direction or none), which the database would otherwise compute in a second full pass.
    by_direction = {scope.direction.pk: scope.key for scope in scopes if scope.kind == "direction"}
    for row in rows.values("y", "m", d=_expression(grouping.direction)).annotate(**aggregates).order_by():
        key = by_direction.get(row.pop("d"))
        year, month = row.pop("y"), row.pop("m")
        monthly.add("organisation", year, month, row)
        if key:
            monthly.add(key, year, month, row)
    buyers = [(scope.buyer, scope.key) for scope in scopes if scope.kind == "buyer"]
    if buyers:
        for row in rows.values("y", "m", b=_expression(grouping.buyer)).annotate(**aggregates).order_by():
            siret, year, month = row.pop("b"), row.pop("y"), row.pop("m")
            for identifier, key in buyers:
                if siret and siret.startswith(identifier):
                    monthly.add(key, year, month, row)
    return monthly


def _expression(value: Any) -> Any:
    return F(value) if isinstance(value, str) else value


def scheme_periods(indicator, year: int, today: date) -> list[Period]:
    """The periods an indicator is followed on in a year: the year, its frequency's sub-periods up to
    today, and for the current year the year to date (January to the current month)."""
    periods = [p for p in periods_of(year, indicator.frequency) if date(p.year, p.months[0], 1) <= today]
    if year == today.year and today.month < 12:
        periods.append(year_to_date(year, today.month))
    return periods


PeriodChoice = Callable[[Any, int, date], list[Period]]  # (indicator, year, today) → periods to compute


def compute_scheme(
    *,
    indicators: Iterable,
    scopes: list[Scope],
    years: list[int],
    scheme=None,
    today: date | None = None,
    periods: PeriodChoice = scheme_periods,
) -> list[ComputedFigure]:
    """Every figure of `indicators` for every scope and period of `years` (see the module docstring).
    An indicator whose definition cannot be computed (manual, invalid) is left out: « pas de données ».
    `periods` chooses the periods of each indicator and year (by default those it is followed on)."""
    today = today or timezone.localdate()
    plans: list[tuple[Any, Plan]] = []
    for indicator in indicators:
        try:
            plans.append((indicator, plan_for(indicator.method, indicator.params)))
        except (NotComputable, InvalidParams):
            continue
    if not plans or not scopes or not years:
        return []
    organisation = scopes[0].organisation
    groupings = _groupings(organisation)
    figures: list[ComputedFigure] = []
    for source in ("contracts", "hours"):
        sourced = [(indicator, plan) for indicator, plan in plans if plan.source == source]
        if not sourced:
            continue
        sums = Sums()
        for _indicator, plan in sourced:
            plan.request(sums)
        monthly = _monthly_sums(groupings[source], sums, scopes, years)
        for scope in scopes:
            for year in years:
                for indicator, plan in sourced:
                    for period in periods(indicator, year, today):
                        totals, newest = monthly.period(scope.key, period)
                        result = plan.finish(totals.get)
                        figures.append(ComputedFigure(indicator, period, scope, result, newest, source))
    figures += _people_figures(plans, scopes, years, organisation, today, periods)
    figures += _object_figures(plans, scopes, years, scheme, today, periods)
    return figures


def _people_figures(plans, scopes, years, organisation, today, periods) -> list[ComputedFigure]:
    people_plans = [(indicator, plan) for indicator, plan in plans if isinstance(plan, PeoplePlan)]
    if not people_plans:
        return []
    rows = (
        InsertionParticipant.objects.filter(organisation.buyer_filter("contract__buyer_siret"))
        .filter(period__period_end__year__in=years)
        .values_list(
            "person_ref",
            "gender",
            "resident",
            "period__period_end",
            "contract__direction_id",
            "contract__buyer_siret",
            "contract__updated_at",
        )
    )
    rows = list(rows)
    figures = []
    for scope in scopes:
        mine = [row for row in rows if scope.holds(direction_id=row[4], buyer_siret=row[5])]
        for year in years:
            for indicator, plan in people_plans:
                for period in periods(indicator, year, today):
                    inside = [r for r in mine if r[3].year == year and r[3].month in period.months]
                    newest = max((r[6] for r in inside), default=None)
                    result = plan.count([(r[0], r[1], r[2]) for r in inside])
                    figures.append(
                        ComputedFigure(indicator, period, scope, result, newest and newest.date(), "people")
                    )
    return figures


def _object_figures(plans, scopes, years, scheme, today, periods) -> list[ComputedFigure]:
    object_plans = [(indicator, plan) for indicator, plan in plans if isinstance(plan, ObjectsPlan)]
    if not object_plans or scheme is None:
        return []
    figures = []
    with shared_run():
        for scope in scopes:
            if scope.kind == "buyer":
                continue  # the plan's objects belong to the organisation and its directions, not to a buyer
            for year in years:
                for indicator, plan in object_plans:
                    countable = COUNTABLES[plan.params["object"]]
                    for period in periods(indicator, year, today):
                        result = countable.compute(scheme, scope.direction, period, plan.params["measure"])
                        figures.append(ComputedFigure(indicator, period, scope, result, today, "objects"))
    return figures


# -- breakdowns ------------------------------------------------------------------------------------------

# Amount bands: the 40 k€ publication threshold and the 2024-2025 EU thresholds of local authorities
# (221 000 € supplies and services, 5 538 000 € works).
AMOUNT_BANDS = [
    ("< 40 000 €", None, Decimal(40_000)),
    ("40 000 à 220 999 €", Decimal(40_000), Decimal(221_000)),
    ("221 000 à 5 537 999 €", Decimal(221_000), Decimal(5_538_000)),
    ("5 538 000 € et plus", Decimal(5_538_000), None),
]
BREAKDOWNS = {
    "cpv": "division CPV",
    "procedure": "procédure",
    "nature": "nature",
    "amount_band": "tranche de montant",
}


def _amount_band() -> Case:
    whens = []
    for label, low, high in AMOUNT_BANDS:
        condition = Q()
        if low is not None:
            condition &= Q(amount__gte=low)
        if high is not None:
            condition &= Q(amount__lt=high)
        whens.append(When(condition, then=Value(label)))
    return Case(*whens, default=Value("montant inconnu"), output_field=CharField())


def breakdown(method: str, params: dict, contracts: QuerySet, dimension: str) -> list[tuple[str, Result]]:
    """The figure split by `dimension` (BREAKDOWNS), largest denominators first."""
    if dimension not in BREAKDOWNS:
        raise ValueError(f"Ventilation inconnue : « {dimension} ».")
    plan = plan_for(method, params)
    if not isinstance(plan, ContractPlan):
        raise NotComputable("seuls les indicateurs calculés sur les marchés se ventilent")
    sums = Sums()
    plan.request(sums)
    group = {"cpv": "cpv_division", "procedure": "procedure", "nature": "nature"}.get(dimension)
    rows = contracts.annotate(dim=_amount_band() if group is None else _expression(group))
    results = []
    for row in rows.values("dim").annotate(**sums.expressions).order_by():
        label = row.pop("dim") or "non renseigné"
        results.append((label, plan.finish(row.get)))
    results.sort(key=lambda item: (-item[1].denominator, item[0]))
    return results


# -- one contract ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    """Where one contract counts in one figure: its weight in the numerator and the denominator (1 or its
    amount), whether it is an unknown, and in words why. `status` is "numerator", "denominator",
    "unknown" or "excluded" (left out, `reason` says why)."""

    status: str
    numerator: Decimal
    denominator: Decimal
    unknown: int
    reason: str

    @property
    def label(self) -> str:
        return CLASSIFICATION_LABELS[self.status]


CLASSIFICATION_LABELS = {
    "numerator": "Au numérateur",
    "denominator": "Au dénominateur seulement",
    "unknown": "Inconnu (compté au dénominateur)",
    "excluded": "Hors du calcul",
}


def classify_contract(method: str, params: dict, contract) -> Classification:
    """Where `contract` counts in the figure `compute(method, params, …)` gives over a perimeter holding
    it: the same rules (plans.ContractPlan.classify). Summing over a perimeter gives the engine's numerator,
    denominator and unknown count (tested). The perimeter and period are the caller's business."""
    plan = plan_for(method, params)
    if not isinstance(plan, ContractPlan):
        raise NotComputable("ne se calcule pas marché par marché")
    return Classification(*plan.classify(contract))
