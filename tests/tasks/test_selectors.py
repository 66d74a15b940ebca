"""Who has which task: need reviews for the referents of the project's direction, advice for the referents of
the resource direction asked, renewal decisions for the referents of the contract's direction, blocked
projects for the pilot; the pilot sees everything, committee members nothing. Overdue first, then by date."""

from datetime import timedelta

import pytest

from spaser.projects import workflow
from spaser.projects.models import AdviceStatus, Outcome
from spaser.projects.stages import Stage
from spaser.tasks import selectors
from spaser.tasks.selectors import ADVICE, BLOCKED, NEED_REVIEW, RENEWAL
from tests.factories import UserFactory

from .conftest import (
    TODAY,
    advice_of,
    days,
    decide_need_review,
    make_contract,
    make_project,
    member,
    months,
    move_to,
    review,
)

pytestmark = pytest.mark.django_db


def tasks(world, user, kind=None):
    groups = selectors.tasks_for(user, world.organisation, TODAY)
    found = [task for each in groups for task in each.tasks]
    return [task for task in found if kind is None or task.kind == kind]


def references(world, user, kind):
    return [task.reference for task in tasks(world, user, kind)]


def kinds(world, user):
    return [each.kind for each in selectors.tasks_for(user, world.organisation, TODAY)]


def test_each_role_has_its_kinds_of_task(world):
    assert kinds(world, world.pilot) == [NEED_REVIEW, ADVICE, RENEWAL, BLOCKED]
    assert kinds(world, world.prescribing_referent) == [NEED_REVIEW, RENEWAL]
    assert kinds(world, world.resource_referent) == [NEED_REVIEW, ADVICE, RENEWAL]
    assert selectors.tasks_for(world.committee_member, world.organisation, TODAY) == []
    # A member of another organisation has nothing here.
    assert selectors.tasks_for(world.outsider, world.organisation, TODAY) == []


def test_need_review_to_fill_for_the_referents_of_the_project_direction(world):
    project = make_project(world, planned_launch_date=days(40))
    other = make_project(
        world,
        user=world.other_prescribing_referent,
        title="Fournitures scolaires",
        cpv="30192000",
        nature="supplies",
        planned_launch_date=days(20),
    )
    assert references(world, world.prescribing_referent, NEED_REVIEW) == [project.reference]
    assert references(world, world.other_prescribing_referent, NEED_REVIEW) == [other.reference]
    assert references(world, world.resource_referent, NEED_REVIEW) == []
    assert references(world, world.pilot, NEED_REVIEW) == [other.reference, project.reference]

    task = tasks(world, world.prescribing_referent, NEED_REVIEW)[0]
    assert task.due == days(40)
    assert task.due_label == "Lancement prévu"
    assert not task.overdue
    assert task.direction == world.prescribing
    assert task.title == project.title

    # Decided: no more task; the other one stays.
    decide_need_review(project)
    assert references(world, world.prescribing_referent, NEED_REVIEW) == []
    assert references(world, world.pilot, NEED_REVIEW) == [other.reference]


def test_need_review_of_a_project_owned_by_a_resource_direction(world):
    project = make_project(
        world,
        user=world.resource_referent,
        title="Marché d'études écologiques",
        cpv="90711000",
        nature="services",
    )
    assert project.direction == world.resource
    assert references(world, world.resource_referent, NEED_REVIEW) == [project.reference]
    assert references(world, world.prescribing_referent, NEED_REVIEW) == []


def test_need_review_gone_once_the_project_left_need_definition(world):
    project = make_project(world, planned_launch_date=days(40))
    decide_need_review(project)
    move_to(world, project, Stage.SOURCING)
    # The review reopened as pending would not matter either: the project is past need definition.
    project.need_review.outcome = Outcome.PENDING
    project.need_review.save()
    assert references(world, world.pilot, NEED_REVIEW) == []


def test_need_review_overdue_when_the_planned_launch_passed(world):
    late = make_project(world, title="Éclairage public", planned_launch_date=days(-3))
    undated = make_project(world, title="Mobilier urbain", planned_launch_date=None)
    soon = make_project(world, title="Signalisation", planned_launch_date=days(10))
    found = tasks(world, world.prescribing_referent, NEED_REVIEW)
    assert [t.reference for t in found] == [late.reference, soon.reference, undated.reference]
    assert [t.overdue for t in found] == [True, False, False]
    assert found[2].due is None
    assert found[2].due_label == "Lancement non planifié"


def test_advice_to_give_for_the_resource_direction_asked(world):
    project = make_project(world, planned_launch_date=days(60))  # CPV 45: referred to DTER by the rule
    advice = advice_of(project, world.resource)
    assert advice.deadline == TODAY + timedelta(days=15)
    found = tasks(world, world.resource_referent, ADVICE)
    assert [t.reference for t in found] == [project.reference]
    assert found[0].due == advice.deadline
    assert not found[0].overdue
    assert found[0].note == "Demandé — avis obligatoire"
    assert found[0].direction == world.resource
    # Another resource direction, the prescribing referents and the committee do not give it.
    assert tasks(world, world.other_resource_referent, ADVICE) == []
    assert tasks(world, world.prescribing_referent, ADVICE) == []
    # The pilot sees every advice to give.
    assert references(world, world.pilot, ADVICE) == [project.reference]


def test_advice_overdue_in_progress_and_given(world):
    project = make_project(world, planned_launch_date=days(60))
    advice = advice_of(project, world.resource)
    advice.deadline = days(-1)
    advice.status = AdviceStatus.IN_PROGRESS
    advice.save()
    found = tasks(world, world.resource_referent, ADVICE)
    assert found[0].overdue
    assert found[0].note == "En cours — avis obligatoire"
    advice.status = AdviceStatus.GIVEN
    advice.save()
    assert tasks(world, world.resource_referent, ADVICE) == []
    advice.status = AdviceStatus.NOT_NEEDED
    advice.save()
    assert tasks(world, world.pilot, ADVICE) == []


def test_advice_on_an_abandoned_project_is_no_task(world):
    project = make_project(world, planned_launch_date=days(60))
    workflow.move(
        project=project,
        to_stage=Stage.ABANDONED,
        membership=member(world, world.pilot),
        user=world.pilot,
        comment="Besoin supprimé.",
    )
    assert tasks(world, world.resource_referent, ADVICE) == []
    assert tasks(world, world.pilot, NEED_REVIEW) == []


def test_renewal_decisions_pending_for_the_direction_within_three_months(world):
    soon = make_contract(world, end_date=months(2))
    overdue = make_contract(world, end_date=days(-20))
    deadline = make_contract(world, end_date=months(14), renewal_deadline=days(30))
    make_contract(world, end_date=months(5))  # beyond 3 months: not yet a task
    other = make_contract(world, end_date=months(1), direction=world.other_prescribing)
    make_contract(world, end_date=months(1), direction=None, object="Marché sans direction")

    found = tasks(world, world.prescribing_referent, RENEWAL)
    assert [t.reference for t in found] == [overdue.uid, deadline.uid, soon.uid]
    assert [t.overdue for t in found] == [True, False, False]
    assert [t.due for t in found] == [days(-20), days(30), months(2)]
    assert found[1].due_label == "Date limite de reconduction"
    assert found[0].note == "Revue à ouvrir"
    assert references(world, world.other_prescribing_referent, RENEWAL) == [other.uid]
    # No contract of the resource direction here; the pilot sees all, those without direction too.
    assert references(world, world.resource_referent, RENEWAL) == []
    assert len(tasks(world, world.pilot, RENEWAL)) == 5


def test_renewal_review_in_progress_stays_decided_goes(world):
    contract = make_contract(world, end_date=months(2))
    review(contract, decided=False, user=world.prescribing_referent)
    found = tasks(world, world.prescribing_referent, RENEWAL)
    assert found[0].note == "Revue en cours, décision à prendre"
    contract.renewal_reviews.update(decision="renew", justification="Besoin toujours présent.")
    assert tasks(world, world.prescribing_referent, RENEWAL) == []
    # An overdue contract with a decided review is no task either.
    late = make_contract(world, end_date=days(-10))
    review(late, decided=True)
    assert tasks(world, world.pilot, RENEWAL) == []


def test_estimated_end_date_said(world):
    make_contract(world, end_date=months(1), end_date_estimated=True)
    assert tasks(world, world.prescribing_referent, RENEWAL)[0].due_label == "Date de fin estimée"


def _blocked_project(world, *, title, deadline):
    project = make_project(world, title=title, planned_launch_date=days(90))
    decide_need_review(project)
    move_to(world, project, Stage.DOCUMENTS)
    advice = advice_of(project, world.resource)
    advice.deadline = deadline
    advice.save()
    return project


def test_projects_blocked_by_missing_advice_for_the_pilot_only(world):
    blocked = _blocked_project(world, title="Réfection de la chaussée", deadline=days(-5))
    _blocked_project(world, title="Piste cyclable", deadline=days(5))  # not late yet: not blocked
    found = tasks(world, world.pilot, BLOCKED)
    assert [t.reference for t in found] == [blocked.reference]
    assert found[0].overdue
    assert found[0].due == days(-5)
    assert found[0].note == "Avis manquant : DTER (projet de la direction DV)"
    for user in (world.prescribing_referent, world.resource_referent, world.committee_member):
        assert tasks(world, user, BLOCKED) == []


def test_blocked_project_released_by_the_advice_or_the_override(world):
    project = _blocked_project(world, title="Réfection de la chaussée", deadline=days(-5))
    workflow.override_advices(
        project=project, membership=member(world, world.pilot), user=world.pilot, reason="Urgence sanitaire."
    )
    assert tasks(world, world.pilot, BLOCKED) == []
    second = _blocked_project(world, title="Piste cyclable", deadline=days(-2))
    assert references(world, world.pilot, BLOCKED) == [second.reference]
    advice = advice_of(second, world.resource)
    advice.status = AdviceStatus.GIVEN
    advice.save()
    assert tasks(world, world.pilot, BLOCKED) == []


def test_overdue_first_then_by_due_date(world):
    later = make_contract(world, end_date=months(2))
    late_recent = make_contract(world, end_date=days(-2))
    sooner = make_contract(world, end_date=days(10))
    late_old = make_contract(world, end_date=days(-40))
    assert references(world, world.prescribing_referent, RENEWAL) == [
        late_old.uid,
        late_recent.uid,
        sooner.uid,
        later.uid,
    ]


def test_query_count_does_not_grow_with_the_tasks(world, django_assert_max_num_queries):
    def populate(n):
        for i in range(n):
            make_project(world, title=f"Travaux {i}", planned_launch_date=days(30 + i))
            _blocked_project(world, title=f"Voirie {i}", deadline=days(-1 - i))
            make_contract(world, end_date=days(10 + i))

    def count():
        return sum(len(each.tasks) for each in selectors.tasks_for(world.pilot, world.organisation, TODAY))

    populate(2)
    with django_assert_max_num_queries(7):
        small = count()
    populate(8)
    with django_assert_max_num_queries(7):
        large = count()
    assert large > small >= 10


def test_superuser_without_membership_acts_as_pilot(world):
    admin = UserFactory(username="admin-taches", is_superuser=True, is_staff=True)
    contract = make_contract(world, end_date=months(1), direction=world.other_prescribing)
    assert references(world, admin, RENEWAL) == [contract.uid]
