"""The corrective-action log: list (filters status / direction / overdue, pagination, CSV export) and an
action's page with its follow-up history and the update form of its owners (the owner direction's referents
and the pilot)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from spaser.core.listing import query_with

from .. import decisions, selectors
from ..forms import ActionFilterForm, ActionUpdateForm
from ..models import CorrectiveAction
from ..permissions import can_update_action
from .committees import access, add_errors, crumbs

PER_PAGE = 50


def _filtered(request):
    organisation, membership, _is_pilot = access(request)
    today = timezone.localdate()
    form = ActionFilterForm(request.GET or None, directions=organisation.directions.order_by("name"))
    filters = form.filters() if request.GET else {}
    return (
        organisation,
        membership,
        form,
        filters,
        selectors.actions_queryset(organisation, filters, today),
        today,
    )


@require_GET
def action_list(request):
    _organisation, _membership, form, filters, actions, today = _filtered(request)
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/action_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": [(a, selectors.is_overdue(a, today)) for a in page.object_list],
            "export_query": query_with(request.GET, page=None),
            "breadcrumbs": crumbs(("Actions correctives", "")),
        },
    )


CSV_HEADERS = [
    "Action",
    "Direction pilote",
    "Échéance",
    "État",
    "En retard",
    "Décidée en séance",
    "Comité",
    "Effet attendu",
    "Close le",
]


@require_GET
def action_csv(request):
    organisation, _membership, _form, _filters, actions, today = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"actions-correctives-{organisation.slug}-{today:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for action in actions:
        writer.writerow(
            [
                action.title,
                action.owner_direction.name,
                f"{action.due_date:%d/%m/%Y}",
                action.get_status_display(),
                "oui" if selectors.is_overdue(action, today) else "non",
                f"{action.meeting.date:%d/%m/%Y}",
                action.meeting.committee.name,
                action.expected_effect,
                f"{timezone.localtime(action.closed_at):%d/%m/%Y}" if action.closed_at else "",
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def action_detail(request, pk: int):
    organisation, membership, _is_pilot = access(request)
    action = (
        CorrectiveAction.objects.for_organisation(organisation)
        .select_related(
            "owner_direction", "meeting__committee", "decision", "indicator", "commitment", "created_by"
        )
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404("Action corrective introuvable dans votre organisation.")
    can_update = can_update_action(membership, action)
    if request.method == "POST" and not can_update:
        raise PermissionDenied(decisions.NOT_OWNER)
    form = None
    if can_update:
        form = ActionUpdateForm(request.POST or None, initial={"status": action.status})
        if request.method == "POST" and form.is_valid():
            try:
                decisions.corrective_action_update(
                    action=action, membership=membership, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Suivi enregistré.")
                return redirect(reverse("governance:action", args=[action.pk]) + "#suivi")
    today = timezone.localdate()
    return render(
        request,
        "governance/action_detail.html",
        {
            "action": action,
            "overdue": selectors.is_overdue(action, today),
            "updates": list(action.updates.select_related("by").order_by("-at", "-pk")),
            "form": form,
            "breadcrumbs": crumbs(
                ("Actions correctives", reverse("governance:actions")), (action.title[:60], "")
            ),
        },
    )


urlpatterns = [
    path("actions/", action_list, name="actions"),
    path("actions/export.csv", action_csv, name="actions_csv"),
    path("actions/<int:pk>/", action_detail, name="action"),
]
