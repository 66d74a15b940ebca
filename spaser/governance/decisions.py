"""Writes of what a meeting decides: its decisions, the corrective actions it launches and their follow-up by
the owner direction. Same rules as services.py (whose guards they use): permissions.py checked first
(PermissionDenied), French ValidationErrors naming the field, every model historised; decisions and actions
may still be recorded once the meeting is held, never in a cancelled one."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spaser.organisations.models import Direction
from spaser.schemes.models import Commitment, Indicator

from .models import CLOSED, CorrectiveAction, CorrectiveActionUpdate, CorrectiveStatus, Decision, Meeting
from .permissions import can_update_action
from .services import _blank, _check_direction, _current, _require_not_cancelled, _require_pilot

NOT_OWNER = "Seuls le pilote et les référents de la direction pilote mettent à jour cette action corrective."


# --- Decisions -------------------------------------------------------------------------------------------


def _link_errors(organisation, *, indicator=None, commitment=None, direction=None) -> dict:
    errors = {}
    if indicator is not None and indicator.commitment.axis.scheme.organisation_id != organisation.pk:
        errors["indicator"] = "Indicateur : il doit appartenir au schéma de l'organisation."
    if commitment is not None and commitment.axis.scheme.organisation_id != organisation.pk:
        errors["commitment"] = "Engagement : il doit appartenir au schéma de l'organisation."
    errors |= _check_direction(organisation, direction, "direction", "Direction")
    return errors


def decision_save(
    *,
    meeting: Meeting,
    membership,
    user,
    decision: Decision | None = None,
    text: str,
    indicator: Indicator | None = None,
    commitment: Commitment | None = None,
    direction: Direction | None = None,
) -> Decision:
    """Record a decision (decision=None) or edit one, before or after holding."""
    organisation = meeting.committee.organisation
    _require_pilot(membership, organisation)
    _require_not_cancelled(meeting)
    if decision is not None and decision.meeting_id != meeting.pk:
        raise ValidationError("Cette décision n'a pas été prise dans cette séance.")
    errors = _link_errors(organisation, indicator=indicator, commitment=commitment, direction=direction)
    if not _blank(text):
        errors["text"] = "Décision : indiquez le texte de la décision."
    if errors:
        raise ValidationError(errors)
    decision = decision or Decision(meeting=meeting, created_by=user)
    decision.text = _blank(text)
    decision.indicator = indicator
    decision.commitment = commitment
    decision.direction = direction
    decision.save()
    return decision


def decision_remove(*, decision: Decision, membership) -> None:
    meeting = _current(decision.meeting_id)
    _require_pilot(membership, meeting.committee.organisation)
    _require_not_cancelled(meeting)
    reports = list(decision.annual_reports.order_by("year", "version"))
    if reports:
        named = ", ".join(f"{report.year} (version {report.version})" for report in reports)
        raise ValidationError(
            f"Cette décision valide le rapport annuel {named} : elle ne peut pas être supprimée "
            "(rouvrez d'abord le rapport s'il n'est pas publié)."
        )
    decision.delete()


# --- Corrective actions ----------------------------------------------------------------------------------


def corrective_action_create(
    *,
    meeting: Meeting,
    membership,
    user,
    title: str,
    owner_direction: Direction | None,
    due_date: date | None,
    expected_effect: str,
    description: str = "",
    decision: Decision | None = None,
    indicator: Indicator | None = None,
    commitment: Commitment | None = None,
) -> CorrectiveAction:
    organisation = meeting.committee.organisation
    _require_pilot(membership, organisation)
    _require_not_cancelled(meeting)
    errors = _link_errors(organisation, indicator=indicator, commitment=commitment)
    if not _blank(title):
        errors["title"] = "Action : indiquez l'intitulé de l'action."
    if owner_direction is None:
        errors["owner_direction"] = "Direction pilote : choisissez la direction qui porte l'action."
    else:
        errors |= _check_direction(organisation, owner_direction, "owner_direction", "Direction pilote")
    if due_date is None:
        errors["due_date"] = "Échéance : indiquez la date à laquelle l'action doit être réalisée."
    elif due_date < meeting.date:
        errors["due_date"] = "Échéance : elle ne peut pas précéder la séance qui décide l'action."
    if not _blank(expected_effect):
        errors["expected_effect"] = "Effet attendu : décrivez ce que l'action doit changer."
    if decision is not None and decision.meeting_id != meeting.pk:
        errors["decision"] = "Décision : elle doit avoir été prise dans cette séance."
    if errors:
        raise ValidationError(errors)
    return CorrectiveAction.objects.create(
        organisation=organisation,
        meeting=meeting,
        decision=decision,
        title=_blank(title),
        description=_blank(description),
        owner_direction=owner_direction,
        due_date=due_date,
        expected_effect=_blank(expected_effect),
        indicator=indicator,
        commitment=commitment,
        created_by=user,
    )


@transaction.atomic
def corrective_action_update(
    *, action: CorrectiveAction, membership, user, status: str, comment: str
) -> CorrectiveActionUpdate:
    """A follow-up by the owner direction's referents or the pilot: the status set and a comment, kept as a
    CorrectiveActionUpdate; closing sets `closed_at`, reopening clears it."""
    if not can_update_action(membership, action):
        raise PermissionDenied(NOT_OWNER)
    errors = {}
    if status not in CorrectiveStatus.values:
        errors["status"] = "État : choisissez un état de la liste."
    if not _blank(comment):
        errors["comment"] = "Commentaire : expliquez où en est l'action."
    if errors:
        raise ValidationError(errors)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    action.status = status
    if status in CLOSED:
        action.closed_at = action.closed_at or timezone.now()
    else:
        action.closed_at = None
    action.save()
    return CorrectiveActionUpdate.objects.create(
        action=action, status=status, comment=_blank(comment), by=user
    )
