"""Contract pages, mounted under /marches/ (namespace "contracts"): the list (filters in the URL, sortable
columns, pagination) and its exports, one contract's page, and attribution to directions (rules, the
unattributed contracts, the manual choice).

Every page is scoped to the user's organisation: another organisation's contract is a 404. Every member
reads; only the pilot writes (`can_edit_register`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spaser.core.listing import query_with, sort_links
from spaser.organisations.models import Membership, Organisation
from spaser.organisations.permissions import can_edit_register, require_member

from . import exports, selectors
from .attribution import attribute_contracts, clear_manual_direction, set_manual_direction
from .forms import DEFAULT_SORT, SORTS, AttributionRuleForm, ContractFilterForm, DirectionChoiceForm
from .models import AttributionRule, AttributionSource

PER_PAGE = 50
DESCENDING_FIRST = {"date", "montant"}  # latest and largest first on the first click
PILOT_ONLY = "Seul le pilote du schéma modifie l'attribution des marchés."


@dataclass(frozen=True)
class Access:
    organisation: Organisation
    membership: Membership | None
    can_edit: bool


def _access(request: HttpRequest, *, edit: bool = False) -> Access:
    organisation, membership = require_member(
        request.user, pilot=edit, not_member="Vous n'appartenez à aucune organisation.", not_pilot=PILOT_ONLY
    )
    return Access(organisation, membership, can_edit_register(membership))


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Marchés", reverse("contracts:list")), *items]


def _page(request: HttpRequest, contracts):
    return Paginator(contracts, PER_PAGE).get_page(request.GET.get("page"))


# --- List and exports ------------------------------------------------------------------------------------


def _filtered(request: HttpRequest, access: Access):
    contracts = selectors.perimeter(access.organisation)
    choices = selectors.filter_choices(organisation=access.organisation, contracts=contracts)
    form = ContractFilterForm(request.GET or None, choices=choices)
    filters = form.filters() if request.GET else {}
    filtered = selectors.filter_contracts(contracts, filters)
    return form, filters, filtered


@require_GET
def contract_list(request):
    access = _access(request)
    form, filters, contracts = _filtered(request, access)
    sort = filters.get("tri") or DEFAULT_SORT
    counts = selectors.unknown_counts(access.organisation, contracts, filters)
    page = selectors.page_of_rows(
        access.organisation, contracts, {**filters, "tri": sort}, request.GET.get("page"), per_page=PER_PAGE
    )
    return render(
        request,
        "contracts/contract_list.html",
        {
            "form": form,
            "filters": {name: value for name, value in filters.items() if name != "tri"},
            "page": page,
            "counts": counts,
            "sort_headers": sort_links(
                request.GET, current=sort, columns=SORTS, descending_first=DESCENDING_FIRST
            ),
            "export_query": query_with(request.GET, page=None),
            "can_edit": access.can_edit,
            "breadcrumbs": [("Marchés", "")],
        },
    )


@require_GET
def contract_export(request, fmt: str):
    access = _access(request)
    _form, filters, contracts = _filtered(request, access)
    rows = selectors.list_rows(selectors.sort_contracts(contracts, filters.get("tri")))
    filename = f"marches-{access.organisation.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.csv_response(rows, filename=filename)
    if fmt == "xlsx":
        return exports.xlsx_response(rows, filename=filename)
    raise Http404("Format d'export inconnu.")


# --- One contract ----------------------------------------------------------------------------------------


def _contract(access: Access, pk: int):
    contract = selectors.contract_for(organisation=access.organisation, pk=pk)
    if contract is None:
        raise Http404("Marché introuvable dans votre périmètre.")
    return contract


@require_GET
def contract_detail(request, pk: int):
    access = _access(request)
    contract = _contract(access, pk)
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "cpv": selectors.cpv_info(contract.cpv),
            "modifications": selectors.modification_rows(contract),
            "suppliers": [link.supplier for link in contract.contract_suppliers.all()],
            "raw_json": selectors.pretty_raw(contract),
            "placement": selectors.contract_indicators(organisation=access.organisation, contract=contract),
            "direction_form": DirectionChoiceForm(
                organisation=access.organisation,
                initial={"direction": contract.direction_id},
                auto_id="id_override_%s",
            )
            if access.can_edit
            else None,
            "is_manual": contract.direction_source == AttributionSource.MANUAL,
            "can_edit": access.can_edit,
            "breadcrumbs": _crumbs((contract.contract_id or contract.uid, "")),
        },
    )


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@require_POST
def contract_direction(request, pk: int):
    """Choose the contract's direction by hand (pilot)."""
    access = _access(request, edit=True)
    contract = _contract(access, pk)
    form = DirectionChoiceForm(request.POST, organisation=access.organisation)
    back = _next_url(request, reverse("contracts:detail", args=[contract.pk]))
    if not form.is_valid():
        for error in form.errors.get("direction", []):
            messages.error(request, f"Marché {contract.uid} : {error}")
        return redirect(back)
    try:
        set_manual_direction(contract=contract, direction=form.cleaned_data["direction"], user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request,
        f"Le marché {contract.uid} est attribué à « {form.cleaned_data['direction'].name} » (choix manuel ; "
        "les règles ne le changeront plus).",
    )
    return redirect(back)


@require_POST
def contract_direction_clear(request, pk: int):
    """Forget the manual choice and apply the rules again (pilot)."""
    access = _access(request, edit=True)
    contract = clear_manual_direction(contract=_contract(access, pk), user=request.user)
    if contract.direction_id:
        text = f"Le marché suit de nouveau les règles : il est attribué à « {contract.direction.name} »."
    else:
        text = "Le marché suit de nouveau les règles : aucune règle ne l'attribue, il n'est pas attribué."
    messages.success(request, text)
    return redirect("contracts:detail", pk=contract.pk)


# --- Attribution rules and unattributed contracts --------------------------------------------------------


@require_GET
def rule_list(request):
    access = _access(request)
    contracts = selectors.perimeter(access.organisation)
    return render(
        request,
        "contracts/rule_list.html",
        {
            "rows": selectors.rule_rows(access.organisation),
            "unattributed_count": selectors.unattributed(contracts).count(),
            "can_edit": access.can_edit,
            "breadcrumbs": _crumbs(("Attribution aux directions", "")),
        },
    )


def _rule_form_page(request, access: Access, rule: AttributionRule, *, title: str, done: str):
    form = AttributionRuleForm(request.POST or None, instance=rule, organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, f"{done} Cliquez sur « Appliquer les règles » pour mettre à jour les marchés."
        )
        return redirect("contracts:rules")
    return render(
        request,
        "contracts/rule_form.html",
        {
            "form": form,
            "page_title": title,
            "breadcrumbs": _crumbs(("Attribution aux directions", reverse("contracts:rules")), (title, "")),
        },
    )


@require_http_methods(["GET", "POST"])
def rule_create(request):
    access = _access(request, edit=True)
    rule = AttributionRule(organisation=access.organisation)
    return _rule_form_page(
        request, access, rule, title="Ajouter une règle d'attribution", done="La règle a été créée."
    )


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    access = _access(request, edit=True)
    rule = get_object_or_404(AttributionRule, pk=pk, organisation=access.organisation)
    return _rule_form_page(
        request, access, rule, title="Modifier la règle d'attribution", done="La règle a été modifiée."
    )


@require_http_methods(["GET", "POST"])
def rule_delete(request, pk: int):
    access = _access(request, edit=True)
    rule = get_object_or_404(
        AttributionRule.objects.select_related("direction"), pk=pk, organisation=access.organisation
    )
    if request.method == "POST":
        rule.delete()
        messages.success(
            request,
            "La règle a été supprimée. Les marchés qu'elle attribuait gardent leur direction jusqu'à ce que "
            "vous appliquiez les règles.",
        )
        return redirect("contracts:rules")
    return render(
        request,
        "contracts/rule_confirm_delete.html",
        {
            "rule": rule,
            "breadcrumbs": _crumbs(
                ("Attribution aux directions", reverse("contracts:rules")), ("Supprimer une règle", "")
            ),
        },
    )


@require_POST
def rules_apply(request):
    access = _access(request, edit=True)
    changed = attribute_contracts(organisation=access.organisation)
    if changed:
        text = f"{changed} marché{'s ont' if changed > 1 else ' a'} changé de direction."
    else:
        text = "Aucun marché n'a changé de direction : l'attribution était déjà à jour."
    messages.success(request, f"Règles appliquées. {text} Les choix manuels et les imports sont conservés.")
    return redirect("contracts:rules")


@require_GET
def unattributed_list(request):
    access = _access(request)
    contracts = selectors.unattributed(selectors.perimeter(access.organisation))
    page = _page(request, contracts)
    directions = list(access.organisation.directions.all()) if access.can_edit else []
    return render(
        request,
        "contracts/unattributed.html",
        {
            "page": page,
            "directions": directions,
            "can_edit": access.can_edit,
            "breadcrumbs": _crumbs(("Marchés non attribués", "")),
        },
    )
