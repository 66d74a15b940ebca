"""Writes of governance: committees and members, meetings (plan, edit, cancel, agenda), holding a meeting
(freezing its pack) and attendance. What a meeting decides — decisions, corrective actions and their
follow-up — is written by decisions.py, with the guards below.

Every function checks permissions.py (PermissionDenied) and validates in French (ValidationError naming the
field); every model written is historised (django-simple-history).

What may change once a meeting is held: its date, time, place and agenda are fixed; the **minutes text**,
the attendance, the decisions and the corrective actions may still be recorded (minutes are often written
after the meeting). The frozen pack — its JSON, PDF and XLSX and their SHA-256 — never changes. A cancelled
meeting changes no more.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Committee,
    CommitteeKind,
    CommitteeMember,
    Meeting,
    MeetingStatus,
)
from .permissions import can_manage

NOT_PILOT = "Seul le pilote du schéma prépare les comités et leurs séances."


def _require_pilot(membership, organisation) -> None:
    if not can_manage(membership, organisation):
        raise PermissionDenied(NOT_PILOT)


def _blank(value: str | None) -> str:
    return (value or "").strip()


# --- Committees and members ------------------------------------------------------------------------------


def committee_create(
    *, organisation, membership, kind: str, name: str, description: str = "", frequency_months: int
) -> Committee:
    _require_pilot(membership, organisation)
    if kind not in CommitteeKind.values:
        raise ValidationError({"kind": "Type : choisissez COTECH ou COPIL."})
    if Committee.objects.filter(organisation=organisation, kind=kind).exists():
        raise ValidationError({"kind": "Type : l'organisation a déjà ce comité."})
    committee = Committee(organisation=organisation, kind=kind)
    return _committee_save(committee, name=name, description=description, frequency_months=frequency_months)


def committee_update(
    *, committee: Committee, membership, name: str, description: str = "", frequency_months: int
) -> Committee:
    _require_pilot(membership, committee.organisation)
    return _committee_save(committee, name=name, description=description, frequency_months=frequency_months)


def _committee_save(committee: Committee, *, name: str, description: str, frequency_months) -> Committee:
    errors = {}
    if not _blank(name):
        errors["name"] = "Nom : indiquez le nom du comité."
    if not frequency_months or not 1 <= int(frequency_months) <= 24:
        errors["frequency_months"] = "Périodicité : indiquez un nombre de mois entre 1 et 24."
    if errors:
        raise ValidationError(errors)
    committee.name = _blank(name)
    committee.description = _blank(description)
    committee.frequency_months = int(frequency_months)
    committee.save()
    return committee


def _check_direction(organisation, direction, field: str, label: str) -> dict:
    if direction is not None and direction.organisation_id != organisation.pk:
        return {field: f"{label} : elle doit être une direction de l'organisation."}
    return {}


def member_save(
    *,
    committee: Committee,
    membership,
    member: CommitteeMember | None = None,
    name: str,
    function: str = "",
    direction=None,
    user=None,
    email: str = "",
    is_active: bool = True,
) -> CommitteeMember:
    """Add a member to `committee` (member=None) or edit `member`."""
    organisation = committee.organisation
    _require_pilot(membership, organisation)
    if member is not None and member.committee_id != committee.pk:
        raise ValidationError("Ce membre n'appartient pas à ce comité.")
    errors = {}
    if not _blank(name):
        errors["name"] = "Nom : indiquez le nom du membre."
    errors |= _check_direction(organisation, direction, "direction", "Direction")
    if user is not None and not organisation.memberships.filter(user=user).exists():
        errors["user"] = "Compte Spaser : la personne doit être membre de l'organisation."
    if errors:
        raise ValidationError(errors)
    member = member or CommitteeMember(committee=committee)
    member.name = _blank(name)
    member.function = _blank(function)
    member.direction = direction
    member.user = user
    member.email = _blank(email)
    member.is_active = is_active
    member.save()
    return member


def member_remove(*, member: CommitteeMember, membership) -> bool:
    """Delete a member never recorded in an attendance; otherwise mark them former member (the minutes keep
    them). Returns True when deleted."""
    _require_pilot(membership, member.committee.organisation)
    if member.attendances.exists():
        member.is_active = False
        member.save(update_fields=["is_active"])
        return False
    member.delete()
    return True


# --- Meetings --------------------------------------------------------------------------------------------


def _meeting_errors(committee: Committee, *, on, validates_annual_review: bool, annual_review_year) -> dict:
    errors = {}
    if on is None:
        errors["date"] = "Date : indiquez la date de la séance."
    if validates_annual_review:
        if committee.kind != CommitteeKind.COPIL:
            errors["validates_annual_review"] = "Revue annuelle : seul un COPIL valide la revue annuelle."
        elif not annual_review_year:
            errors["annual_review_year"] = "Année de la revue : indiquez l'année de la revue validée."
    elif annual_review_year:
        errors["annual_review_year"] = (
            "Année de la revue : sans objet quand la séance ne valide pas la revue annuelle."
        )
    return errors


def meeting_plan(
    *,
    committee: Committee,
    membership,
    user,
    on: date,
    start_time=None,
    location: str = "",
    validates_annual_review: bool = False,
    annual_review_year: int | None = None,
) -> Meeting:
    _require_pilot(membership, committee.organisation)
    errors = _meeting_errors(
        committee,
        on=on,
        validates_annual_review=validates_annual_review,
        annual_review_year=annual_review_year,
    )
    if errors:
        raise ValidationError(errors)
    return Meeting.objects.create(
        committee=committee,
        date=on,
        start_time=start_time,
        location=_blank(location),
        validates_annual_review=validates_annual_review,
        annual_review_year=annual_review_year if validates_annual_review else None,
        created_by=user,
    )


def meeting_update(
    *,
    meeting: Meeting,
    membership,
    on: date,
    start_time=None,
    location: str = "",
    validates_annual_review: bool = False,
    annual_review_year: int | None = None,
) -> Meeting:
    """Edit a planned meeting (a held or cancelled one keeps its date, time and place)."""
    _require_pilot(membership, meeting.committee.organisation)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            f"Cette séance est {meeting.get_status_display().lower()} : sa date, son heure et son lieu ne "
            "changent plus."
        )
    errors = _meeting_errors(
        meeting.committee,
        on=on,
        validates_annual_review=validates_annual_review,
        annual_review_year=annual_review_year,
    )
    if errors:
        raise ValidationError(errors)
    meeting.date = on
    meeting.start_time = start_time
    meeting.location = _blank(location)
    meeting.validates_annual_review = validates_annual_review
    meeting.annual_review_year = annual_review_year if validates_annual_review else None
    meeting.save()
    return meeting


def meeting_cancel(*, meeting: Meeting, membership) -> Meeting:
    _require_pilot(membership, meeting.committee.organisation)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError("Seule une séance prévue peut être annulée.")
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def minutes_update(*, meeting: Meeting, membership, minutes: str) -> Meeting:
    """The minutes text, before or after holding (never for a cancelled meeting)."""
    _require_pilot(membership, meeting.committee.organisation)
    _require_not_cancelled(meeting)
    meeting.minutes = (minutes or "").strip()
    meeting.save(update_fields=["minutes", "updated_at"])
    return meeting


def _current(meeting_id: int) -> Meeting:
    """The meeting as stored now (its status may have changed since a related object cached it)."""
    return Meeting.objects.select_related("committee__organisation").get(pk=meeting_id)


def _require_not_cancelled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("Cette séance est annulée : rien ne s'y enregistre plus.")


def _require_planned(meeting: Meeting, what: str) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(
            f"Cette séance est {meeting.get_status_display().lower()} : {what} ne change plus."
        )


# --- Agenda ----------------------------------------------------------------------------------------------


def agenda_add(
    *, meeting: Meeting, membership, title: str, presenter: str = "", duration_minutes: int | None = None
) -> AgendaItem:
    _require_pilot(membership, meeting.committee.organisation)
    _require_planned(meeting, "l'ordre du jour")
    errors = {}
    if not _blank(title):
        errors["title"] = "Point : indiquez l'intitulé du point."
    if duration_minutes is not None and not 1 <= duration_minutes <= 600:
        errors["duration_minutes"] = "Durée : indiquez un nombre de minutes entre 1 et 600."
    if errors:
        raise ValidationError(errors)
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"]
    return AgendaItem.objects.create(
        meeting=meeting,
        position=(last or 0) + 1,
        title=_blank(title),
        presenter=_blank(presenter),
        duration_minutes=duration_minutes,
    )


@transaction.atomic
def agenda_move(*, item: AgendaItem, membership, up: bool) -> None:
    """Swap the item with its neighbour (positions renumbered 1…n)."""
    meeting = _current(item.meeting_id)
    _require_pilot(membership, meeting.committee.organisation)
    _require_planned(meeting, "l'ordre du jour")
    items = list(meeting.agenda_items.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if up else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])


@transaction.atomic
def agenda_remove(*, item: AgendaItem, membership) -> None:
    meeting = _current(item.meeting_id)
    _require_pilot(membership, meeting.committee.organisation)
    _require_planned(meeting, "l'ordre du jour")
    item.delete()
    for position, other in enumerate(meeting.agenda_items.order_by("position", "pk"), start=1):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])


# --- Holding: the pack is frozen -------------------------------------------------------------------------


def canonical_json(pack: dict) -> str:
    """The text whose SHA-256 is the pack's fingerprint (`Meeting.pack_sha256`)."""
    return json.dumps(pack, sort_keys=True, ensure_ascii=False)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hold_meeting(
    meeting: Meeting, membership, user, today: date | None = None, *, render_files: bool = True
) -> Meeting:
    """Record that a planned meeting was held (not before its date) and freeze its pack: the JSON built from
    live data for the meeting's date, its PDF and its XLSX, with their SHA-256 — all or nothing.
    `render_files=False` freezes the JSON only; the files are then rendered from it once, later
    (`ensure_pack_files`, the worker's `render_pack_files`): the demo holds its meetings so, PDF layout taking
    seconds."""
    from .packs import build_pack

    _require_pilot(membership, meeting.committee.organisation)
    today = today or timezone.localdate()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise ValidationError(
                f"Cette séance est {meeting.get_status_display().lower()} : seule une séance prévue peut "
                "être tenue."
            )
        if meeting.is_frozen:
            raise ValidationError("Le dossier de cette séance est déjà figé.")
        if meeting.date > today:
            raise ValidationError(
                f"La séance du {meeting.date:%d/%m/%Y} est à venir : elle ne peut être tenue qu'à partir "
                "de cette date."
            )
        meeting.status = MeetingStatus.HELD
        meeting.held_at = timezone.now()
        meeting.held_by = user
        pack = build_pack(meeting.committee, on=meeting.date, meeting=meeting)
        text = canonical_json(pack)
        meeting.pack = json.loads(text)
        meeting.pack_sha256 = sha256(text.encode("utf-8"))
        if render_files:
            _store_files(meeting)
        meeting.save()
    return meeting


def _store_files(meeting: Meeting) -> list[str]:
    """Render the missing files of a frozen pack from its JSON and set them with their SHA-256."""
    from .rendering import pack_pdf
    from .workbook import pack_xlsx

    changed = []
    for field, render in (("pack_pdf", pack_pdf), ("pack_xlsx", pack_xlsx)):
        if getattr(meeting, field) is None:
            content = bytes(render(meeting.pack))
            setattr(meeting, field, content)
            setattr(meeting, f"{field}_sha256", sha256(content))
            changed += [field, f"{field}_sha256"]
    return changed


def ensure_pack_files(meeting: Meeting) -> Meeting:
    """A held meeting's PDF and XLSX: rendered once from its frozen JSON if missing, then stored and never
    rendered again. Rendering (seconds) happens outside any transaction; each file is stored by one UPDATE
    only while still missing, so two workers never replace a stored file and no write lock is held while
    rendering (SQLite refuses a transaction that read before another one wrote)."""
    if not meeting.is_frozen or (meeting.pack_pdf is not None and meeting.pack_xlsx is not None):
        return meeting
    from .rendering import pack_pdf
    from .workbook import pack_xlsx

    for field, render in (("pack_pdf", pack_pdf), ("pack_xlsx", pack_xlsx)):
        if getattr(meeting, field) is None:
            content = bytes(render(meeting.pack))
            Meeting.objects.filter(pk=meeting.pk, **{f"{field}__isnull": True}).update(
                **{field: content, f"{field}_sha256": sha256(content)}
            )
    meeting.refresh_from_db()
    return meeting


# --- Attendance ------------------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, meeting: Meeting, membership, statuses: dict) -> int:
    """`statuses`: {CommitteeMember: (status or "", note)}; an empty status removes the record. Returns the
    number of records kept."""
    committee = meeting.committee
    _require_pilot(membership, committee.organisation)
    _require_not_cancelled(meeting)
    for member, (status, note) in statuses.items():
        if member.committee_id != committee.pk:
            raise ValidationError(f"{member.name} n'est pas membre de ce comité.")
        if status and status not in AttendanceStatus.values:
            raise ValidationError({f"member_{member.pk}": f"Présence de {member.name} : choix inconnu."})
        if not status:
            Attendance.objects.filter(meeting=meeting, member=member).delete()
            continue
        Attendance.objects.update_or_create(
            meeting=meeting, member=member, defaults={"status": status, "note": _blank(note)[:200]}
        )
    return meeting.attendances.count()
