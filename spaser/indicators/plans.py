"""Plans: an indicator's method and parameters compiled into the aggregates it needs and the way to turn
their sums into a Result. Every figure goes through a plan, whatever computes it: one queryset
(`engine.compute`), the grouped pass over a whole scheme (`engine.compute_scheme`), a breakdown, and the
drill-down lists (`contracts`), which use the very Q objects the aggregates are filtered with.

Aggregates are additive (counts and sums), so the figure of a semester is the sum of its months' counts, and
the same aggregate asked by several indicators is computed once (`Sums`).

A contract plan's predicates (`in_base`, `measured`, `yes`, `unknown`) are `conditions.Pred`s: each renders to
a Q object (SQL, `Sums`) and to a polars expression (a frame of contracts, `frames.FrameSums`), from the same
construction; `finish(get)` turns either backend's sums into the Result. One set of counting rules.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet, Sum

from spaser.contracts.models import ContractKind

from .conditions import ALWAYS, Condition, Pred, compile_condition
from .errors import NotComputable
from .methods import METHODS
from .results import Result, money, percent

ZERO = Decimal(0)
# Fields stored as fractions but read as percentages (the DECP advance rate: 0.05 = 5 %).
PERCENT_FIELDS = {"advance_rate"}
Get = Callable[[str], Any]  # alias → summed value (None when nothing was summed)
# alias → (its sums as an exact integer column, decimal places): 1234.56 € summed → (123456, 2)
Fixed = Callable[[str], tuple[pl.Expr, int]]

# What a contract-based figure's parts are, for the drill-down lists.
PARTS = {
    "numerator": "au numérateur",
    "denominator": "au dénominateur",
    "unknown": "inconnus (comptés au dénominateur)",
    "excluded": "hors du calcul",
}


SUM_PLACES = Decimal("0.000001")


def _exact(total: Any) -> Any:
    """A sum as the data holds it: SQLite adds decimals in floating point (25.7500000000001), so the same sum
    taken in one query or month by month could differ far after the cents; six decimals is more than any
    column has."""
    if total is None:
        return 0
    if isinstance(total, Decimal | float):
        return Decimal(total).quantize(SUM_PLACES)
    return total


class Sums:
    """The aggregates of a query, each asked once whatever the number of plans asking for it."""

    def __init__(self):
        self.expressions: dict[str, Any] = {}
        self._aliases: dict[tuple, str] = {}

    def count(self, condition: Q | Pred) -> str:
        condition = _q(condition)
        return self._add(("count", condition), lambda: Count("pk", filter=condition))

    def sum(self, field: str, condition: Q | Pred) -> str:
        condition = _q(condition)
        return self._add(("sum", field, condition), lambda: Sum(field, filter=condition))

    def _add(self, key: tuple, make) -> str:
        alias = self._aliases.get(key)
        if alias is None:
            alias = self._aliases[key] = f"s{len(self._aliases)}"
            self.expressions[alias] = make()
        return alias


def _q(condition: Q | Pred) -> Q:
    return condition.q if isinstance(condition, Pred) else condition


class Plan:
    """A figure's computation. `source` names what it counts: "contracts", "hours", "people", "objects"."""

    source = "contracts"

    def __init__(self, method: str, params: dict):
        if method not in METHODS:
            raise NotComputable(f"méthode inconnue « {method} »")
        METHODS[method].validate(params)
        self.method, self.params, self.version = method, params, METHODS[method].version

    def request(self, sums: Sums) -> None:
        raise NotImplementedError

    def finish(self, get: Get) -> Result:
        raise NotImplementedError


class ContractPlan(Plan):
    """share, total and mean over contracts (concessions counted apart, domain.md §5 rule 1)."""

    def __init__(self, method: str, params: dict):
        super().__init__(method, params)
        self.base: Condition | None = compile_condition(params["base"], "base") if "base" in params else None
        in_base = Pred.equals("kind", ContractKind.MARCHE) & (self.base.is_yes if self.base else ALWAYS)
        self.in_base: Pred = in_base
        if method == "mean":
            self.field = params["field"]
            self.scale = Decimal(100) if self.field in PERCENT_FIELDS else Decimal(1)
            self.measured: Pred = in_base
            self.condition = None
            self.yes: Pred = in_base & Pred.not_null(self.field)
            self.unknown: Pred | None = in_base & Pred.is_null(self.field)
            return
        self.by_amount = params["measure"] == "amount"
        self.field = "current_amount" if params.get("amount") == "current" else "amount"
        measured = in_base
        if self.by_amount:
            measured &= Pred.not_null(self.field)
            if not params.get("include_frameworks", False):
                measured &= Pred.equals("is_framework", False)
        self.measured = measured
        self.condition = (
            compile_condition(params["condition"], "condition") if "condition" in params else None
        )
        self.yes = measured & self.condition.is_yes if self.condition else measured
        self.unknown = measured & self.condition.is_unknown if self.condition else None

    # -- aggregates ---------------------------------------------------------------------------------

    def request(self, sums) -> None:
        """Ask `sums` (a `Sums`, or a `frames.FrameSums`: the same interface) for the aggregates."""
        base, field = self.in_base, self.field
        frameworks = base & Pred.equals("is_framework", True)
        self.a = {
            "contracts": sums.count(base),
            "frameworks": sums.count(frameworks),
            "frameworks_amount": sums.sum("amount", frameworks),
            "no_amount": sums.count(base & Pred.is_null("amount")),
            "measured": sums.count(self.measured),
            "yes_count": sums.count(self.yes),
        }
        if self.unknown is not None:
            self.a["unknown"] = sums.count(self.unknown)
        if self.method == "mean":
            self.a["total"] = sums.sum(field, self.yes)
        elif self.by_amount:
            self.a["measured_amount"] = sums.sum(field, self.measured)
            self.a["yes_amount"] = sums.sum(field, self.yes)
            if self.unknown is not None:
                self.a["unknown_amount"] = sums.sum(field, self.unknown)

    def finish(self, get: Get) -> Result:
        def value(name: str) -> Any:
            return _exact(get(self.a[name])) if name in self.a else 0

        unknown = int(value("unknown"))
        details = {
            "contrats": int(value("contracts")),
            "accords_cadres": int(value("frameworks")),
            "montant_accords_cadres": money(value("frameworks_amount")),
            "sans_montant": int(value("no_amount")),
            "inconnus": unknown,
        }
        if self.method == "mean":
            numerator, denominator = Decimal(value("total")) * self.scale, Decimal(value("yes_count"))
            details["contrats_mesures"] = int(denominator)
            mean = (numerator / denominator).quantize(Decimal("0.0001")) if denominator else None
            return Result(mean, numerator, denominator, unknown, self.version, details)
        if self.by_amount:
            numerator, denominator = Decimal(value("yes_amount")), Decimal(value("measured_amount"))
            details |= {
                "contrats_mesures": int(value("measured")),
                "montant_inconnu": money(value("unknown_amount")),
            }
        else:
            numerator, denominator = Decimal(value("yes_count")), Decimal(value("measured"))
        if self.method == "share":
            return Result(
                percent(numerator, denominator), numerator, denominator, unknown, self.version, details
            )
        # total: the number or amount meeting the condition; none measured → no value
        total = numerator if value("measured") else None
        return Result(total, numerator, denominator, unknown, self.version, details)

    def finish_columns(self, fixed: Fixed) -> dict[str, pl.Expr]:
        """`finish` over columns (every group of a frame at once, frames.figures_frame): "value",
        "numerator", "denominator" (Float64) and "unknown" (Int64) from the sums as exact integers, rounded
        as `finish` rounds (half to even, 4 places). The same arithmetic as `finish`, line for line, without
        the details; a test holds both equal, ties included (tests/indicators/test_frames.py)."""

        def value(name: str) -> tuple[pl.Expr, int]:
            return fixed(self.a[name]) if name in self.a else (pl.lit(0, dtype=pl.Int128), 0)

        unknown = value("unknown")[0].cast(pl.Int64)
        if self.method == "mean":
            (total, places), (count, _) = value("total"), value("yes_count")
            numerator = total * int(self.scale)
            mean = _rounded_quotient(numerator, count * 10**places)
            return _figure(mean, numerator, places, count, 0, unknown)
        if self.by_amount:
            (numerator, places), (denominator, _) = value("yes_amount"), value("measured_amount")
            denominator_places = places
        else:
            (numerator, places), (denominator, denominator_places) = value("yes_count"), value("measured")
        if self.method == "share":
            share = _rounded_quotient(numerator * 100, denominator)
            return _figure(share, numerator, places, denominator, denominator_places, unknown)
        measured = value("measured")[0]
        total = pl.when(measured != 0).then(_as_float(numerator, places))
        return _figure(total, numerator, places, denominator, denominator_places, unknown)

    # -- drill-down ---------------------------------------------------------------------------------

    def contracts(self, contracts: QuerySet, part: str) -> QuerySet:
        """The contracts behind a part of the figure: "numerator", "denominator", "unknown", "excluded"."""
        if part == "numerator":
            return contracts.filter(self.yes.q)
        if part == "denominator":
            return contracts.filter(self.measured.q if self.method != "mean" else self.yes.q)
        if part == "unknown":
            return contracts.filter(self.unknown.q) if self.unknown is not None else contracts.none()
        if part == "excluded":
            return contracts.exclude(self.measured.q)
        raise ValueError(part)

    # -- one contract -------------------------------------------------------------------------------

    def classify(self, contract) -> tuple[str, Decimal, Decimal, int, str]:
        """(part, numerator weight, denominator weight, unknown, reason in French) for one contract, by the
        rules of the aggregates above (a test checks both agree on a whole perimeter)."""
        if contract.kind != ContractKind.MARCHE:
            return "excluded", ZERO, ZERO, 0, "Contrat de concession : compté à part."
        if self.base is not None and self.base.evaluate(contract) is not True:
            return (
                "excluded",
                ZERO,
                ZERO,
                0,
                f"Hors du périmètre de l'indicateur (marchés avec {self.base.label}).",
            )
        if self.method == "mean":
            known = getattr(contract, self.field)
            if known is None:
                return "unknown", ZERO, ZERO, 1, "Donnée non renseignée : hors de la moyenne."
            return "numerator", Decimal(known) * self.scale, Decimal(1), 0, "Compté dans la moyenne."
        if self.by_amount:
            amount = getattr(contract, self.field)
            if amount is None:
                return "excluded", ZERO, ZERO, 0, "Pas de montant utilisable : hors des parts en valeur."
            if contract.is_framework and not self.params.get("include_frameworks", False):
                return (
                    "excluded",
                    ZERO,
                    ZERO,
                    0,
                    "Accord-cadre : son montant est un maximum, pas une dépense ; hors des parts en valeur.",
                )
            weight = Decimal(amount)
        else:
            weight = Decimal(1)
        if self.condition is None:
            return "numerator", weight, weight, 0, "Compté."
        met = self.condition.evaluate(contract)
        label = self.condition.label
        if met is None:
            return (
                "unknown",
                ZERO,
                weight,
                1,
                f"Non renseigné dans la source : {label} (jamais compté comme non).",
            )
        if met:
            return "numerator", weight, weight, 0, f"Condition remplie : {label}."
        return "denominator", ZERO, weight, 0, f"Condition non remplie : {label}."


def _rounded_quotient(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator to 4 decimals, half to even (as Decimal.quantize), null for a zero
    denominator — in integers, so that no float rounding moves a tie."""
    sign = numerator.sign() * denominator.sign()
    top, bottom = (numerator * 10_000).abs(), denominator.abs()
    quotient, rest = top // bottom, top % bottom
    up = (rest * 2 > bottom) | ((rest * 2 == bottom) & (quotient % 2 == 1))
    rounded = (quotient + up.cast(pl.Int128)) * sign
    return pl.when(bottom != 0).then(_as_float(rounded, 4))


def _as_float(integer: pl.Expr, places: int) -> pl.Expr:
    """integer / 10**places as the float nearest that decimal (as float(Decimal) gives): through its decimal
    text, because polars divides a column by a constant as a product by its inverse (29.166700000000002)."""
    if not places:
        return integer.cast(pl.Float64)
    digits = integer.abs().cast(pl.String).str.zfill(places + 1)
    sign = pl.when(integer < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    text = sign + digits.str.slice(0, digits.str.len_chars() - places) + "." + digits.str.slice(-places)
    return text.cast(pl.Float64)


def _figure(value, numerator, places, denominator, denominator_places, unknown) -> dict[str, pl.Expr]:
    return {
        "value": value,
        "numerator": _as_float(numerator, places),
        "denominator": _as_float(denominator, denominator_places),
        "unknown": unknown,
    }


class HoursPlan(Plan):
    """Insertion hours (facilitator's export): planned, realised, or realised / planned over the periods
    where both are known. A period of hours counts in the month of its end date."""

    source = "hours"

    def request(self, sums: Sums) -> None:
        both = Q(hours_planned__isnull=False, hours_realised__isnull=False)
        self.a = {
            "rows": sums.count(Q()),
            "planned": sums.sum("hours_planned", Q()),
            "realised": sums.sum("hours_realised", Q()),
            "no_planned": sums.count(Q(hours_planned__isnull=True)),
            "no_realised": sums.count(Q(hours_realised__isnull=True)),
            "both_planned": sums.sum("hours_planned", both),
            "both_realised": sums.sum("hours_realised", both),
        }

    def finish(self, get: Get) -> Result:
        def value(name: str) -> Decimal:
            return Decimal(_exact(get(self.a[name])))

        rows = int(value("rows"))
        details = {
            "periodes": rows,
            "heures_prevues": money(value("planned")),
            "heures_realisees": money(value("realised")),
            "sans_prevision": int(value("no_planned")),
            "sans_realisation": int(value("no_realised")),
        }
        measure = self.params["measure"]
        if measure == "rate":
            numerator, denominator = value("both_realised"), value("both_planned")
            unknown = int(value("no_planned")) + int(value("no_realised"))
            return Result(
                percent(numerator, denominator), numerator, denominator, unknown, self.version, details
            )
        total = value(measure)
        unknown = int(value("no_planned" if measure == "planned" else "no_realised"))
        return Result(total if rows else None, total, Decimal(rows), unknown, self.version, details)


class PeoplePlan(Plan):
    """Distinct people (the facilitator's pseudonymous reference) on insertion clauses: not additive over
    months, so counted from the participant rows of the period (`count`)."""

    source = "people"

    def count(self, rows: list[tuple[str, str, bool | None]]) -> Result:
        people: dict[str, tuple[str, bool | None]] = {}
        for person, gender, resident in rows:
            known_gender, known_resident = people.get(person, ("", None))
            people[person] = (gender or known_gender, resident if resident is not None else known_resident)
        total = len(people)
        women = sum(1 for gender, _resident in people.values() if gender == "F")
        residents = sum(1 for _gender, resident in people.values() if resident)
        unknown = {
            "all": 0,
            "women": sum(1 for gender, _r in people.values() if not gender),
            "residents": sum(1 for _g, resident in people.values() if resident is None),
        }[self.params["measure"]]
        number = {"all": total, "women": women, "residents": residents}[self.params["measure"]]
        details = {"personnes": total, "femmes": women, "residents": residents}
        value = Decimal(number) if total else None
        return Result(value, Decimal(number), Decimal(total), unknown, self.version, details)


class ObjectsPlan(Plan):
    source = "objects"


def plan_for(method: str, params: dict) -> Plan:
    """The plan of a definition; NotComputable for a manual indicator (its values are entered)."""
    if method == "manual":
        raise NotComputable("indicateur saisi par les directions (campagne de saisie)")
    cls = {"share": ContractPlan, "total": ContractPlan, "mean": ContractPlan, "hours": HoursPlan,
           "people": PeoplePlan, "objects": ObjectsPlan}.get(method)  # fmt: skip
    if cls is None:
        raise NotComputable(f"méthode inconnue « {method} »")
    return cls(method, params or {})
