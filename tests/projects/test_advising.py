"""The advice service and the pilot's rule and library services: validation and permissions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from spaser.organisations.models import DirectionKind
from spaser.projects import advising, workflow
from spaser.projects.models import Advice, AdviceStatus, ClauseKind, ClauseRecommendation, ReferralRule
from tests.factories import DirectionFactory, MembershipFactory

from .conftest import make_project, member


@pytest.fixture
def advice(world):
    ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="Travaux", cpv_prefixes="45"
    )
    project = make_project(world)
    return project.advices.get()


def clause(organisation, **fields):
    values = {
        "cpv_prefix": "45",
        "family": "Travaux",
        "kind": ClauseKind.ENV_CLAUSE,
        "title": "Chantier propre",
    }
    values.update(fields)
    return ClauseRecommendation.objects.create(organisation=organisation, text="Texte.", **values)


def give(world, advice, user=None, **kwargs):
    user = user or world.resource_referent
    values = {"status": AdviceStatus.GIVEN, "comment": ""}
    values.update(kwargs)
    return advising.advice_update(advice=advice, membership=member(world, user), user=user, **values)


def test_resource_referent_gives_the_advice_with_recommendations_and_clauses(world, advice):
    chosen = clause(world.organisation)
    give(
        world,
        advice,
        insertion_clause=True,
        insertion_hours=700,
        env_criterion=True,
        env_criterion_weight=15,
        reserved_lot=True,
        reserved_kind="L2113-13",
        clauses=[chosen],
        comment="Clause d'insertion et critère environnemental à 15 %.",
    )
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.GIVEN
    assert advice.given_by == world.resource_referent
    assert advice.given_at is not None
    assert advice.insertion_hours == 700
    assert list(advice.clauses.all()) == [chosen]
    assert advice.history.first().history_user == world.resource_referent
    # Given: the consultation is no longer blocked by this advice.
    assert workflow.missing_advices(advice.project) == []


def test_given_needs_a_text_or_a_recommendation(world, advice):
    with pytest.raises(ValidationError) as error:
        give(world, advice)
    assert "Avis : pour rendre l'avis" in error.value.message_dict["comment"][0]
    give(world, advice, sme_lots=False)  # « non » is an opinion
    assert Advice.objects.get(pk=advice.pk).status == AdviceStatus.GIVEN


def test_not_needed_needs_a_reason_and_reopening_clears_who_gave_it(world, advice):
    with pytest.raises(ValidationError, match="sans objet"):
        give(world, advice, status=AdviceStatus.NOT_NEEDED)
    give(world, advice, status=AdviceStatus.NOT_NEEDED, comment="Marché de maîtrise d'œuvre déjà couvert.")
    assert advice.given_by == world.resource_referent
    give(world, advice, status=AdviceStatus.IN_PROGRESS)
    advice.refresh_from_db()
    assert advice.given_by is None
    assert advice.given_at is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"env_criterion_weight": 20}, "env_criterion_weight", "seulement si un critère environnemental"),
        ({"env_criterion": False, "env_criterion_weight": 20}, "env_criterion_weight", "seulement si"),
        ({"env_criterion": True, "env_criterion_weight": 101}, "env_criterion_weight", "entre 1 et 100"),
        ({"env_criterion": True, "env_criterion_weight": 0}, "env_criterion_weight", "entre 1 et 100"),
        ({"insertion_hours": 300}, "insertion_hours", "seulement si une clause d'insertion"),
        ({"insertion_clause": False, "insertion_hours": 300}, "insertion_hours", "seulement si"),
        ({"reserved_kind": "L2113-12"}, "reserved_kind", "seulement si un lot réservé"),
        ({"reserved_lot": True, "reserved_kind": "L9999"}, "reserved_kind", "valeur inconnue"),
        ({"status": "perdu"}, "status", "valeur inconnue"),
    ],
)
def test_inconsistent_recommendations_are_refused_with_the_field_named(world, advice, fields, field, message):
    with pytest.raises(ValidationError) as error:
        give(world, advice, comment="Avis.", **fields)
    assert message in " ".join(error.value.message_dict[field])
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.REQUESTED


def test_clauses_must_come_from_the_organisation_library(world, advice):
    foreign = clause(world.other_organisation)
    with pytest.raises(ValidationError, match="bibliothèque de l'organisation"):
        give(world, advice, comment="Avis.", clauses=[foreign])


def test_only_the_pilot_and_the_asked_direction_write_the_advice(world, advice):
    other = DirectionFactory(organisation=world.organisation, kind=DirectionKind.RESOURCE)
    other_referent = MembershipFactory(
        organisation=world.organisation, resource_referent=True, direction=other
    ).user
    for user in (other_referent, world.prescribing_referent, world.committee_member, world.outsider):
        with pytest.raises(PermissionDenied):
            give(world, advice, user=user, comment="Avis.")
    give(world, advice, user=world.pilot, comment="Rendu par le pilote.")
    assert Advice.objects.get(pk=advice.pk).given_by == world.pilot


def test_pilot_requests_an_advice_by_hand_once(world):
    project = make_project(world)
    pilot = member(world, world.pilot)
    deadline = timezone.localdate() + timedelta(days=5)
    advice = advising.advice_request(
        project=project, direction=world.resource, membership=pilot, user=world.pilot, deadline=deadline
    )
    assert advice.rule is None
    assert advice.deadline == deadline
    assert advice.required is True
    assert advice.history.first().history_user == world.pilot
    with pytest.raises(ValidationError, match="déjà demandé"):
        advising.advice_request(project=project, direction=world.resource, membership=pilot, user=world.pilot)
    with pytest.raises(ValidationError, match="direction ressource de l'organisation"):
        advising.advice_request(
            project=project, direction=world.prescribing, membership=pilot, user=world.pilot
        )
    with pytest.raises(PermissionDenied):
        advising.advice_request(
            project=project,
            direction=world.resource,
            membership=member(world, world.prescribing_referent),
            user=world.prescribing_referent,
        )


def test_manual_request_default_deadline_and_past_deadline(world):
    project = make_project(world)
    pilot = member(world, world.pilot)
    with pytest.raises(ValidationError, match="passée"):
        advising.advice_request(
            project=project,
            direction=world.resource,
            membership=pilot,
            user=world.pilot,
            deadline=timezone.localdate() - timedelta(days=1),
        )
    advice = advising.advice_request(
        project=project, direction=world.resource, membership=pilot, user=world.pilot
    )
    assert advice.deadline == timezone.localdate() + timedelta(days=15)


def test_pilot_moves_a_deadline_others_cannot(world, advice):
    new = timezone.localdate() + timedelta(days=40)
    advising.advice_set_deadline(
        advice=advice, membership=member(world, world.pilot), user=world.pilot, deadline=new
    )
    assert Advice.objects.get(pk=advice.pk).deadline == new
    with pytest.raises(PermissionDenied):
        advising.advice_set_deadline(
            advice=advice,
            membership=member(world, world.resource_referent),
            user=world.resource_referent,
            deadline=new,
        )


# --- Rules and library ----------------------------------------------------------------------------------


def create_rule(world, user=None, **fields):
    user = user or world.pilot
    values = {"resource_direction": world.resource, "name": "Règle", "deadline_days": 15}
    values.update(fields)
    return advising.rule_create(
        organisation=world.organisation, membership=member(world, user), user=user, **values
    )


def test_rule_is_normalised_and_audited(world):
    rule = create_rule(
        world, cpv_prefixes="45 ;301,  77", keywords=" nettoyage , , espaces verts", natures=["works"]
    )
    assert rule.cpv_prefixes == "45, 301, 77"
    assert rule.keywords == "nettoyage, espaces verts"
    assert rule.history.first().history_user == world.pilot


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"cpv_prefixes": "4, 45"}, "cpv_prefixes", "« 4 » invalide"),
        ({"cpv_prefixes": "451234567"}, "cpv_prefixes", "de 2 à 8 chiffres"),
        ({"cpv_prefixes": "45a"}, "cpv_prefixes", "invalide"),
        ({"min_amount": Decimal("10"), "max_amount": Decimal("5")}, "max_amount", "supérieur ou égal"),
        ({"natures": ["food"]}, "natures", "valeur inconnue"),
        ({}, "all_projects", "au moins un critère"),
        ({"all_projects": True, "cpv_prefixes": "45"}, "all_projects", "décochez"),
    ],
)
def test_rule_validation(world, fields, field, message):
    with pytest.raises(ValidationError) as error:
        create_rule(world, **fields)
    assert message in " ".join(error.value.message_dict[field])
    assert not ReferralRule.objects.exists()


def test_rule_for_all_projects_must_be_explicit_and_refers_everything(world):
    rule = create_rule(world, all_projects=True)
    assert advising.is_all_projects(rule)
    assert make_project(world, cpv="30200000", nature="supplies").advices.count() == 1


def test_rule_direction_must_be_a_resource_direction_of_the_organisation(world):
    with pytest.raises(ValidationError, match="direction ressource de l'organisation"):
        create_rule(world, resource_direction=world.prescribing, cpv_prefixes="45")


def test_only_the_pilot_manages_rules_and_clauses(world):
    for user in (world.resource_referent, world.prescribing_referent, world.committee_member):
        with pytest.raises(PermissionDenied):
            create_rule(world, user=user, cpv_prefixes="45")
        with pytest.raises(PermissionDenied):
            advising.clause_create(
                organisation=world.organisation,
                membership=member(world, user),
                user=user,
                family="Tous",
                kind=ClauseKind.SOURCING,
                title="t",
                text="x",
            )


def test_deactivated_rule_stops_referring_but_keeps_existing_advice(world, advice):
    rule = advice.rule
    advising.rule_set_active(rule=rule, membership=member(world, world.pilot), user=world.pilot, active=False)
    assert make_project(world).advices.count() == 0
    assert Advice.objects.filter(pk=advice.pk).exists()


def test_clause_validation(world):
    pilot = member(world, world.pilot)

    def create(**fields):
        values = {"family": "Travaux", "kind": ClauseKind.ENV_CLAUSE, "title": "Titre", "text": "Texte"}
        values.update(fields)
        return advising.clause_create(
            organisation=world.organisation, membership=pilot, user=world.pilot, **values
        )

    with pytest.raises(ValidationError, match="de 2 à 8 chiffres, ou vide"):
        create(cpv_prefix="4")
    with pytest.raises(ValidationError, match="seulement pour un critère"):
        create(suggested_weight=10)
    created = create(kind=ClauseKind.ENV_CRITERION, suggested_weight=10, cpv_prefix="45")
    advising.clause_update(clause=created, membership=pilot, user=world.pilot, title="Nouveau titre")
    created.refresh_from_db()
    assert created.title == "Nouveau titre"
    assert created.history.count() == 2
