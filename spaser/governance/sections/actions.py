"""Follow-up of what was decided: the organisation's corrective actions (every open one, carried into each
pack until closed, and those closed since the previous held meeting of the committee) and the scheme's
actions past their due date and not done (`late_actions`)."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from spaser.governance.models import CLOSED, CorrectiveAction, CorrectiveActionUpdate, CorrectiveStatus
from spaser.schemes.models import Action, ActionStatus

from . import PackContext, direction_name, iso, local_day, unavailable

LATE_EXCLUDED = (ActionStatus.DONE, ActionStatus.ABANDONED)


def _user_label(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


def corrective_actions(context: PackContext) -> list[dict]:
    """Open actions decided at meetings up to the meeting date (whatever the committee), then those closed
    since the previous held meeting of this committee; by due date."""
    closed_recently = Q(status__in=CLOSED, closed_at__isnull=False)
    if context.previous is not None:
        closed_recently &= Q(closed_at__date__gt=context.previous.date)
    else:
        closed_recently = Q(pk__in=[])
    actions = (
        CorrectiveAction.objects.for_organisation(context.organisation)
        .filter(meeting__date__lte=context.on)
        .filter(~Q(status__in=CLOSED) | closed_recently)
        .select_related("owner_direction", "meeting__committee", "indicator", "commitment")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=CorrectiveActionUpdate.objects.select_related("by").order_by("at", "pk"),
            )
        )
        .order_by("due_date", "pk")
    )
    rows = []
    for action in actions:
        updates = list(action.updates.all())
        last = updates[-1] if updates else None
        is_open = action.status not in CLOSED
        rows.append(
            {
                "id": action.pk,
                "title": action.title,
                "owner_direction": direction_name(action.owner_direction),
                "due_date": iso(action.due_date),
                "status": action.status,
                "status_label": CorrectiveStatus(action.status).label,
                "open": is_open,
                "overdue": is_open and action.due_date < context.on,
                "decided_on": iso(action.meeting.date),
                "decided_by": action.meeting.committee.name,
                "expected_effect": action.expected_effect,
                "indicator": action.indicator.code if action.indicator else None,
                "commitment": action.commitment.code if action.commitment else None,
                "closed_on": local_day(action.closed_at),
                "updates": len(updates),
                "last_update": {
                    "date": local_day(last.at),
                    "status": last.status,
                    "status_label": CorrectiveStatus(last.status).label,
                    "comment": last.comment,
                    "by": _user_label(last.by),
                }
                if last
                else None,
            }
        )
    return rows


def late_actions(context: PackContext):
    """The scheme's actions past their due date at the meeting, neither done nor abandoned."""
    if context.scheme is None:
        return unavailable("Aucun schéma enregistré pour l'organisation : pas de plan d'actions à suivre.")
    actions = (
        Action.objects.filter(commitment__axis__scheme=context.scheme, due_date__lt=context.on)
        .exclude(status__in=LATE_EXCLUDED)
        .select_related("owner_direction", "commitment")
        .order_by("due_date", "commitment__code", "position", "pk")
    )
    return [
        {
            "title": action.title,
            "commitment": action.commitment.code,
            "owner_direction": direction_name(action.owner_direction),
            "due_date": iso(action.due_date),
            "days_late": (context.on - action.due_date).days,
            "status": action.status,
            "status_label": ActionStatus(action.status).label,
            "progress": action.progress,
        }
        for action in actions
    ]
