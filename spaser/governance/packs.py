"""The meeting pack (docs/governance.md, schema `spaser-pack/1`): one JSON document per committee and meeting
date, built from live data — the stored indicator values, the renewal radar, purchase projects and advice,
registers, contracts, corrective actions. The meeting page shows it as a preview; holding the meeting stores
it (with its PDF and XLSX) and it is never rebuilt.

**Period of the figures.** « Year to date » is January to the end of the last complete month before the
meeting (`pack_period`: « C11 », cumul à fin novembre, for a meeting in December; the previous year « A »
for a meeting in January) — the same period as the COPIL sections (copil.pack_period). The figures of that
period and of the same period a year earlier are **computed when the pack is built** (indicators.selectors.
live_figures: the engine's grouped pass at the organisation scope; manual indicators: their stored values),
whatever periods the stored values cover; each figure carries its data date.

**Previous meeting.** The latest meeting of the same committee held before the meeting date; its frozen pack
is what status changes are compared with, and corrective actions closed since its date are listed.

Every section is a function in `sections/`; a section whose data Spaser does not have says so with
`{"available": false, "reason": …}` — never an empty list that would read as « none ».
"""

from __future__ import annotations

from datetime import date

from django.db.models import Max
from django.utils import timezone

from spaser.indicators.periods import MONTHS, Period

from .models import CommitteeKind, Meeting, MeetingStatus
from .sections import PackContext, iso, jsonable, pack_period, unavailable
from .sections.actions import corrective_actions, late_actions
from .sections.alerts import alerts
from .sections.decisions import decisions
from .sections.indicators import indicators, load_figures, off_track, status_changes
from .sections.projects import awaiting_advice, projects_in_preparation
from .sections.renewals import renewals

SCHEMA = "spaser-pack/1"
_FIND = object()  # build_pack(previous=…) not given: the previous held meeting is looked up


def period_label(period: Period) -> str:
    if period.key == "A":
        return f"année {period.year} complète"
    return f"cumul de janvier à fin {MONTHS[period.months[-1] - 1]} {period.year}"


def previous_meeting(committee, *, on: date, meeting: Meeting | None = None) -> Meeting | None:
    """The latest meeting of `committee` held before `on` (never `meeting` itself)."""
    held = Meeting.objects.held().filter(committee=committee, date__lt=on)
    if meeting is not None and meeting.pk is not None:
        held = held.exclude(pk=meeting.pk)
    return held.order_by("-date", "-pk").first()


def data_date(contracts) -> date | None:
    """The day the contract data of the perimeter last changed (import or register), Europe/Paris."""
    latest = contracts.aggregate(latest=Max("updated_at"))["latest"]
    return timezone.localtime(latest).date() if latest else None


def _copil_sections(context: PackContext) -> dict:
    from . import copil  # part G4's module: imported only for a COPIL pack

    if context.scheme is None:
        reason = "Aucun schéma enregistré pour l'organisation : pas de trajectoire ni de tableau de bord."
        trajectory, scorecards = unavailable(reason), unavailable(reason)
    else:
        trajectory = copil.trajectory(context.scheme, context.on)
        scorecards = copil.scorecards(context.scheme, context.on)
    return {
        "trajectory": trajectory,
        "scorecards": scorecards,
        "annual_review": copil.annual_review(context.committee, context.on, meeting=context.meeting),
    }


def build_pack(committee, *, on: date, meeting: Meeting | None = None, previous=_FIND) -> dict:
    """The pack of `committee` for a meeting on `on` (of `meeting` when given), as JSON data.

    `previous`: the meeting to compare with; by default the latest meeting of the committee held before `on`.
    """
    if meeting is not None and meeting.committee_id != committee.pk:
        raise ValueError("La séance n'appartient pas à ce comité.")
    organisation = committee.organisation
    if previous is _FIND:
        previous = previous_meeting(committee, on=on, meeting=meeting)
    context = PackContext(
        committee=committee,
        organisation=organisation,
        scheme=organisation.schemes.current().first(),
        on=on,
        period=pack_period(on),
        meeting=meeting,
        previous=previous,
    )
    load_figures(context)
    scheme = context.scheme
    pack = {
        "schema": SCHEMA,
        "committee": {
            "kind": committee.kind,
            "kind_label": CommitteeKind(committee.kind).label,
            "name": committee.name,
        },
        "meeting": {
            "id": meeting.pk if meeting else None,
            "date": iso(on),
            "status": meeting.status if meeting else None,
            "status_label": MeetingStatus(meeting.status).label if meeting else "Aperçu hors séance",
        },
        "organisation": {"name": organisation.name, "siren": organisation.siren},
        "scheme": {"slug": scheme.slug, "title": scheme.title} if scheme else None,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "data_date": iso(data_date(context.contracts())),
        "period": {
            "year": context.period.year,
            "key": context.period.key,
            "label": period_label(context.period),
        },
        "previous_meeting": {"id": previous.pk, "date": iso(previous.date)} if previous else None,
        "indicators": indicators(context),
        "status_changes": status_changes(context),
        "off_track": off_track(context),
        "renewals": renewals(context),
        "awaiting_advice": awaiting_advice(context),
        "projects_in_preparation": projects_in_preparation(context),
        "alerts": alerts(context),
        "corrective_actions": corrective_actions(context),
        "late_actions": late_actions(context),
        "decisions": decisions(context),
    }
    if committee.kind == CommitteeKind.COPIL:
        pack.update(_copil_sections(context))
    return jsonable(pack)
