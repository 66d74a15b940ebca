"""Reads of governance for the pages: the calendar of the committees, the corrective-action log (filters,
counts, overdue), the pack shown on a meeting page (frozen once held, live preview before)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from .models import (
    CLOSED,
    Committee,
    CorrectiveAction,
    CorrectiveStatus,
    Meeting,
    MeetingStatus,
)

PAST_LIMIT = 12


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clipped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class CommitteeCalendar:
    committee: Committee
    upcoming: list = field(default_factory=list)
    last: Meeting | None = None
    proposed: date | None = None  # only when no meeting is planned


def proposed_date(committee: Committee, last: Meeting | None, today: date) -> date:
    """The next date from the periodicity: the last meeting (held or planned) plus `frequency_months`, moved
    forward by the periodicity until it is not in the past; today when the committee never met."""
    if last is None:
        return today
    steps = 1
    while (proposed := add_months(last.date, steps * committee.frequency_months)) < today:
        steps += 1  # counted from the last date: 31 Aug + 6 is 28 Feb, + 12 is 31 Aug again
    return proposed


def committees_for(organisation):
    return Committee.objects.filter(organisation=organisation).annotate(
        active_members=Count("members", filter=Q(members__is_active=True))
    )


def calendar_for(organisation, today: date) -> dict:
    """{"committees": [CommitteeCalendar], "upcoming": [Meeting], "past": [Meeting] (latest PAST_LIMIT)}."""
    meetings = Meeting.objects.for_organisation(organisation).select_related("committee")
    upcoming = list(meetings.filter(status=MeetingStatus.PLANNED).order_by("date", "start_time", "pk"))
    past = list(
        meetings.filter(
            Q(status=MeetingStatus.HELD) | Q(status=MeetingStatus.CANCELLED, date__lt=today)
        ).order_by("-date", "-pk")[:PAST_LIMIT]
    )
    rows = []
    for committee in committees_for(organisation):
        row = CommitteeCalendar(
            committee=committee, upcoming=[m for m in upcoming if m.committee_id == committee.pk]
        )
        row.last = committee.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("-date", "-pk").first()
        if not row.upcoming:
            row.proposed = proposed_date(committee, row.last, today)
        rows.append(row)
    return {"committees": rows, "upcoming": upcoming, "past": past}


def action_counts(organisation, today: date) -> dict:
    actions = CorrectiveAction.objects.for_organisation(organisation).open()
    return actions.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))


def actions_queryset(organisation, filters: dict, today: date):
    """The organisation's corrective actions, filtered: `status` (a status or "ouvertes"), `direction` (a
    Direction), `overdue` (True: open and past due)."""
    actions = (
        CorrectiveAction.objects.for_organisation(organisation)
        .select_related("owner_direction", "meeting", "meeting__committee")
        .order_by("due_date", "pk")
    )
    status = filters.get("status")
    if status == "ouvertes":
        actions = actions.open()
    elif status in CorrectiveStatus.values:
        actions = actions.filter(status=status)
    if filters.get("direction") is not None:
        actions = actions.filter(owner_direction=filters["direction"])
    if filters.get("overdue"):
        actions = actions.open().filter(due_date__lt=today)
    return actions


def is_overdue(action: CorrectiveAction, today: date) -> bool:
    return action.status not in CLOSED and action.due_date < today


def meeting_pack(meeting: Meeting) -> tuple[dict | None, bool, str]:
    """(pack, frozen, unavailable reason). A held meeting's frozen pack as stored; before holding, the pack
    built now from live data for the meeting's date (a preview); a cancelled meeting has none."""
    if meeting.is_frozen:
        return meeting.pack, True, ""
    if meeting.status == MeetingStatus.CANCELLED:
        return None, False, "Séance annulée : aucun dossier de séance."
    if meeting.status == MeetingStatus.HELD:
        return None, False, "Séance tenue sans dossier figé (enregistrée hors de Spaser)."
    from .packs import build_pack

    return build_pack(meeting.committee, on=meeting.date, meeting=meeting), False, ""
