"""The need review service: the questionnaire (section D only for renewals), the outcome and its French
validation, who decided and when, who may write it and the lock once the project left need definition."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from spaser.contracts.models import Contract
from spaser.organisations.models import Buyer
from spaser.projects import reviews, workflow
from spaser.projects.models import NeedReview, Outcome
from spaser.projects.stages import Stage

from .conftest import make_project, member

pytestmark = pytest.mark.django_db


def update(
    world, project, *, user=None, answers=None, outcome=Outcome.PENDING, justification="", avoided=None
):
    user = user or world.prescribing_referent
    return reviews.review_update(
        project=project,
        membership=member(world, user),
        user=user,
        answers=answers or {},
        outcome=outcome,
        justification=justification,
        avoided_amount=avoided,
    )


def renewed_contract(world):
    Buyer.objects.create(organisation=world.organisation, identifier="22930008201453", name="Département")
    return Contract.objects.create(
        uid="22930008201453R0001",
        buyer_siret="22930008201453",
        contract_id="R0001",
        object="Nettoyage des collèges",
        cpv="90910000",
        cpv_division="90",
        amount=Decimal("400000"),
        notification_date=date(2022, 9, 1),
        notification_year=2022,
        raw={},
        content_hash="r1",
    )


def test_the_project_starts_with_an_undecided_review(world):
    project = make_project(world)
    review = project.need_review
    assert review.outcome == Outcome.PENDING
    assert not review.is_decided
    assert review.reviewer is None


def test_a_decision_records_the_answers_who_and_when(world):
    project = make_project(world)
    review = update(
        world,
        project,
        answers={
            "a_still_needed": {"answer": "yes", "comment": " Collège en service "},
            "c_carbon_energy": {"answer": "yes", "comment": ""},
            "unknown_question": {"answer": "yes"},
            "b_pool": {"answer": "maybe"},
        },
        outcome=Outcome.REDUCE,
        justification="Surface réduite de moitié.",
        avoided=Decimal("120000"),
    )
    review.refresh_from_db()
    assert review.outcome == Outcome.REDUCE
    assert review.reviewer == world.prescribing_referent
    assert review.reviewed_at is not None
    assert review.avoided_amount == Decimal("120000")
    assert review.answers["a_still_needed"] == {"answer": "yes", "comment": "Collège en service"}
    assert review.answers["b_pool"]["answer"] == "unknown"
    assert "unknown_question" not in review.answers
    assert review.covers_carbon_energy
    assert review.history.first().history_user == world.prescribing_referent


def test_section_d_is_kept_only_for_renewals(world):
    answers = {"d_results_reviewed": {"answer": "yes", "comment": "Heures réalisées"}}
    project = make_project(world)
    review = update(world, project, answers=answers)
    assert not any(key.startswith("d_") for key in review.answers)
    assert [s.key for s in reviews.sections_for(project)] == ["A", "B", "C"]
    renewal = make_project(world, renewed_contract=renewed_contract(world))
    review = update(world, renewal, answers=answers)
    assert review.answers["d_results_reviewed"] == {"answer": "yes", "comment": "Heures réalisées"}
    assert [s.key for s in reviews.sections_for(renewal)] == ["A", "B", "C", "D"]


def test_a_decision_needs_a_justification(world):
    project = make_project(world)
    with pytest.raises(ValidationError) as error:
        update(world, project, outcome=Outcome.POOL, justification="  ")
    assert error.value.message_dict == {
        "justification": ["Justification : elle est obligatoire dès que l'issue de la revue est décidée."]
    }
    assert NeedReview.objects.get(project=project).outcome == Outcome.PENDING


def test_the_amount_avoided_cannot_be_negative(world):
    project = make_project(world)
    with pytest.raises(ValidationError) as error:
        update(world, project, outcome=Outcome.STOP, justification="Besoin supprimé.", avoided=Decimal("-1"))
    assert error.value.message_dict["avoided_amount"] == ["Montant évité : il ne peut pas être négatif."]


def test_buying_as_planned_avoids_nothing(world):
    project = make_project(world)
    with pytest.raises(ValidationError) as error:
        update(world, project, outcome=Outcome.BUY, justification="Besoin confirmé.", avoided=Decimal("5000"))
    assert "« acheter comme prévu » n'évite aucune dépense" in error.value.message_dict["avoided_amount"][0]
    review = update(
        world, project, outcome=Outcome.BUY, justification="Besoin confirmé.", avoided=Decimal("0")
    )
    assert review.outcome == Outcome.BUY


def test_an_unknown_outcome_is_refused(world):
    project = make_project(world)
    with pytest.raises(ValidationError, match="Issue de la revue"):
        update(world, project, outcome="maybe", justification="?")


def test_back_to_pending_clears_who_decided(world):
    project = make_project(world)
    update(world, project, outcome=Outcome.RENT, justification="Location moins chère.")
    review = update(world, project, outcome=Outcome.PENDING)
    assert review.reviewer is None
    assert review.reviewed_at is None


def test_a_later_edit_keeps_the_first_decider(world):
    project = make_project(world)
    first = update(world, project, outcome=Outcome.RENT, justification="Location moins chère.")
    decided_at = first.reviewed_at
    again = update(world, project, user=world.pilot, outcome=Outcome.RENT, justification="Location : 3 ans.")
    assert again.reviewer == world.prescribing_referent
    assert again.reviewed_at == decided_at
    assert again.justification == "Location : 3 ans."


@pytest.mark.parametrize("role", ["resource_referent", "committee_member"])
def test_members_who_only_read_cannot_write_the_review(world, role):
    project = make_project(world)
    with pytest.raises(PermissionDenied):
        update(world, project, user=getattr(world, role), outcome=Outcome.STOP, justification="Non.")
    assert NeedReview.objects.get(project=project).outcome == Outcome.PENDING


def test_once_the_project_left_need_definition_only_the_pilot_corrects_the_review(world):
    project = make_project(world)
    update(world, project, outcome=Outcome.BUY, justification="Besoin confirmé.")
    workflow.move(
        project=project,
        to_stage=Stage.SOURCING,
        membership=member(world, world.prescribing_referent),
        user=world.prescribing_referent,
    )
    with pytest.raises(PermissionDenied, match="Seul le pilote"):
        update(world, project, outcome=Outcome.REDUCE, justification="Finalement moins.")
    assert not reviews.can_edit_review(member(world, world.prescribing_referent), project)
    assert reviews.can_edit_review(member(world, world.pilot), project)
    review = update(
        world, project, user=world.pilot, outcome=Outcome.REDUCE, justification="Finalement moins."
    )
    assert review.outcome == Outcome.REDUCE
    with pytest.raises(ValidationError, match="ne peut plus revenir"):
        update(world, project, user=world.pilot, outcome=Outcome.PENDING)
