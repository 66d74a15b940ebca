"""Meeting pages: planning and editing, the meeting's page (agenda, attendance, decisions, corrective actions
decided there, the pack — a live preview before holding, the frozen pack after), holding and cancelling (each
with a confirmation page, no JavaScript), the agenda, attendance, minutes, decisions and the creation of
corrective actions. Who may do what: services.py and permissions.py."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import decisions, selectors, services
from ..forms import (
    AgendaItemForm,
    AttendanceForm,
    CorrectiveActionForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
)
from ..models import AgendaItem, Decision, Meeting, MeetingStatus
from ..tasks import render_pack_files
from .committees import _committee, access, add_errors, crumbs


def _meeting(organisation, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.for_organisation(organisation)
        .select_related("committee", "committee__organisation", "held_by")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404("Séance introuvable dans votre organisation.")
    return meeting


def _meeting_crumbs(meeting: Meeting, *items) -> list:
    committee = meeting.committee
    url = reverse("governance:meeting", args=[meeting.pk])
    return crumbs(
        (committee.name, reverse("governance:committee", args=[committee.pk])),
        (f"Séance du {meeting.date:%d/%m/%Y}", url if items else ""),
        *items,
    )


def _back(meeting: Meeting, anchor: str = ""):
    return redirect(reverse("governance:meeting", args=[meeting.pk]) + (f"#{anchor}" if anchor else ""))


@require_GET
def meeting_detail(request, pk: int):
    organisation, _membership, is_pilot = access(request)
    meeting = _meeting(organisation, pk)
    pack, frozen, pack_unavailable = selectors.meeting_pack(meeting)
    attendances = {a.member_id: a for a in meeting.attendances.select_related("member", "member__direction")}
    members = list(meeting.committee.members.select_related("direction").order_by("name"))
    attendance_rows = [(m, attendances.get(m.pk)) for m in members if m.is_active or m.pk in attendances]
    today = timezone.localdate()
    actions = list(meeting.corrective_actions.select_related("owner_direction").order_by("due_date", "pk"))
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "committee": meeting.committee,
            "agenda": list(meeting.agenda_items.all()),
            "attendance_rows": attendance_rows,
            "attendance_recorded": bool(attendances),
            "decisions": list(
                meeting.decisions.select_related("indicator", "commitment", "direction", "created_by")
            ),
            "actions": [(a, selectors.is_overdue(a, today)) for a in actions],
            "pack": pack,
            "frozen": frozen,
            "pack_unavailable": pack_unavailable,
            "is_pilot": is_pilot,
            "is_planned": meeting.status == MeetingStatus.PLANNED,
            "is_cancelled": meeting.status == MeetingStatus.CANCELLED,
            "can_hold": is_pilot and meeting.status == MeetingStatus.PLANNED and meeting.date <= today,
            "agenda_form": AgendaItemForm() if is_pilot and meeting.status == MeetingStatus.PLANNED else None,
            "today": today,
            "breadcrumbs": _meeting_crumbs(meeting),
        },
    )


def _meeting_values(form) -> dict:
    data = form.cleaned_data
    return {
        "on": data["date"],
        "start_time": data.get("start_time"),
        "location": data.get("location", ""),
        "validates_annual_review": data.get("validates_annual_review", False),
        "annual_review_year": data.get("annual_review_year"),
    }


@require_http_methods(["GET", "POST"])
def meeting_create(request, committee_pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    committee = _committee(organisation, committee_pk)
    initial = {"date": request.GET.get("date")} if request.GET.get("date") else {}
    form = MeetingForm(request.POST or None, initial=initial, committee=committee)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_plan(
                committee=committee, membership=membership, user=request.user, **_meeting_values(form)
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Séance du {meeting.date:%d/%m/%Y} planifiée.")
            return _back(meeting)
    return render(
        request,
        "governance/form_page.html",
        {
            "form": form,
            "title": f"Planifier une séance : {committee.name}",
            "submit": "Planifier la séance",
            "cancel_url": reverse("governance:committee", args=[committee.pk]),
            "breadcrumbs": crumbs(
                (committee.name, reverse("governance:committee", args=[committee.pk])),
                ("Planifier une séance", ""),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    meeting = _meeting(organisation, pk)
    initial = {
        "date": meeting.date,
        "start_time": meeting.start_time,
        "location": meeting.location,
        "validates_annual_review": meeting.validates_annual_review,
        "annual_review_year": meeting.annual_review_year,
    }
    form = MeetingForm(request.POST or None, initial=initial, committee=meeting.committee)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, membership=membership, **_meeting_values(form))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Séance enregistrée.")
            return _back(meeting)
    return render(
        request,
        "governance/form_page.html",
        {
            "form": form,
            "title": f"Modifier la séance du {meeting.date:%d/%m/%Y}",
            "cancel_url": reverse("governance:meeting", args=[meeting.pk]),
            "breadcrumbs": _meeting_crumbs(meeting, ("Modifier", "")),
        },
    )


def _confirm(request, meeting, *, action: str, title: str, explanation: list[str], button: str, danger=False):
    return render(
        request,
        "governance/confirm.html",
        {
            "meeting": meeting,
            "title": title,
            "explanation": explanation,
            "action_url": reverse(action, args=[meeting.pk]),
            "button": button,
            "danger": danger,
            "breadcrumbs": _meeting_crumbs(meeting, (title, "")),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_hold(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    meeting = _meeting(organisation, pk)
    if request.method == "POST":
        try:
            # The JSON is frozen now; its PDF and XLSX are rendered from it by the worker (seconds of layout,
            # kept out of the request), or at the first download if that comes first.
            services.hold_meeting(meeting, membership, request.user, timezone.localdate(), render_files=False)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            transaction.on_commit(functools.partial(render_pack_files, meeting.pk))
            messages.success(
                request,
                "Séance tenue : son dossier est figé (JSON conservé avec son empreinte SHA-256 ; le PDF et "
                "le XLSX sont produits à partir de ce JSON et conservés de même).",
            )
        return _back(meeting, "dossier")
    return _confirm(
        request,
        meeting,
        action="governance:meeting_hold",
        title="Tenir la séance",
        explanation=[
            f"Le dossier de la séance du {meeting.date:%d/%m/%Y} sera construit à partir des données "
            "d'aujourd'hui puis figé : ses versions JSON, PDF et XLSX seront conservées avec leur empreinte "
            "SHA-256 et ne changeront plus, même après un nouvel import.",
            "La date, l'heure, le lieu et l'ordre du jour ne seront plus modifiables. Les présences, le "
            "compte rendu, les décisions et les actions correctives pourront encore être enregistrés.",
        ],
        button="Tenir la séance et figer le dossier",
    )


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    meeting = _meeting(organisation, pk)
    if request.method == "POST":
        try:
            services.meeting_cancel(meeting=meeting, membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Séance du {meeting.date:%d/%m/%Y} annulée.")
        return _back(meeting)
    return _confirm(
        request,
        meeting,
        action="governance:meeting_cancel",
        title="Annuler la séance",
        explanation=[
            "La séance restera dans le calendrier comme annulée ; rien ne pourra plus y être enregistré.",
        ],
        button="Annuler la séance",
        danger=True,
    )


# --- Agenda ----------------------------------------------------------------------------------------------


@require_POST
def agenda_add(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    meeting = _meeting(organisation, pk)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_add(meeting=meeting, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Point ajouté à l'ordre du jour.")
            return _back(meeting, "ordre-du-jour")
    messages.error(
        request, "Point non ajouté : " + " ".join(e for errors in form.errors.values() for e in errors)
    )
    return _back(meeting, "ordre-du-jour")


def _item(organisation, pk: int) -> AgendaItem:
    item = (
        AgendaItem.objects.filter(meeting__committee__organisation=organisation, pk=pk)
        .select_related("meeting__committee__organisation")
        .first()
    )
    if item is None:
        raise Http404("Point de l'ordre du jour introuvable.")
    return item


@require_POST
def agenda_move(request, pk: int, way: str):
    organisation, membership, _is_pilot = access(request, pilot=True)
    item = _item(organisation, pk)
    try:
        services.agenda_move(item=item, membership=membership, up=way == "monter")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(item.meeting, "ordre-du-jour")


@require_POST
def agenda_remove(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    item = _item(organisation, pk)
    try:
        services.agenda_remove(item=item, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Point « {item.title} » retiré de l'ordre du jour.")
    return _back(item.meeting, "ordre-du-jour")


# --- Minutes: attendance, text, decisions, corrective actions --------------------------------------------


@require_http_methods(["GET", "POST"])
def attendance(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    meeting = _meeting(organisation, pk)
    current = {a.member_id: a for a in meeting.attendances.all()}
    members = [m for m in meeting.committee.members.order_by("name") if m.is_active or m.pk in current]
    form = AttendanceForm(request.POST or None, members=members, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(meeting=meeting, membership=membership, statuses=form.statuses())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Présences enregistrées.")
            return _back(meeting, "presences")
    return render(
        request,
        "governance/attendance_form.html",
        {"form": form, "meeting": meeting, "breadcrumbs": _meeting_crumbs(meeting, ("Présences", ""))},
    )


@require_http_methods(["GET", "POST"])
def minutes(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    meeting = _meeting(organisation, pk)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_update(
                meeting=meeting, membership=membership, minutes=form.cleaned_data["minutes"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Compte rendu enregistré.")
            return _back(meeting, "compte-rendu")
    return render(
        request,
        "governance/form_page.html",
        {
            "form": form,
            "title": f"Compte rendu de la séance du {meeting.date:%d/%m/%Y}",
            "lead": "Le compte rendu peut être rédigé après la séance : il ne modifie pas le dossier figé.",
            "cancel_url": reverse("governance:meeting", args=[meeting.pk]) + "#compte-rendu",
            "breadcrumbs": _meeting_crumbs(meeting, ("Compte rendu", "")),
        },
    )


def _decision(organisation, pk: int) -> Decision:
    decision = (
        Decision.objects.filter(meeting__committee__organisation=organisation, pk=pk)
        .select_related("meeting__committee__organisation")
        .first()
    )
    if decision is None:
        raise Http404("Décision introuvable dans votre organisation.")
    return decision


@require_http_methods(["GET", "POST"])
def decision_form(request, meeting_pk: int | None = None, pk: int | None = None):
    organisation, membership, _is_pilot = access(request, pilot=True)
    decision = _decision(organisation, pk) if pk else None
    meeting = decision.meeting if decision else _meeting(organisation, meeting_pk)
    initial = (
        {
            "text": decision.text,
            "indicator": decision.indicator_id,
            "commitment": decision.commitment_id,
            "direction": decision.direction_id,
        }
        if decision
        else {}
    )
    form = DecisionForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.decision_save(
                meeting=meeting,
                membership=membership,
                user=request.user,
                decision=decision,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Décision enregistrée.")
            return _back(meeting, "decisions")
    return render(
        request,
        "governance/form_page.html",
        {
            "form": form,
            "title": ("Modifier une décision" if decision else "Enregistrer une décision")
            + f" : séance du {meeting.date:%d/%m/%Y}",
            "lead": "Une décision peut être rattachée à un indicateur, un engagement ou une direction.",
            "cancel_url": reverse("governance:meeting", args=[meeting.pk]) + "#decisions",
            "breadcrumbs": _meeting_crumbs(meeting, ("Modifier la décision" if decision else "Décision", "")),
        },
    )


@require_POST
def decision_remove(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    decision = _decision(organisation, pk)
    try:
        decisions.decision_remove(decision=decision, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Décision supprimée.")
    return _back(decision.meeting, "decisions")


@require_http_methods(["GET", "POST"])
def action_create(request, pk: int):
    organisation, membership, _is_pilot = access(request, pilot=True)
    meeting = _meeting(organisation, pk)
    initial = {}
    if request.GET.get("decision"):
        initial["decision"] = request.GET["decision"]
    form = CorrectiveActionForm(
        request.POST or None, initial=initial, organisation=organisation, meeting=meeting
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = decisions.corrective_action_create(
                meeting=meeting, membership=membership, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Action corrective « {action.title} » enregistrée.")
            return _back(meeting, "actions")
    return render(
        request,
        "governance/form_page.html",
        {
            "form": form,
            "title": f"Nouvelle action corrective : séance du {meeting.date:%d/%m/%Y}",
            "lead": "L'action est reportée dans le dossier de chaque séance suivante jusqu'à sa clôture ; "
            "les référents de la direction pilote la mettent à jour.",
            "cancel_url": reverse("governance:meeting", args=[meeting.pk]) + "#actions",
            "breadcrumbs": _meeting_crumbs(meeting, ("Action corrective", "")),
        },
    )


urlpatterns = [
    path("comites/<int:committee_pk>/seances/planifier/", meeting_create, name="meeting_create"),
    path("seances/<int:pk>/", meeting_detail, name="meeting"),
    path("seances/<int:pk>/modifier/", meeting_edit, name="meeting_edit"),
    path("seances/<int:pk>/tenir/", meeting_hold, name="meeting_hold"),
    path("seances/<int:pk>/annuler/", meeting_cancel, name="meeting_cancel"),
    path("seances/<int:pk>/ordre-du-jour/ajouter/", agenda_add, name="agenda_add"),
    path("ordre-du-jour/<int:pk>/monter/", agenda_move, {"way": "monter"}, name="agenda_up"),
    path("ordre-du-jour/<int:pk>/descendre/", agenda_move, {"way": "descendre"}, name="agenda_down"),
    path("ordre-du-jour/<int:pk>/retirer/", agenda_remove, name="agenda_remove"),
    path("seances/<int:pk>/presences/", attendance, name="attendance"),
    path("seances/<int:pk>/compte-rendu/", minutes, name="minutes"),
    path("seances/<int:meeting_pk>/decisions/ajouter/", decision_form, name="decision_add"),
    path("decisions/<int:pk>/modifier/", decision_form, name="decision_edit"),
    path("decisions/<int:pk>/supprimer/", decision_remove, name="decision_remove"),
    path("seances/<int:pk>/actions/nouvelle/", action_create, name="action_create"),
]
