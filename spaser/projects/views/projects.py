"""Pages of the purchase projects (/projets/): the list and its CSV export, creation, the project's page
(stages, need review summary, advice, clause library, Loi Climat, contracts, history, stage moves and the
pilot's override), editing, the need review and the linking of contracts.

Access: outside the organisation, or a project the member may not see → 404; a write by a member who may
only read → 403 and nothing changed (permissions.py says who sees and edits what)."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spaser.contracts.models import Contract
from spaser.core.listing import query_with, sort_links
from spaser.organisations.permissions import require_member
from spaser.renewals.questionnaire import ANSWER_LABELS

from .. import reviews, selectors, services, workflow
from ..forms.projects import (
    ContractSearchForm,
    LinkContractsForm,
    MoveForm,
    OverrideForm,
    ProjectFilterForm,
    ProjectForm,
)
from ..forms.review import NeedReviewForm
from ..models import Outcome, Project
from ..permissions import can_create_project, can_edit_project, can_view_project, is_pilot
from ..stages import Stage

NOT_MEMBER = "Vous n'êtes membre d'aucune organisation : les projets d'achat ne vous sont pas accessibles."
NOT_FOUND = "Projet d'achat introuvable parmi ceux que vous pouvez consulter."
READ_ONLY = (
    "Vous consultez ce projet en lecture seule : seuls le pilote et les référents de sa direction "
    "le modifient."
)
NOT_CREATOR = "Seuls le pilote et les référents des directions peuvent créer un projet d'achat."
PER_PAGE = 50
SEARCH_LIMIT = 20


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Projets d'achat", reverse("projects:list")), *items]


def _project(request, pk: int, *, edit: bool = False):
    """(organisation, membership, project): 404 when the member may not see it, 403 when `edit` and they
    may only read it."""
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    project = (
        Project.objects.for_organisation(organisation)
        .select_related("direction", "need_review", "need_review__reviewer", "renewed_contract")
        .select_related("advice_override_by", "created_by")
        .filter(pk=pk)
        .first()
    )
    if project is None or not can_view_project(membership, project):
        raise Http404(NOT_FOUND)
    if edit and not can_edit_project(membership, project):
        raise PermissionDenied(READ_ONLY)
    return organisation, membership, project


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- List and export -----------------------------------------------------------------------------------


def _filtered(request):
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    directions = list(organisation.directions.order_by("name"))
    form = ProjectFilterForm(request.GET or None, directions=directions)
    filters = form.filters() if request.GET else {}
    projects = selectors.list_queryset(organisation, membership, filters)
    return organisation, membership, form, filters, projects


@require_GET
def project_list(request):
    _organisation, membership, form, filters, projects = _filtered(request)
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for project in page.object_list:
        state = selectors.climate_state(project)
        rows.append((project, state, selectors.CLIMATE_LABELS[state]))
    return render(
        request,
        "projects/project_list.html",
        {
            "form": form,
            "filters": {name: value for name, value in filters.items() if name != "tri"},
            "page": page,
            "rows": rows,
            "sort_headers": sort_links(
                request.GET,
                current=filters.get("tri") or selectors.DEFAULT_SORT,
                columns=selectors.SORTS,
                descending_first=selectors.DESCENDING_FIRST,
            ),
            "export_query": query_with(request.GET, page=None),
            "can_create": can_create_project(membership),
            "breadcrumbs": [("Projets d'achat", "")],
        },
    )


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


CSV_HEADERS = [
    "Référence",
    "Objet",
    "Direction",
    "Étape",
    "Nature",
    "Code CPV",
    "Montant estimé (€ HT)",
    "Durée estimée (mois)",
    "Lancement prévu",
    "Consultation lancée le",
    "Avis rendus",
    "Avis obligatoires",
    "Issue de la revue du besoin",
    "Montant évité (€ HT)",
    "Loi Climat",
    "Marché renouvelé",
    "Marchés issus du projet",
]


@require_GET
def project_csv(request):
    organisation, _membership, _form, _filters, projects = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"projets-achat-{organisation.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for project in projects.prefetch_related("contracts"):
        review = getattr(project, "need_review", None)
        writer.writerow(
            [
                project.reference,
                project.title,
                project.direction.name,
                project.get_stage_display(),
                project.get_nature_display(),
                project.cpv,
                _money(project.estimated_amount),
                project.duration_months,
                _date(project.planned_launch_date),
                _date(project.launched_on),
                project.advice_closed,
                project.advice_required,
                review.get_outcome_display() if review else "",
                _money(review.avoided_amount) if review else "",
                selectors.CLIMATE_LABELS[selectors.climate_state(project)],
                project.renewed_contract.uid if project.renewed_contract else "",
                " | ".join(sorted(c.uid for c in project.contracts.all())),
            ]
        )
    return response


# --- Create and edit -----------------------------------------------------------------------------------


def _advice_message(advices) -> str:
    if not advices:
        return "Aucun avis de direction ressource n'est requis par les règles de saisine."
    named = ", ".join(
        a.resource_direction.name + (f" (avant le {a.deadline:%d/%m/%Y})" if a.deadline else "")
        for a in advices
    )
    return f"Avis demandé{'s' if len(advices) > 1 else ''} : {named}."


@require_http_methods(["GET", "POST"])
def project_create(request):
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    if not can_create_project(membership):
        raise PermissionDenied(NOT_CREATOR)
    directions = organisation.directions.order_by("name") if is_pilot(membership) else None
    form = ProjectForm(
        request.POST or None, organisation=organisation, directions=directions, instance=Project()
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                organisation=organisation,
                membership=membership,
                user=request.user,
                direction=form.cleaned_data.get("direction"),
                **form.service_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            advices = list(project.advices.select_related("resource_direction").order_by("deadline", "pk"))
            messages.success(request, f"Projet {project.reference} créé. {_advice_message(advices)}")
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {
            "form": form,
            "creating": True,
            "fixed_direction": None if directions is not None else membership.direction,
            "breadcrumbs": _crumbs(("Nouveau projet", "")),
        },
    )


@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    organisation, membership, project = _project(request, pk, edit=True)
    form = ProjectForm(request.POST or None, organisation=organisation, instance=project)
    if request.method == "POST" and form.is_valid():
        asked = set(project.advices.values_list("pk", flat=True))
        try:
            services.project_update(project=project, membership=membership, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            new = list(
                project.advices.exclude(pk__in=asked).select_related("resource_direction").order_by("pk")
            )
            text = "Projet modifié."
            if new:
                text += " Nouvelle saisine des règles : " + _advice_message(new)
            messages.success(request, text)
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {
            "form": form,
            "project": project,
            "creating": False,
            "breadcrumbs": _crumbs(
                (project.reference, reverse("projects:detail", args=[pk])), ("Modifier", "")
            ),
        },
    )


# --- The project's page, stage moves and override -------------------------------------------------------


def _render_detail(request, membership, project, *, move_form=None, move_errors=(), override_form=None):
    context = selectors.detail(project)
    editable = can_edit_project(membership, project)
    context.update(
        {
            "project": project,
            "review": getattr(project, "need_review", None),
            "editable": editable,
            "review_editable": reviews.can_edit_review(membership, project),
            "is_pilot": is_pilot(membership),
            "move_form": move_form,
            "move_errors": list(move_errors),
            "override_form": override_form or OverrideForm(auto_id="id_override_%s"),
            "read_only_note": "" if editable else READ_ONLY,
            "breadcrumbs": _crumbs((project.reference, "")),
        }
    )
    return render(request, "projects/project_detail.html", context)


@require_GET
def project_detail(request, pk: int):
    _organisation, membership, project = _project(request, pk)
    return _render_detail(request, membership, project)


@require_POST
def project_move(request, pk: int):
    _organisation, membership, project = _project(request, pk, edit=True)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _render_detail(
            request, membership, project, move_form=form, move_errors=["Étape visée : choisissez une étape."]
        )
    target = form.cleaned_data["to_stage"]
    try:
        workflow.move(
            project=project,
            to_stage=target,
            membership=membership,
            user=request.user,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        return _render_detail(request, membership, project, move_form=form, move_errors=error.messages)
    messages.success(request, f"Le projet est passé à l'étape « {Stage(target).label} ».")
    return redirect("projects:detail", pk=project.pk)


@require_POST
def project_override(request, pk: int):
    _organisation, membership, project = _project(request, pk)
    if not is_pilot(membership):
        raise PermissionDenied("Seul le pilote du schéma peut déroger aux avis obligatoires.")
    form = OverrideForm(request.POST, auto_id="id_override_%s")
    if form.is_valid():
        try:
            workflow.override_advices(
                project=project, membership=membership, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.message_dict.get("advice_override_reason") or error.messages)
        else:
            messages.success(
                request,
                "Dérogation aux avis obligatoires enregistrée : la consultation peut être lancée sans eux.",
            )
            return redirect("projects:detail", pk=project.pk)
    return _render_detail(request, membership, project, override_form=form)


# --- Need review -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def project_review(request, pk: int):
    _organisation, membership, project = _project(request, pk, edit=request.method == "POST")
    review = getattr(project, "need_review", None)
    sections = reviews.sections_for(project)
    editable = reviews.can_edit_review(membership, project)
    if request.method == "POST" and not editable:
        raise PermissionDenied(reviews.LOCKED)
    form = NeedReviewForm(
        request.POST or None,
        sections=sections,
        answers=review.answers if review else None,
        initial={
            "outcome": review.outcome if review else Outcome.PENDING,
            "justification": review.justification if review else "",
            "avoided_amount": review.avoided_amount if review else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            reviews.review_update(
                project=project,
                membership=membership,
                user=request.user,
                answers=form.answers(),
                outcome=form.cleaned_data["outcome"],
                justification=form.cleaned_data["justification"],
                avoided_amount=form.cleaned_data["avoided_amount"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "La revue du juste besoin est enregistrée.")
            return redirect("projects:review", pk=project.pk)
    history = []
    if review is not None:
        history = list(review.history.select_related("history_user").order_by("-history_date", "-pk")[:50])
    return render(
        request,
        "projects/review_form.html",
        {
            "project": project,
            "review": review,
            "form": form,
            "sections": sections,
            "answer_labels": ANSWER_LABELS,
            "editable": editable,
            "locked": reviews.review_locked(project),
            "can_edit_project": can_edit_project(membership, project),
            "history": history,
            "breadcrumbs": _crumbs(
                (project.reference, reverse("projects:detail", args=[pk])), ("Revue du juste besoin", "")
            ),
        },
    )


# --- Contracts produced by the project -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def project_contracts(request, pk: int):
    organisation, membership, project = _project(request, pk, edit=True)
    form = LinkContractsForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        contracts = form.cleaned_data["uids"]
        try:
            services.project_link_contracts(project=project, membership=membership, contracts=contracts)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            uids = ", ".join(c.uid for c in contracts)
            count = len(contracts)
            messages.success(
                request,
                f"{count} marché{'s' if count > 1 else ''} rattaché{'s' if count > 1 else ''} : {uids}.",
            )
            return redirect("projects:detail", pk=project.pk)
    search = ContractSearchForm(request.GET or None)
    linked = sorted(project.contracts.all(), key=lambda c: c.uid)
    results = None
    if search.is_valid() and search.cleaned_data["q"].strip():
        query = search.cleaned_data["q"].strip()
        results = list(
            Contract.objects.for_organisation(organisation)
            .filter(Q(uid__icontains=query) | Q(contract_id__icontains=query) | Q(object__icontains=query))
            .exclude(pk__in=[c.pk for c in linked])
            .order_by("-notification_date", "uid")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "projects/project_contracts.html",
        {
            "project": project,
            "form": form,
            "search": search,
            "results": results,
            "search_limit": SEARCH_LIMIT,
            "linked": linked,
            "breadcrumbs": _crumbs(
                (project.reference, reverse("projects:detail", args=[pk])), ("Marchés issus du projet", "")
            ),
        },
    )


urlpatterns = [
    path("", project_list, name="list"),
    path("export.csv", project_csv, name="csv"),
    path("nouveau/", project_create, name="create"),
    path("<int:pk>/", project_detail, name="detail"),
    path("<int:pk>/modifier/", project_edit, name="edit"),
    path("<int:pk>/revue/", project_review, name="review"),
    path("<int:pk>/etape/", project_move, name="move"),
    path("<int:pk>/derogation/", project_override, name="override"),
    path("<int:pk>/marches/", project_contracts, name="contracts"),
]
