"""The contracts behind a figure (drill-down): for a part of the figure (numerator, denominator, unknowns,
left out), exactly the contracts the engine counted, from the plan's own Q objects
(`plan_for(...).contracts(in_period(scope.contracts, "contracts", period), part)`), each with its weight in
the figure (1 contract, or its amount, or the value averaged) and the total, which equals the stored
numerator or denominator when the data did not change since the computation.

Insertion-hours indicators are counted per period of hours, not per contract: their list is the contracts
whose hours count in the period, with their hours. People and Spaser's own objects have no contract list.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)

from spaser.registers.models import InsertionHours

from .engine import in_period
from .errors import InvalidParams, NotComputable
from .models import IndicatorValue
from .periods import Period
from .plans import PARTS, ContractPlan, HoursPlan, Plan, plan_for
from .scopes import Scope

SORTS = {"uid": "uid", "objet": "object", "date": "notification_date", "poids": "weight"}
DEFAULT_SORT = "-date"
DESCENDING_FIRST = {"date", "poids"}
NOT_PER_CONTRACT = {
    "people": (
        "Cet indicateur compte des personnes distinctes (export du facilitateur), pas des marchés : une "
        "personne présente sur plusieurs marchés compte une fois. Il n'a pas de liste de marchés."
    ),
    "objects": (
        "Cet indicateur compte des objets suivis dans Spaser (actions du plan…), pas des marchés : il n'a "
        "pas de liste de marchés."
    ),
    "manual": "Cet indicateur est saisi par les directions : sa valeur ne se compte pas marché par marché.",
}


@dataclass(frozen=True)
class DrillDown:
    """A part of one figure, as a list of contracts (`rows`, annotated with `weight`)."""

    indicator: object
    scope: Scope
    period: Period
    part: str
    plan: Plan | None
    rows: QuerySet | None  # None: the figure is not counted contract by contract (`reason`)
    reason: str
    stored: IndicatorValue | None

    @property
    def kind(self) -> str:
        if self.rows is None:
            return "none"
        return "hours" if isinstance(self.plan, HoursPlan) else "contracts"

    @property
    def weighted(self) -> bool:
        """The weight is a number of its own (an amount, a mean's values), not 1 per contract."""
        return self.weight_field is not None

    @property
    def weight_field(self) -> str | None:
        plan = self.plan
        if not isinstance(plan, ContractPlan):
            return None
        if plan.method == "mean":
            return plan.field if self.part == "numerator" else None
        if plan.by_amount and self.part in ("numerator", "denominator", "unknown"):
            return plan.field
        return None

    @property
    def scale(self) -> Decimal:
        """A mean of a rate stored as a fraction counts it in percent, as the figure does (`plan.scale`)."""
        plan = self.plan
        return plan.scale if isinstance(plan, ContractPlan) and plan.method == "mean" else Decimal(1)

    @property
    def weight_label(self) -> str:
        plan = self.plan
        if isinstance(plan, ContractPlan) and self.weighted:
            if plan.method == "mean":
                return "Valeur comptée dans la moyenne"
            return "Montant compté (€ HT)"
        return "Poids"

    @property
    def expected(self) -> Decimal | None:
        """What the total should equal: the stored numerator, denominator or unknown count."""
        if self.stored is None:
            return None
        return {
            "numerator": self.stored.numerator,
            "denominator": self.stored.denominator,
            "unknown": Decimal(self.stored.unknown) if not self.weighted else None,
        }.get(self.part)

    def totals(self) -> dict[str, Decimal | int]:
        """Count and total weight of the whole list, in one query."""
        if self.kind == "contracts":
            field = self.weight_field
            summed = {"weight": Sum(field)} if field else {}
            totals = self.rows.aggregate(contracts=Count("pk"), **summed)
            weight = (totals["weight"] or Decimal(0)) * self.scale if field else Decimal(totals["contracts"])
            return {"contracts": totals["contracts"], "weight": weight}
        if self.kind == "hours":
            hours = _hours(self.scope, self.period)
            both = hours.filter(hours_planned__isnull=False, hours_realised__isnull=False)
            totals = hours.aggregate(
                periods=Count("pk"), planned=Sum("hours_planned"), realised=Sum("hours_realised")
            )
            known = both.aggregate(planned=Sum("hours_planned"), realised=Sum("hours_realised"))
            return {
                "contracts": self.rows.count(),
                "periods": totals["periods"],
                "planned": totals["planned"] or Decimal(0),
                "realised": totals["realised"] or Decimal(0),
                "both_planned": known["planned"] or Decimal(0),
                "both_realised": known["realised"] or Decimal(0),
            }
        return {}


def _hours(scope: Scope, period: Period) -> QuerySet:
    return in_period(InsertionHours.objects.filter(contract__in=scope.contracts), "hours", period)


def _hours_sum(field: str, period: Period) -> Subquery:
    """The hours of a contract in the period (the rows `in_period` keeps), as a subquery per contract."""
    rows = in_period(InsertionHours.objects.filter(contract=OuterRef("pk")), "hours", period)
    summed = rows.order_by().values("contract").annotate(total=Sum(field)).values("total")
    return Subquery(summed, output_field=DecimalField(max_digits=20, decimal_places=2))


def drilldown(*, indicator, scope: Scope, period: Period, part: str) -> DrillDown:
    """The contracts behind `part` of the indicator's figure for `scope` and `period`."""
    if part not in PARTS:
        raise ValueError(part)
    stored = IndicatorValue.objects.for_period(period).filter(indicator=indicator, scope=scope.key).first()
    try:
        plan = plan_for(indicator.method, indicator.params)
    except (NotComputable, InvalidParams):
        reason = NOT_PER_CONTRACT["manual"] if indicator.is_manual else (
            "La définition de cet indicateur ne peut pas être calculée : il n'a pas de liste de marchés."
        )  # fmt: skip
        return DrillDown(indicator, scope, period, part, None, None, reason, stored)
    if isinstance(plan, ContractPlan):
        contracts = plan.contracts(in_period(scope.contracts, "contracts", period), part)
        # In every part where a weight field is read, the plan already required it to be filled in.
        drill = DrillDown(indicator, scope, period, part, plan, contracts, "", stored)
        field = drill.weight_field
        if field is None:
            weight = Value(1, IntegerField())
        elif drill.scale == 1:
            weight = F(field)
        else:
            weight = ExpressionWrapper(
                F(field) * drill.scale, output_field=DecimalField(max_digits=20, decimal_places=4)
            )
        rows = contracts.annotate(weight=weight)
        return DrillDown(indicator, scope, period, part, plan, rows, "", stored)
    if isinstance(plan, HoursPlan):
        hours = _hours(scope, period)
        rows = scope.contracts.filter(pk__in=hours.values("contract_id")).annotate(
            planned=_hours_sum("hours_planned", period),
            realised=_hours_sum("hours_realised", period),
            weight=_hours_sum("hours_realised", period),
        )
        reason = (
            "Les heures d'insertion se comptent par période d'heures (export du facilitateur), pas par "
            "marché : voici les marchés dont des heures comptent dans la période, avec leurs heures."
        )
        return DrillDown(indicator, scope, period, part, plan, rows, reason, stored)
    return DrillDown(indicator, scope, period, part, plan, None, NOT_PER_CONTRACT[plan.source], stored)


def sorted_rows(rows: QuerySet, sort: str) -> QuerySet:
    descending = sort.startswith("-")
    field = SORTS.get(sort.lstrip("-"), "notification_date")
    order = f"-{field}" if descending else field
    return rows.order_by(order, "uid")


def page_rows(rows: Iterable, plan: Plan | None) -> list[tuple[object, str]]:
    """Each contract of a page with, in words, why it counts where it does (the plan's own rules)."""
    if not isinstance(plan, ContractPlan):
        return [(contract, "") for contract in rows]
    return [(contract, plan.classify(contract)[4]) for contract in rows]


def with_relations(rows: QuerySet) -> QuerySet:
    """What each row shows: its direction, and its suppliers (a supplier condition reads them)."""
    return rows.select_related("direction").prefetch_related("suppliers")


# -- CSV --------------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _money(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}".replace(".", ",")


def _number(value) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else f"{value}".replace(".", ",")


def csv_lines(drill: DrillDown, rows: QuerySet) -> Iterator[str]:
    """The list as CSV for a French spreadsheet: « ; », UTF-8 with BOM, decimal comma, French headers."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    if drill.kind == "hours":
        headers = ["Identifiant national (uid)", "Identifiant acheteur", "SIRET de l'acheteur", "Objet",
                   "Date de notification", "Direction", "Heures prévues dans la période",
                   "Heures réalisées dans la période"]  # fmt: skip
    else:
        headers = ["Identifiant national (uid)", "Identifiant acheteur", "SIRET de l'acheteur", "Objet",
                   "Date de notification", "Direction", "Accord-cadre", "Montant initial (€ HT)",
                   drill.weight_label, "Pourquoi"]  # fmt: skip
    yield "\ufeff" + writer.writerow(headers)
    for contract, reason in _chunks(rows, drill.plan):
        common = [
            contract.uid,
            contract.contract_id,
            contract.buyer_siret,
            contract.object,
            contract.notification_date.strftime("%d/%m/%Y") if contract.notification_date else "",
            contract.direction.name if contract.direction else "",
        ]
        if drill.kind == "hours":
            yield writer.writerow([*common, _number(contract.planned), _number(contract.realised)])
        else:
            weight = _money(contract.weight) if drill.weighted else _number(contract.weight)
            framework = "oui" if contract.is_framework else "non"
            yield writer.writerow([*common, framework, _money(contract.amount), weight, reason])


def _chunks(rows: QuerySet, plan: Plan | None, size: int = 2000) -> Iterator[tuple[object, str]]:
    batch = []
    for contract in with_relations(rows).iterator(chunk_size=size):
        batch.append(contract)
        if len(batch) == size:
            yield from page_rows(batch, plan)
            batch = []
    yield from page_rows(batch, plan)
