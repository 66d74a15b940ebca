"""The project state machine: every move and its guards (review missing or « stop », advice missing and the
pilot's override, Loi Climat before and after 22 August 2026 and around the EU threshold, execution without a
contract, back and abandon without a comment, illegal jumps), and every move recorded."""

import itertools
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from spaser.contracts.models import Contract
from spaser.organisations.models import Buyer
from spaser.projects import climate, reviews, selectors, workflow
from spaser.projects.models import Advice, AdviceStatus, Outcome, Project, ReferralRule, Transition
from spaser.projects.stages import ORDER, Stage, allowed_targets

from .conftest import make_project, member

pytestmark = pytest.mark.django_db


def decide(world, project, outcome=Outcome.BUY, user=None):
    user = user or world.prescribing_referent
    return reviews.review_update(
        project=project,
        membership=member(world, user),
        user=user,
        answers={},
        outcome=outcome,
        justification="Besoin confirmé par l'analyse fonctionnelle.",
        avoided_amount=None,
    )


def move(world, project, to_stage, *, user=None, comment=""):
    user = user or world.prescribing_referent
    return workflow.move(
        project=project, to_stage=to_stage, membership=member(world, user), user=user, comment=comment
    )


def contract_of(world, uid="22930008201453M0001"):
    Buyer.objects.get_or_create(
        organisation=world.organisation, identifier="22930008201453", defaults={"name": "Département"}
    )
    return Contract.objects.create(
        uid=uid,
        buyer_siret="22930008201453",
        contract_id=uid[-5:],
        object="Travaux de rénovation énergétique",
        cpv="45210000",
        cpv_division="45",
        amount=Decimal("850000"),
        notification_date=date(2026, 3, 1),
        notification_year=2026,
        raw={},
        content_hash=uid,
    )


def planned(**fields):
    """Considerations that make a works project conform to the Loi Climat."""
    values = {"env_clause": True, "env_criterion": True, "social_clause": True}
    values.update(fields)
    return values


def new_project(world, **fields):
    """A project whose considerations conform to the Loi Climat (today is after 22 August 2026), unless the
    test says otherwise."""
    return make_project(world, **planned(**fields))


def walk_to(world, project, stage, *, user=None):
    """Move the project forward, stage by stage, until `stage` (review decided, contracts linked)."""
    decide(world, project)
    for target in ORDER[1 : ORDER.index(stage) + 1]:
        if target == Stage.EXECUTION and not project.contracts.exists():
            project.contracts.add(contract_of(world))
        move(world, project, target, user=user)
    project.refresh_from_db()
    return project


def test_a_new_project_starts_at_need_definition_without_transition(world):
    project = new_project(world)
    assert project.stage == Stage.NEED
    assert project.reference.startswith(f"P-{timezone.localdate().year}-")
    assert not project.transitions.exists()


def test_leaving_need_definition_requires_a_decided_review(world):
    project = new_project(world)
    with pytest.raises(ValidationError) as error:
        move(world, project, Stage.SOURCING)
    assert "revue du juste besoin doit être menée et décidée" in str(error.value)
    project.refresh_from_db()
    assert project.stage == Stage.NEED
    assert not Transition.objects.exists()


def test_a_review_concluding_stop_only_lets_the_project_be_abandoned(world):
    project = new_project(world)
    decide(world, project, Outcome.STOP)
    with pytest.raises(ValidationError, match="renoncer à l'achat"):
        move(world, project, Stage.SOURCING)
    move(world, project, Stage.ABANDONED, comment="Besoin supprimé après la revue.")
    project.refresh_from_db()
    assert project.stage == Stage.ABANDONED


def test_the_whole_process_from_need_to_closing_records_every_move(world):
    project = new_project(world, planned_launch_date=date(2026, 5, 1))
    walk_to(world, project, Stage.CLOSING)
    assert project.stage == Stage.CLOSING
    moves = list(project.transitions.values_list("from_stage", "to_stage"))
    assert moves == list(itertools.pairwise(ORDER))
    first = project.transitions.first()
    assert first.user == world.prescribing_referent
    assert first.at is not None
    assert allowed_targets(Stage.CLOSING) == []


def test_illegal_jumps_are_refused(world):
    project = new_project(world)
    decide(world, project)
    for target in (Stage.STRATEGY, Stage.AWARD, Stage.EXECUTION, Stage.CLOSING):
        with pytest.raises(ValidationError, match="une étape à la fois"):
            move(world, project, target)
    walk_to(world, project, Stage.NOTIFICATION)
    with pytest.raises(ValidationError, match="une étape à la fois"):
        move(world, project, Stage.ABANDONED, comment="Trop tard : un marché est notifié.")
    with pytest.raises(ValidationError, match="une étape à la fois"):
        move(world, project, Stage.NEED, comment="Retour en arrière de plusieurs étapes.")


def test_stepping_back_and_abandoning_need_a_comment(world):
    project = new_project(world)
    walk_to(world, project, Stage.STRATEGY)
    with pytest.raises(ValidationError, match="motif du retour"):
        move(world, project, Stage.SOURCING, comment="   ")
    with pytest.raises(ValidationError, match="motif de l'abandon"):
        move(world, project, Stage.ABANDONED)
    transition = move(world, project, Stage.SOURCING, comment="  Sourcing inclusif à compléter. ")
    assert (transition.from_stage, transition.to_stage) == (Stage.STRATEGY, Stage.SOURCING)
    assert transition.comment == "Sourcing inclusif à compléter."


def test_an_abandoned_project_is_final(world):
    project = new_project(world)
    move(world, project, Stage.ABANDONED, comment="Le besoin a disparu.")
    for target in (Stage.NEED, Stage.SOURCING):
        with pytest.raises(ValidationError):
            move(world, project, target, comment="Reprise")


def with_required_advice(world, project):
    return Advice.objects.create(
        project=project,
        resource_direction=world.resource,
        required=True,
        status=AdviceStatus.REQUESTED,
        deadline=date(2026, 1, 31),
    )


def test_launching_the_consultation_requires_the_required_advice(world):
    project = new_project(world, planned_launch_date=date(2026, 5, 1))
    advice = with_required_advice(world, project)
    walk_to(world, project, Stage.DOCUMENTS)
    found = workflow.blockers(project, Stage.AWARD)
    assert [b.overridable for b in found] == [True]
    with pytest.raises(ValidationError, match="Avis obligatoires non rendus"):
        move(world, project, Stage.AWARD)
    advice.status = AdviceStatus.GIVEN
    advice.save()
    move(world, project, Stage.AWARD)
    project.refresh_from_db()
    assert project.stage == Stage.AWARD
    assert project.launched_on == timezone.localdate()


def test_an_advice_not_required_or_without_object_does_not_block(world):
    project = new_project(world, planned_launch_date=date(2026, 5, 1))
    advice = with_required_advice(world, project)
    advice.status = AdviceStatus.NOT_NEEDED
    advice.save()
    walk_to(world, project, Stage.AWARD)
    assert project.stage == Stage.AWARD


def test_the_pilot_override_lets_the_consultation_launch_without_the_advice(world):
    project = new_project(world, planned_launch_date=date(2026, 5, 1))
    with_required_advice(world, project)
    walk_to(world, project, Stage.DOCUMENTS)
    workflow.override_advices(
        project=project, membership=member(world, world.pilot), user=world.pilot, reason="Urgence impérieuse."
    )
    project.refresh_from_db()
    assert project.advice_override_reason == "Urgence impérieuse."
    assert project.advice_override_by == world.pilot
    assert project.advice_override_at is not None
    assert project.history.first().advice_override_reason == "Urgence impérieuse."  # audited
    move(world, project, Stage.AWARD)
    project.refresh_from_db()
    assert project.stage == Stage.AWARD


@pytest.mark.parametrize("role", ["prescribing_referent", "resource_referent", "committee_member"])
def test_only_the_pilot_overrides(world, role):
    project = new_project(world)
    with_required_advice(world, project)
    user = getattr(world, role)
    with pytest.raises(PermissionDenied):
        workflow.override_advices(
            project=project, membership=member(world, user), user=user, reason="Parce que."
        )
    project.refresh_from_db()
    assert project.advice_override_reason == ""


def test_the_pilot_of_another_organisation_does_not_override(world):
    project = new_project(world)
    with pytest.raises(PermissionDenied):
        workflow.override_advices(
            project=project,
            membership=_outsider_membership(world),
            user=world.outsider,
            reason="Autre organisation.",
        )


def _outsider_membership(world):
    from spaser.organisations.selectors import membership_for

    return membership_for(world.outsider, world.other_organisation)


def test_an_override_needs_a_reason(world):
    project = new_project(world)
    with pytest.raises(ValidationError, match="Motif"):
        workflow.override_advices(
            project=project, membership=member(world, world.pilot), user=world.pilot, reason="  "
        )
    project.refresh_from_db()
    assert not project.has_advice_override


def test_execution_requires_a_linked_contract(world):
    project = new_project(world, planned_launch_date=date(2026, 5, 1))
    decide(world, project)
    for target in ORDER[1 : ORDER.index(Stage.NOTIFICATION) + 1]:
        move(world, project, target)
    with pytest.raises(ValidationError, match="Rattachez au projet"):
        move(world, project, Stage.EXECUTION)
    project.contracts.add(contract_of(world))
    move(world, project, Stage.EXECUTION)
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION


def _launch_on(world, project, day):
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        return move(world, project, Stage.AWARD)


def test_loi_climat_does_not_apply_before_22_august_2026(world):
    project = make_project(
        world, planned_launch_date=date(2026, 8, 21), env_clause=False, env_criterion=False
    )
    walk_to(world, project, Stage.DOCUMENTS)
    _launch_on(world, project, date(2026, 8, 21))
    project.refresh_from_db()
    assert project.launched_on == date(2026, 8, 21)
    assert not climate.check(project).applies


def test_loi_climat_blocks_a_launch_from_22_august_2026_missing_a_clause(world):
    project = new_project(world, planned_launch_date=date(2026, 9, 1), env_clause=True, env_criterion=False)
    walk_to(world, project, Stage.DOCUMENTS)
    with pytest.raises(ValidationError, match=r"Loi Climat.*critère environnemental"):
        _launch_on(world, project, date(2026, 8, 22))
    project.refresh_from_db()
    assert project.stage == Stage.DOCUMENTS
    assert project.launched_on is None


def test_loi_climat_undecided_considerations_also_block(world):
    project = new_project(world, planned_launch_date=date(2026, 9, 1), env_clause=None)
    walk_to(world, project, Stage.DOCUMENTS)
    with pytest.raises(ValidationError, match="clause environnementale"):
        _launch_on(world, project, date(2026, 9, 1))


def test_loi_climat_derogation_reason_lets_the_launch_happen_but_not_conform(world):
    project = make_project(
        world,
        planned_launch_date=date(2026, 9, 1),
        env_clause=True,
        env_criterion=False,
        social_clause=True,
        climate_derogation="Marché de fournitures sans alternative environnementale disponible.",
    )
    walk_to(world, project, Stage.DOCUMENTS)
    _launch_on(world, project, date(2026, 9, 1))
    project.refresh_from_db()
    assert project.stage == Stage.AWARD
    assert climate.check(project).conforming is False


def test_loi_climat_social_clause_required_above_the_eu_threshold_only(world):
    # Works: EU threshold 5 404 000 € HT in 2026. Above it, the social clause is required too.
    above = new_project(
        world,
        estimated_amount=Decimal("6000000"),
        planned_launch_date=date(2026, 9, 1),
        **planned(social_clause=False),
    )
    walk_to(world, above, Stage.DOCUMENTS)
    with pytest.raises(ValidationError, match="clause sociale"):
        _launch_on(world, above, date(2026, 9, 1))
    below = new_project(
        world,
        estimated_amount=Decimal("900000"),
        planned_launch_date=date(2026, 9, 1),
        **planned(social_clause=False),
    )
    walk_to(world, below, Stage.DOCUMENTS)
    _launch_on(world, below, date(2026, 9, 1))
    below.refresh_from_db()
    assert below.stage == Stage.AWARD
    conformity = climate.check(below)
    assert conformity.applies
    assert not conformity.above_eu_threshold
    assert conformity.threshold == Decimal("5404000")
    assert conformity.conforming is True


def test_loi_climat_threshold_of_supplies_and_services(world):
    project = make_project(
        world,
        nature="services",
        cpv="90910000",
        estimated_amount=Decimal("216000"),
        planned_launch_date=date(2026, 9, 1),
    )
    conformity = climate.check(project)
    assert conformity.above_eu_threshold
    assert conformity.threshold == Decimal("216000")
    assert "clause sociale (marché au-dessus des seuils européens)" in conformity.undecided


@pytest.mark.parametrize("role", ["resource_referent", "committee_member"])
def test_members_who_only_read_cannot_move_the_project(world, role):
    project = new_project(world)
    decide(world, project)
    user = getattr(world, role)
    with pytest.raises(PermissionDenied):
        move(world, project, Stage.SOURCING, user=user)
    project.refresh_from_db()
    assert project.stage == Stage.NEED


def test_the_pilot_moves_any_project(world):
    project = new_project(world)
    decide(world, project)
    transition = move(world, project, Stage.SOURCING, user=world.pilot)
    assert transition.user == world.pilot


def test_a_move_sees_the_stage_in_the_database(world):
    """Two tabs on the same project: the second move is checked against the stage already changed."""
    project = new_project(world)
    decide(world, project)
    stale = Project.objects.get(pk=project.pk)
    move(world, project, Stage.SOURCING)
    with pytest.raises(ValidationError, match="une étape à la fois"):
        move(world, stale, Stage.SOURCING)
    assert Transition.objects.filter(project=project).count() == 1


def test_referral_rules_ask_the_advice_at_creation(world):
    ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="Travaux", cpv_prefixes="45"
    )
    project = new_project(world)
    advice = project.advices.get()
    assert advice.resource_direction == world.resource
    assert advice.required
    assert advice.status == AdviceStatus.REQUESTED
    assert advice.stage_at_request == Stage.NEED


def test_the_climate_state_of_a_project_not_launched_counts_from_today_at_the_earliest(world):
    project = make_project(world, planned_launch_date=None)
    assert selectors.climate_state(project, today=date(2026, 8, 1)) == "na"
    assert selectors.climate_state(project, today=date(2026, 9, 1)) == "todo"
    project.planned_launch_date = date(2026, 8, 1)  # planned in the past, still not launched
    assert selectors.climate_state(project, today=date(2026, 9, 1)) == "todo"
    project.env_clause = project.env_criterion = True  # 900 000 € of works: below the EU threshold
    assert selectors.climate_state(project, today=date(2026, 9, 1)) == "ok"
    project.env_criterion = False
    assert selectors.climate_state(project, today=date(2026, 9, 1)) == "ko"
    project.launched_on = date(2026, 8, 1)  # launched before the law: out of scope whatever today is
    assert selectors.climate_state(project, today=date(2026, 9, 1)) == "na"
