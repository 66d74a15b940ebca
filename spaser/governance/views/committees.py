"""Governance pages: the index (the committees, the calendar, the corrective-action counts), a committee's
page (members, meetings) and the pilot's editing of committees and members. Also the helpers shared by the
other governance views (access checks, form errors).

Access (permissions.py): outside the organisation → 404; a write by a member who may only read → 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spaser.organisations.permissions import require_member

from .. import selectors, services
from ..forms import CommitteeForm, MemberForm, NewCommitteeForm
from ..models import DEFAULT_FREQUENCY, Committee, CommitteeKind, CommitteeMember
from ..permissions import can_manage

NOT_MEMBER = "Vous n'êtes membre d'aucune organisation : la gouvernance du schéma ne vous est pas accessible."
NOT_PILOT = services.NOT_PILOT


def access(request, *, pilot: bool = False):
    """(organisation, membership, is_pilot) for a governance page; 404 outside any organisation, 403 when
    `pilot` and the member may only read."""
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    is_pilot = can_manage(membership, organisation)
    if pilot and not is_pilot:
        raise PermissionDenied(NOT_PILOT)
    return organisation, membership, is_pilot


def add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Gouvernance", reverse("governance:index")), *items]


def _committee(organisation, pk: int) -> Committee:
    committee = Committee.objects.filter(organisation=organisation, pk=pk).first()
    if committee is None:
        raise Http404("Comité introuvable dans votre organisation.")
    return committee


@require_GET
def index(request):
    organisation, _membership, is_pilot = access(request)
    today = timezone.localdate()
    calendar = selectors.calendar_for(organisation, today)
    existing = {row.committee.kind for row in calendar["committees"]}
    return render(
        request,
        "governance/index.html",
        {
            "calendar": calendar,
            "counts": selectors.action_counts(organisation, today),
            "missing_kinds": [(k, label) for k, label in CommitteeKind.choices if k not in existing],
            "is_pilot": is_pilot,
            "today": today,
            "breadcrumbs": [("Gouvernance", "")],
        },
    )


@require_GET
def committee_detail(request, pk: int):
    organisation, _membership, is_pilot = access(request)
    committee = _committee(organisation, pk)
    today = timezone.localdate()
    meetings = list(committee.meetings.order_by("-date", "-pk"))
    planned = [m for m in meetings if m.status == "planned"]
    last = next((m for m in meetings if m.status != "cancelled"), None)
    return render(
        request,
        "governance/committee_detail.html",
        {
            "committee": committee,
            "members": committee.members.select_related("direction", "user").order_by("-is_active", "name"),
            "meetings": meetings,
            "proposed": None if planned else selectors.proposed_date(committee, last, today),
            "is_pilot": is_pilot,
            "breadcrumbs": crumbs((committee.name, "")),
        },
    )


@require_http_methods(["GET", "POST"])
def committee_create(request):
    organisation, membership, _is_pilot = access(request, pilot=True)
    kind = request.GET.get("type") or CommitteeKind.COTECH
    initial = {"kind": kind, "frequency_months": DEFAULT_FREQUENCY.get(kind, 1)}
    form = NewCommitteeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_create(
                organisation=organisation, membership=membership, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Comité « {committee.name} » créé.")
            return redirect("governance:committee", pk=committee.pk)
    return render(
        request,
        "governance/form_page.html",
        {
            "form": form,
            "title": "Nouveau comité",
            "lead": "Un COTECH mensuel et un COPIL semestriel pilotent le schéma ; un seul comité "
            "de chaque type.",
            "cancel_url": reverse("governance:index"),
            "breadcrumbs": crumbs(("Nouveau comité", "")),
        },
    )


@require_http_methods(["GET", "POST"])
def committee_edit(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    committee = _committee(organisation, pk)
    initial = {
        "name": committee.name,
        "description": committee.description,
        "frequency_months": committee.frequency_months,
    }
    form = CommitteeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_update(committee=committee, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Comité enregistré.")
            return redirect("governance:committee", pk=committee.pk)
    return render(
        request,
        "governance/form_page.html",
        {
            "form": form,
            "title": f"Modifier le comité « {committee.name} »",
            "cancel_url": reverse("governance:committee", args=[pk]),
            "breadcrumbs": crumbs(
                (committee.name, reverse("governance:committee", args=[pk])), ("Modifier", "")
            ),
        },
    )


def _member(organisation, pk: int) -> CommitteeMember:
    member = (
        CommitteeMember.objects.filter(committee__organisation=organisation, pk=pk)
        .select_related("committee")
        .first()
    )
    if member is None:
        raise Http404("Membre de comité introuvable dans votre organisation.")
    return member


@require_http_methods(["GET", "POST"])
def member_form(request, committee_pk: int | None = None, pk: int | None = None):
    organisation, membership, _is_pilot = access(request, pilot=True)
    member = _member(organisation, pk) if pk else None
    committee = member.committee if member else _committee(organisation, committee_pk)
    initial = (
        {
            "name": member.name,
            "function": member.function,
            "direction": member.direction_id,
            "user": member.user_id,
            "email": member.email,
            "is_active": member.is_active,
        }
        if member
        else {"is_active": True}
    )
    form = MemberForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.member_save(
                committee=committee, membership=membership, member=member, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{saved.name} : membre {'enregistré' if member else 'ajouté'}.")
            return redirect("governance:committee", pk=committee.pk)
    return render(
        request,
        "governance/form_page.html",
        {
            "form": form,
            "title": f"Modifier {member.name}"
            if member
            else f"Ajouter un membre au comité « {committee.name} »",
            "cancel_url": reverse("governance:committee", args=[committee.pk]),
            "breadcrumbs": crumbs(
                (committee.name, reverse("governance:committee", args=[committee.pk])),
                (member.name if member else "Ajouter un membre", ""),
            ),
        },
    )


@require_POST
def member_remove(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    member = _member(organisation, pk)
    deleted = services.member_remove(member=member, membership=membership)
    if deleted:
        messages.success(request, f"{member.name} retiré du comité.")
    else:
        messages.success(
            request,
            f"{member.name} est désormais ancien membre : ses présences restent dans les comptes rendus.",
        )
    return redirect("governance:committee", pk=member.committee_id)


urlpatterns = [
    path("", index, name="index"),
    path("comites/nouveau/", committee_create, name="committee_create"),
    path("comites/<int:pk>/", committee_detail, name="committee"),
    path("comites/<int:pk>/modifier/", committee_edit, name="committee_edit"),
    path("comites/<int:committee_pk>/membres/ajouter/", member_form, name="member_add"),
    path("membres/<int:pk>/modifier/", member_form, name="member_edit"),
    path("membres/<int:pk>/retirer/", member_remove, name="member_remove"),
]
