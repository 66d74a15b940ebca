"""Reads for the contract pages: the perimeter filtered, searched and sorted from the URL, the counts of
unknowns, one contract with everything shown about it (including the indicators it counts in), and the
attribution rules with what each attributes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page
from django.db.models import Count, F, Q, QuerySet

from spaser.core.paging import id_array, page_of_ids, rows_in_order
from spaser.indicators.engine import Classification, NotComputable, classify_contract
from spaser.organisations.data_stamp import memo
from spaser.organisations.models import Organisation
from spaser.schemes.models import Indicator, Scheme

from .attribution import rule_contract_counts
from .cpv import cpv_match, division_label, full_code
from .forms import AMOUNT_BANDS, DEFAULT_SORT, SORTS, UNATTRIBUTED, UNKNOWN_YEAR
from .models import AttributionRule, Contract, ContractSupplier

TRI_STATE_FILTERS = {"sociale": "has_social", "environnementale": "has_environmental"}


def perimeter(organisation: Organisation) -> QuerySet:
    """The organisation's contracts. `for_organisation` reads the buyers once: keep this queryset and
    derive the others from it rather than calling it again."""
    return Contract.objects.for_organisation(organisation)


def filter_choices(*, organisation: Organisation, contracts: QuerySet) -> dict[str, list[tuple[str, str]]]:
    """The values present in the perimeter, for the filter form: the years, CPV divisions and procedures in
    one pass over the contracts (three DISTINCT passes cost 80 ms at 100 000 contracts), kept by the process
    until the organisation's data change (data_stamp.py); the directions read each time."""

    def present() -> tuple[list, list, list]:
        combinations = contracts.order_by().values_list("notification_year", "cpv_division", "procedure")
        years, divisions, procedures = set(), set(), set()
        for year, division, procedure in combinations.distinct():
            years.add(year)
            divisions.add(division)
            procedures.add(procedure)
        return sorted(years - {None}, reverse=True), sorted(divisions - {""}), sorted(procedures - {""})

    years, divisions, procedures = memo(organisation, "contract_filter_values", None, present)
    return {
        "annee": [(str(year), str(year)) for year in years],
        "direction": [(d.slug, d.name) for d in organisation.directions.all()],
        "cpv": [(code, f"{code} — {division_label(code) or 'division inconnue'}") for code in divisions],
        "procedure": [(name, name) for name in procedures],
    }


def _tri_state(value: str, field: str) -> Q:
    return {
        "oui": Q(**{field: True}),
        "non": Q(**{field: False}),
        "inconnu": Q(**{f"{field}__isnull": True}),
    }[value]


def search(contracts: QuerySet, text: str) -> QuerySet:
    """Object, uid, the buyer's id, a supplier's identifier (spaces ignored, as in « 552 100 554 00012 »)
    or name."""
    text = text.strip()
    compact = "".join(text.split())
    suppliers = ContractSupplier.objects.filter(
        Q(supplier__identifier__icontains=compact) | Q(supplier__name__icontains=text)
    ).values("contract_id")
    return contracts.filter(
        Q(object__icontains=text)
        | Q(uid__icontains=compact)
        | Q(contract_id__icontains=text)
        | Q(pk__in=suppliers)
    )


def filter_contracts(contracts: QuerySet, filters: dict[str, str]) -> QuerySet:
    """Apply the list filters (already validated by ContractFilterForm)."""
    if filters.get("q"):
        contracts = search(contracts, filters["q"])
    if year := filters.get("annee"):
        contracts = (
            contracts.filter(notification_year__isnull=True)
            if year == UNKNOWN_YEAR
            else contracts.filter(notification_year=int(year))
        )
    if direction := filters.get("direction"):
        contracts = (
            contracts.filter(direction__isnull=True)
            if direction == UNATTRIBUTED
            else contracts.filter(direction__slug=direction)
        )
    if division := filters.get("cpv"):
        contracts = contracts.filter(cpv_division=division)
    if procedure := filters.get("procedure"):
        contracts = contracts.filter(procedure=procedure)
    if kind := filters.get("type"):
        contracts = contracts.filter(kind=kind)
    if band := filters.get("montant"):
        _label, low, high = AMOUNT_BANDS[band]
        if band == "inconnu":
            contracts = contracts.filter(amount__isnull=True)
        else:
            if low is not None:
                contracts = contracts.filter(amount__gte=low)
            if high is not None:
                contracts = contracts.filter(amount__lt=high)
    for name, field in TRI_STATE_FILTERS.items():
        if value := filters.get(name):
            contracts = contracts.filter(_tri_state(value, field))
    if framework := filters.get("accord_cadre"):
        contracts = contracts.filter(is_framework=framework == "oui")
    if flagged := filters.get("alertes"):
        contracts = (
            contracts.exclude(quality_flags=[]) if flagged == "oui" else contracts.filter(quality_flags=[])
        )
    if origin := filters.get("origine"):
        contracts = contracts.filter(origin=origin)
    return contracts


def sort_contracts(contracts: QuerySet, sort: str | None) -> QuerySet:
    """Sort by one column (« -montant » = descending); empty values always last; uid breaks ties, so a
    page never shows a contract twice."""
    sort = sort or DEFAULT_SORT
    descending = sort.startswith("-")
    field = SORTS[sort.lstrip("-")][0]
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return contracts.order_by(expression, "uid")


def list_rows(contracts: QuerySet) -> QuerySet:
    """What a list or export row shows, without one query per row."""
    return contracts.select_related("direction").prefetch_related("contract_suppliers__supplier")


# What a row of the list shows (contract_list.html): the other columns, the source record and JSON among them,
# stay in the database.
LIST_SHOWN = ("uid", "contract_id", "kind", "object", "is_framework", "notification_date", "amount")
LIST_SHOWN += ("direction", "has_social", "has_environmental", "quality_flags")


def page_of_rows(
    organisation: Organisation, contracts: QuerySet, filters: dict[str, str], page_number, *, per_page: int
) -> Page:
    """One page of the filtered, sorted list (`filters["tri"]`): the list's ids in order (one query, kept by
    the process until the organisation's data change — sorting 100 000 rows by object reads the whole table),
    then the page's 50 rows."""
    key = tuple(sorted(filters.items()))
    ids = memo(
        organisation,
        "contract_ids",
        key,
        lambda: id_array(sort_contracts(contracts, filters.get("tri"))),
        size=24,  # at most 800 kB each (100 000 ids)
    )
    page = page_of_ids(ids, page_number, per_page=per_page)
    page.object_list = rows_in_order(list_rows(Contract.objects.only(*LIST_SHOWN)), page.object_list)
    return page


def unknown_counts(
    organisation: Organisation, contracts: QuerySet, filters: dict[str, str]
) -> dict[str, int]:
    """How many contracts of the list (`contracts`, selected by `filters`) leave each counted field unknown:
    one query, kept by the process until the organisation's data change (every page of a list repeats it)."""
    key = tuple(sorted((name, value) for name, value in filters.items() if name != "tri"))
    return memo(
        organisation,
        "contract_counts",
        key,
        lambda: contracts.aggregate(
            total=Count("pk"),
            social=Count("pk", filter=Q(has_social__isnull=True)),
            environmental=Count("pk", filter=Q(has_environmental__isnull=True)),
            amount=Count("pk", filter=Q(amount__isnull=True)),
            notification=Count("pk", filter=Q(notification_date__isnull=True)),
        ),
        size=256,
    )


# --- One contract ----------------------------------------------------------------------------------------


def contract_for(*, organisation: Organisation, pk: int) -> Contract | None:
    return (
        perimeter(organisation)
        .select_related("direction")
        .prefetch_related("contract_suppliers__supplier")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class CpvInfo:
    code: str
    full_code: str
    label: str
    label_code: str  # the code the label belongs to: the contract's own, or its nearest listed parent

    @property
    def is_parent_label(self) -> bool:
        return bool(self.label_code) and self.label_code != self.code


def cpv_info(code: str) -> CpvInfo:
    label_code, label = cpv_match(code)
    return CpvInfo(code=code, full_code=full_code(code), label=label, label_code=label_code)


@dataclass(frozen=True)
class ModificationRow:
    position: int
    id: object
    amount: Decimal | None
    duration_months: object
    notification_date: str
    publication_date: str
    suppliers: list[str]


def modification_rows(contract: Contract) -> list[ModificationRow]:
    """The modifications in the order applied (amounts and durations are new absolute values)."""
    rows = []
    for position, item in enumerate(contract.modifications or [], start=1):
        if not isinstance(item, dict):
            item = {"raw": item}
        amount = item.get("amount")
        suppliers = item.get("suppliers")
        rows.append(
            ModificationRow(
                position=position,
                id=item.get("id"),
                amount=Decimal(str(amount)) if amount not in (None, "") else None,
                duration_months=item.get("duration_months"),
                notification_date=item.get("notification_date") or "",
                publication_date=item.get("publication_date") or "",
                suppliers=[
                    f"{s.get('identifier_type', '')} {s.get('identifier', '')}".strip()
                    for s in suppliers or []
                    if isinstance(s, dict)
                ],
            )
        )
    return rows


def pretty_raw(contract: Contract) -> str:
    return json.dumps(contract.raw, indent=2, ensure_ascii=False, sort_keys=False)


@dataclass(frozen=True)
class IndicatorPlacement:
    indicator: Indicator
    classification: Classification


@dataclass(frozen=True)
class ContractIndicators:
    """Where the contract counts in the computed indicators of the current scheme, for its year."""

    scheme: Scheme | None
    year: int | None
    in_period: bool
    placements: list[IndicatorPlacement]


def contract_indicators(*, organisation: Organisation, contract: Contract) -> ContractIndicators:
    """Kept by the process until the organisation's data change (the contract, its suppliers, the scheme and
    its indicators all renew the data stamp): each indicator's counting rule is compiled to classify it."""
    return memo(
        organisation,
        "contract_indicators",
        contract.pk,
        lambda: _contract_indicators(organisation, contract),
        size=512,
    )


def _contract_indicators(organisation: Organisation, contract: Contract) -> ContractIndicators:
    scheme = organisation.schemes.current().first()
    year = contract.notification_year
    if scheme is None or year is None:
        return ContractIndicators(scheme, year, False, [])
    placements = []
    for indicator in scheme.indicators().computed().order_by("code"):
        try:
            classification = classify_contract(indicator.method, indicator.params, contract)
        except (NotComputable, ValueError):
            continue  # a method the engine does not compute: the indicator has no figure to count in
        placements.append(IndicatorPlacement(indicator, classification))
    return ContractIndicators(scheme, year, year in scheme.years, placements)


# --- Attribution -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    rule: AttributionRule
    contracts: int


def rule_rows(organisation: Organisation) -> list[RuleRow]:
    rules = list(
        AttributionRule.objects.filter(organisation=organisation)
        .select_related("direction")
        .order_by("priority", "-cpv_prefix", "pk")
    )
    counts = rule_contract_counts(organisation=organisation, rules=rules)
    return [RuleRow(rule, counts.get(rule.pk, 0)) for rule in rules]


def unattributed(contracts: QuerySet) -> QuerySet:
    return contracts.filter(direction__isnull=True).order_by(
        F("notification_date").desc(nulls_last=True), "uid"
    )
