"""Review validation and who may write it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from spaser.organisations.selectors import membership_for
from spaser.renewals import services
from spaser.renewals.models import Decision, RenewalReview
from spaser.renewals.questionnaire import QUESTIONS

from .conftest import months


def _membership(world, user):
    return membership_for(user, world.organisation)


@pytest.fixture
def contract(world):
    return world.contract(end_date=months(3))


def test_review_is_keyed_on_the_current_radar_date(world, contract):
    review = services.review_start(
        contract=contract, membership=_membership(world, world.pilot), user=world.pilot
    )
    again = services.review_start(
        contract=contract, membership=_membership(world, world.pilot), user=world.pilot
    )
    assert review.pk == again.pk
    assert review.due_date == months(3)
    assert set(review.answers) == set(QUESTIONS)


def test_justification_required_unless_pending_and_amount_not_negative(world, contract):
    membership = _membership(world, world.pilot)
    review = services.review_start(contract=contract, membership=membership, user=world.pilot)
    common = {"review": review, "membership": membership, "user": world.pilot, "answers": {}}
    with pytest.raises(ValidationError) as error:
        services.review_update(**common, decision=Decision.POOL, justification=" ", avoided_amount=None)
    assert "Justification" in error.value.message_dict["justification"][0]
    with pytest.raises(ValidationError) as error:
        services.review_update(
            **common, decision=Decision.PENDING, justification="", avoided_amount=Decimal(-1)
        )
    assert "négatif" in error.value.message_dict["avoided_amount"][0]
    with pytest.raises(ValidationError):
        services.review_update(**common, decision="whatever", justification="x", avoided_amount=None)
    saved = services.review_update(**common, decision=Decision.PENDING, justification="", avoided_amount=None)
    assert saved.reviewed_at is None
    assert saved.reviewer is None


def test_decision_records_who_and_when_and_the_history(world, contract):
    membership = _membership(world, world.prescribing_referent)
    review = services.review_start(contract=contract, membership=membership, user=world.prescribing_referent)
    services.review_update(
        review=review,
        membership=membership,
        user=world.prescribing_referent,
        answers={"a_still_needed": {"answer": "no", "comment": "Service repris en régie"}, "bogus": {}},
        decision=Decision.STOP,
        justification="Plus de besoin.",
        avoided_amount=Decimal("12000"),
    )
    review.refresh_from_db()
    assert review.reviewer == world.prescribing_referent
    assert review.reviewed_at is not None
    assert review.answers["a_still_needed"] == {"answer": "no", "comment": "Service repris en régie"}
    assert "bogus" not in review.answers
    history = list(review.history.order_by("history_date"))
    assert [h.decision for h in history] == [Decision.PENDING, Decision.STOP]
    assert history[-1].history_user == world.prescribing_referent


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("pilot", True),
        ("prescribing_referent", True),  # referent of the contract's direction
        ("resource_referent", False),  # referent of another direction
        ("committee_member", False),
    ],
)
def test_who_may_write(world, contract, role, allowed):
    user = getattr(world, role)
    membership = _membership(world, user)
    if allowed:
        assert services.review_start(contract=contract, membership=membership, user=user)
    else:
        with pytest.raises(PermissionDenied):
            services.review_start(contract=contract, membership=membership, user=user)
        assert not RenewalReview.objects.exists()


def test_resource_referent_writes_contracts_of_its_direction(world):
    contract = world.contract(end_date=months(3), direction=world.resource)
    membership = _membership(world, world.resource_referent)
    assert services.review_start(contract=contract, membership=membership, user=world.resource_referent)
    with pytest.raises(PermissionDenied):
        services.review_start(
            contract=contract,
            membership=_membership(world, world.prescribing_referent),
            user=world.prescribing_referent,
        )
