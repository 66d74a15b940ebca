"""The indicator engine: one code path per method, shared by the dashboard, the CLI and (later) the report,
the API and the observatory.

A computation takes a method key, its parameters and the contracts of a perimeter, and returns the counts
behind the figure; it never rounds before dividing (rates come from counts, domain.md engineering habits).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from spaser.contracts.models import ContractKind

from .methods import CONTRACT_FLAGS as METHOD_CONDITIONS
from .methods import METHODS

HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Result:
    """A computed figure and its provenance counts. `value` is None when the denominator is 0."""

    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    unknown: int
    method_version: str
    details: dict = field(default_factory=dict)


class NotComputable(Exception):
    """The indicator is entered by people, or its method is not implemented: "pas de données", never 0."""


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(PERCENT_PLACES)


def _money(amount: Decimal | None) -> str:
    """Amounts in details as fixed 2-decimal strings: identical on SQLite and PostgreSQL."""
    return f"{amount or 0:.2f}"


def _share(params: dict, contracts: QuerySet) -> Result:
    """Share of contracts (concessions counted apart, domain.md §5 rule 1) meeting a tri-state condition.

    In number: n(condition) / n(all). In value: Σ initial amount(condition) / Σ initial amount(all), over
    contracts with a usable amount; framework agreements are left out unless `include_frameworks`, because
    their amount is a maximum or an estimate, never spend (§5 rule 3). Unknown (None) is never counted as no.

    `classify_contract` below applies exactly these rules to one contract (contract pages explain where a
    contract counts): any change here must be made there too; a test sums it over a perimeter and compares.
    """
    flag = params["condition"]
    base = contracts.filter(kind=ContractKind.MARCHE)
    yes, unknown = Q(**{flag: True}), Q(**{f"{flag}__isnull": True})
    totals = base.aggregate(
        contracts=Count("pk"),
        frameworks=Count("pk", filter=Q(is_framework=True)),
        frameworks_amount=Sum("amount", filter=Q(is_framework=True)),
        no_amount=Count("pk", filter=Q(amount__isnull=True)),
    )
    details = {
        "contrats": totals["contracts"],
        "accords_cadres": totals["frameworks"],
        "montant_accords_cadres": _money(totals["frameworks_amount"]),
        "sans_montant": totals["no_amount"],
    }
    if params["measure"] == "count":
        agg = base.aggregate(n=Count("pk"), yes=Count("pk", filter=yes), unknown=Count("pk", filter=unknown))
        numerator, denominator = Decimal(agg["yes"]), Decimal(agg["n"])
    else:
        measured = base.filter(amount__isnull=False)
        if not params.get("include_frameworks", False):
            measured = measured.filter(is_framework=False)
        agg = measured.aggregate(
            n=Count("pk"),
            total=Sum("amount"),
            yes=Sum("amount", filter=yes),
            unknown=Count("pk", filter=unknown),
            unknown_amount=Sum("amount", filter=unknown),
        )
        numerator, denominator = agg["yes"] or Decimal(0), agg["total"] or Decimal(0)
        details |= {"contrats_mesures": agg["n"], "montant_inconnu": _money(agg["unknown_amount"])}
    details["inconnus"] = agg["unknown"]
    return Result(
        value=percent(numerator, denominator),
        numerator=numerator,
        denominator=denominator,
        unknown=agg["unknown"],
        method_version=METHODS["share"].version,
        details=details,
    )


@dataclass(frozen=True)
class Classification:
    """Where one contract counts in one figure: its weight in the numerator and the denominator (1 or its
    amount), whether it is an unknown, and in words why. `status` is "numerator" (counted as meeting the
    condition), "denominator" (counted, does not meet it), "unknown" (counted in the denominator, condition
    not known) or "excluded" (left out of the figure, `reason` says why)."""

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
ZERO = Decimal(0)


def classify_contract(method: str, params: dict, contract) -> Classification:
    """Where `contract` counts in the figure `compute(method, params, …)` would give over a perimeter
    holding it, by exactly the rules of `_share` (concessions apart; in value, no usable amount or a
    framework agreement left out unless `include_frameworks`; unknown never counted as no). Summing the
    classifications over a perimeter gives the engine's numerator, denominator and unknown count.
    The perimeter and year are the caller's business, as for `compute`."""
    if method not in COMPUTATIONS:
        raise NotComputable(method)
    METHODS[method].validate(params)
    if contract.kind != ContractKind.MARCHE:
        return Classification("excluded", ZERO, ZERO, 0, "Contrat de concession : compté à part.")
    flag = getattr(contract, params["condition"])
    if params["measure"] == "count":
        weight = Decimal(1)
    else:
        if contract.amount is None:
            return Classification(
                "excluded", ZERO, ZERO, 0, "Pas de montant utilisable : hors des parts en valeur."
            )
        if contract.is_framework and not params.get("include_frameworks", False):
            return Classification(
                "excluded",
                ZERO,
                ZERO,
                0,
                "Accord-cadre : son montant est un maximum, pas une dépense ; hors des parts en valeur.",
            )
        weight = contract.amount
    condition = METHOD_CONDITIONS.get(params["condition"], params["condition"])
    if flag is None:
        reason = f"Non renseigné dans la source : {condition} (jamais compté comme non)."
        return Classification("unknown", ZERO, weight, 1, reason)
    if flag:
        return Classification("numerator", weight, weight, 0, f"Condition remplie : {condition}.")
    return Classification("denominator", ZERO, weight, 0, f"Condition non remplie : {condition}.")


COMPUTATIONS = {"share": _share}


def compute(method: str, params: dict, contracts: QuerySet) -> Result:
    """Compute one figure over `contracts` (already restricted to the perimeter and period)."""
    if method not in COMPUTATIONS:
        raise NotComputable(method)
    METHODS[method].validate(params)
    return COMPUTATIONS[method](params, contracts)
