"""Supplier pages: a member of an organisation sees the suppliers of its perimeter's contracts, and nobody
else's (404)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from spaser.core.listing import SortLink, sort_links
from spaser.organisations.permissions import require_member

from .forms import SupplierFilterForm
from .geography import departement_name, region_name
from .selectors import (
    DEFAULT_SORT,
    SupplierFilters,
    perimeter_departements,
    perimeter_suppliers,
    search_suppliers,
    supplier_contracts,
)

PAGE_SIZE = 50
COLUMNS = [
    ("nom", "Titulaire"),
    ("departement", "Département"),
    ("marches", "Marchés"),
    ("montant", "Montant"),
]
DESCENDING_FIRST = {"marches", "montant"}  # most contracts and largest spend first on the first click


def _organisation(request):
    organisation, _membership = require_member(request.user, not_member="Aucune organisation.")
    return organisation


def supplier_list(request):
    organisation = _organisation(request)
    departements = [
        (code, f"{code} — {departement_name(code)}") for code in perimeter_departements(organisation)
    ]
    form = SupplierFilterForm(request.GET or None, departements=departements)
    filters = SupplierFilters(**form.cleaned_or_defaults())
    page = Paginator(search_suppliers(organisation, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suppliers/supplier_list.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "columns": _columns(request, filters.tri),
            "breadcrumbs": [("Titulaires", "")],
        },
    )


def _columns(request, current: str) -> list[tuple[str, SortLink]]:
    """Each sortable column, labelled, as a link (the order lives in the URL); a second click reverses it."""
    links = sort_links(
        request.GET,
        current=current,
        columns=[key for key, _label in COLUMNS],
        descending_first=DESCENDING_FIRST,
    )
    return [(label, links[key]) for key, label in COLUMNS]


def supplier_detail(request, pk: int):
    organisation = _organisation(request)
    supplier = get_object_or_404(perimeter_suppliers(organisation), pk=pk)
    contracts = list(supplier_contracts(organisation, supplier)[:500])
    for contract in contracts:
        contract.page_url = _contract_url(contract)
    return render(
        request,
        "suppliers/supplier_detail.html",
        {
            "supplier": supplier,
            "contracts": contracts,
            "departement_name": departement_name(supplier.departement_code),
            "region_name": region_name(supplier.region_code),
            "breadcrumbs": [
                ("Titulaires", reverse("suppliers:list") + f"?tri={DEFAULT_SORT}"),
                (str(supplier), ""),
            ],
        },
    )


def _contract_url(contract) -> str:
    """The contract page when the contracts app offers one (it is built alongside this page)."""
    try:
        return reverse("contracts:detail", args=[contract.pk])
    except NoReverseMatch:
        return ""
