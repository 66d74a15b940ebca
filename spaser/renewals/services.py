"""Writes of renewal reviews: start, update, decide. Validation messages in French name the field."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spaser.contracts.models import Contract

from .models import Decision, RenewalReview
from .permissions import can_write_review
from .questionnaire import clean_answers
from .selectors import radar_date_of

NOT_ALLOWED = (
    "Seuls le pilote du schéma et les référents de la direction du marché peuvent renseigner sa revue."
)


def _check(membership, contract: Contract) -> None:
    if not can_write_review(membership, contract):
        raise PermissionDenied(NOT_ALLOWED)


@transaction.atomic
def review_start(*, contract: Contract, membership, user) -> RenewalReview:
    """The review of the contract's current radar date, opened if needed."""
    _check(membership, contract)
    due, _, _ = radar_date_of(contract)
    if due is None:
        raise ValidationError(
            {
                "due_date": "Ce marché n'a ni date de fin ni date limite de reconduction : impossible de "
                "planifier sa revue."
            }
        )
    review, _ = RenewalReview.objects.get_or_create(
        contract=contract, due_date=due, defaults={"started_by": user}
    )
    return review


def _validate(decision: str, justification: str, avoided_amount: Decimal | None) -> None:
    errors = {}
    if decision not in Decision.values:
        errors["decision"] = "Décision : choisissez une des décisions proposées."
    elif decision != Decision.PENDING and not justification.strip():
        errors["justification"] = "Justification : elle est obligatoire dès qu'une décision est prise."
    if avoided_amount is not None and avoided_amount < 0:
        errors["avoided_amount"] = "Montant évité : il ne peut pas être négatif."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_update(
    *,
    review: RenewalReview,
    membership,
    user,
    answers: dict,
    decision: str,
    justification: str,
    avoided_amount: Decimal | None,
) -> RenewalReview:
    """Save the questionnaire and the decision; a decision other than « à décider » records who and when
    (the decision, like every change, stays in the history)."""
    _check(membership, review.contract)
    _validate(decision, justification, avoided_amount)
    review.answers = clean_answers(answers)
    review.justification = justification.strip()
    review.avoided_amount = avoided_amount
    if decision != review.decision or (decision != Decision.PENDING and review.reviewed_at is None):
        review.reviewer = user if decision != Decision.PENDING else None
        review.reviewed_at = timezone.now() if decision != Decision.PENDING else None
    review.decision = decision
    review._history_user = user
    review.save()
    return review


def review_decide(
    *,
    review: RenewalReview,
    membership,
    user,
    decision: str,
    justification: str,
    avoided_amount: Decimal | None = None,
) -> RenewalReview:
    """Record a decision, keeping the questionnaire's answers."""
    if decision == Decision.PENDING:
        raise ValidationError({"decision": "Décision : choisissez la décision prise, pas « à décider »."})
    return review_update(
        review=review,
        membership=membership,
        user=user,
        answers=review.answers,
        decision=decision,
        justification=justification,
        avoided_amount=avoided_amount,
    )
