"""The need review (*juste besoin*, domain.md §7) of a purchase project: the questionnaire of
spaser/renewals/questionnaire.py (section D only for renewals) and its outcome. Validation messages in French
name the field and the problem.

The review belongs to need definition: once the project has left it, only the pilot may still correct the
review (the stage moves relied on it), and never back to « à décider »."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spaser.renewals.questionnaire import SECTIONS, clean_answers

from .models import NeedReview, Outcome, Project
from .permissions import can_edit_project, is_pilot
from .stages import Stage

RENEWAL_SECTION = "D"
NOT_ALLOWED = (
    "Seuls le pilote du schéma et les référents de la direction du projet peuvent renseigner sa revue "
    "du besoin."
)
LOCKED = (
    "Le projet a quitté la définition du besoin : sa revue du juste besoin est close. Seul le pilote "
    "du schéma peut encore la corriger."
)


def is_renewal(project: Project) -> bool:
    return project.renewed_contract_id is not None


def sections_for(project: Project) -> tuple:
    """The questionnaire sections that apply: section D (renewal) only when the project renews a contract."""
    return tuple(s for s in SECTIONS if s.key != RENEWAL_SECTION or is_renewal(project))


def review_locked(project: Project) -> bool:
    """The review can no longer be edited by the direction (the project left need definition)."""
    return project.stage != Stage.NEED


def can_edit_review(membership, project: Project) -> bool:
    if not can_edit_project(membership, project):
        return False
    return not review_locked(project) or is_pilot(membership)


def kept_answers(project: Project, answers: dict | None) -> dict:
    """The cleaned answers of the sections that apply to the project."""
    keys = {q.key for section in sections_for(project) for q in section.questions}
    return {key: value for key, value in clean_answers(answers).items() if key in keys}


def _validate(project: Project, outcome: str, justification: str, avoided_amount: Decimal | None) -> None:
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Issue de la revue : choisissez une des issues proposées."
    elif outcome == Outcome.PENDING and review_locked(project):
        errors["outcome"] = (
            "Issue de la revue : le projet a quitté la définition du besoin, la revue ne peut plus revenir "
            "à « à décider »."
        )
    elif outcome != Outcome.PENDING and not justification.strip():
        errors["justification"] = (
            "Justification : elle est obligatoire dès que l'issue de la revue est décidée."
        )
    if avoided_amount is not None:
        if avoided_amount < 0:
            errors["avoided_amount"] = "Montant évité : il ne peut pas être négatif."
        elif outcome == Outcome.BUY and avoided_amount > 0:
            errors["avoided_amount"] = (
                "Montant évité : « acheter comme prévu » n'évite aucune dépense. Laissez le montant vide "
                "(ou à zéro), ou choisissez l'issue qui réduit le besoin (réduire, mutualiser, louer, "
                "réemployer, réparer, renoncer)."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_update(
    *,
    project: Project,
    membership,
    user,
    answers: dict,
    outcome: str,
    justification: str,
    avoided_amount: Decimal | None,
) -> NeedReview:
    """Save the questionnaire and the outcome of the project's need review; an outcome other than « à
    décider » records who decided and when (the history keeps every version)."""
    if not can_edit_project(membership, project):
        raise PermissionDenied(NOT_ALLOWED)
    if review_locked(project) and not is_pilot(membership):
        raise PermissionDenied(LOCKED)
    _validate(project, outcome, justification, avoided_amount)
    review, _ = NeedReview.objects.select_for_update().get_or_create(project=project)
    review.answers = kept_answers(project, answers)
    review.justification = justification.strip()
    review.avoided_amount = avoided_amount
    decided = outcome != Outcome.PENDING
    if outcome != review.outcome or (decided and review.reviewed_at is None):
        review.reviewer = user if decided else None
        review.reviewed_at = timezone.now() if decided else None
    review.outcome = outcome
    review._history_user = user
    review.save()
    project.need_review = review
    return review
