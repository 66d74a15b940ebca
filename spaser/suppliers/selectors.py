"""Reads for the supplier pages: an organisation sees the suppliers of its perimeter's contracts only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from spaser.contracts.models import Contract
from spaser.organisations.models import Organisation

from .models import SIAE_KINDS, Supplier

LINK = "contract_links__contract__"
SORTS = {
    "nom": ("name", "identifier"),
    "-nom": ("-name", "-identifier"),
    "marches": ("contract_count", "name"),
    "-marches": ("-contract_count", "name"),
    "montant": ("amount_total", "name"),
    "-montant": ("-amount_total", "name"),
    "departement": ("departement_code", "name"),
    "-departement": ("-departement_code", "name"),
}
DEFAULT_SORT = "-marches"


@dataclass(frozen=True)
class SupplierFilters:
    q: str = ""
    taille: str = ""  # PME / ETI / GE / inconnue
    ess: str = ""  # oui / non / inconnu
    inclusif: str = ""  # oui / SIAE / EA / ESAT / non
    departement: str = ""
    tri: str = DEFAULT_SORT


def perimeter_suppliers(organisation: Organisation) -> QuerySet[Supplier]:
    """Suppliers holding at least one contract of the organisation's perimeter, with their count of such
    contracts and the sum of those contracts' current amounts, frameworks left out (a framework's amount is
    a maximum, not spend: domain.md §5 rule 3)."""
    return Supplier.objects.filter(organisation.buyer_filter(prefix=f"{LINK}buyer_siret")).annotate(
        contract_count=Count(f"{LINK}pk", distinct=True),
        amount_total=Sum(f"{LINK}current_amount", filter=Q(**{f"{LINK}is_framework": False})),
    )


def search_suppliers(organisation: Organisation, filters: SupplierFilters) -> QuerySet[Supplier]:
    queryset = perimeter_suppliers(organisation)
    if filters.q:
        text = filters.q.strip()
        digits = text.replace(" ", "")
        condition = Q(name__icontains=text)
        if digits.isdigit():
            condition |= Q(siren__startswith=digits[:9]) | Q(identifier__startswith=digits)
        queryset = queryset.filter(condition)
    if filters.taille:
        queryset = queryset.filter(size_category="" if filters.taille == "inconnue" else filters.taille)
    if filters.ess:
        queryset = queryset.filter(is_ess={"oui": True, "non": False, "inconnu": None}[filters.ess])
    if filters.inclusif == "oui":
        queryset = queryset.exclude(inclusive_kind="")
    elif filters.inclusif == "non":
        queryset = queryset.filter(inclusive_kind="")
    elif filters.inclusif == "SIAE":
        queryset = queryset.filter(inclusive_kind__in=SIAE_KINDS)
    elif filters.inclusif:
        queryset = queryset.filter(inclusive_kind=filters.inclusif)
    if filters.departement:
        queryset = queryset.filter(departement_code=filters.departement)
    return queryset.order_by(*SORTS.get(filters.tri, SORTS[DEFAULT_SORT]))


def perimeter_departements(organisation: Organisation) -> list[str]:
    return sorted(
        set(
            perimeter_suppliers(organisation)
            .exclude(departement_code="")
            .values_list("departement_code", flat=True)
        )
    )


def supplier_contracts(organisation: Organisation, supplier: Supplier) -> QuerySet[Contract]:
    return (
        Contract.objects.for_organisation(organisation)
        .filter(contract_suppliers__supplier=supplier)
        .select_related("direction")
        .order_by("-notification_date", "uid")
    )
