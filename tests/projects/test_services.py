"""Project writes: creation (reference, direction, need review, referral), update (validation in French,
referral applied again, never the stage) and the linking of contracts (the organisation's only)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from spaser.contracts.models import Contract
from spaser.organisations.models import Buyer
from spaser.projects import services
from spaser.projects.models import NeedReview, ReferralRule
from spaser.projects.stages import Stage

from .conftest import make_project, member

pytestmark = pytest.mark.django_db
SIRET = "22930008201453"


def contract(uid, siret=SIRET):
    return Contract.objects.create(
        uid=uid,
        buyer_siret=siret,
        contract_id=uid[-5:],
        object=f"Marché {uid}",
        cpv="45210000",
        cpv_division="45",
        amount=Decimal("100000"),
        raw={},
        content_hash=uid,
    )


@pytest.fixture
def buyer(world):
    return Buyer.objects.create(organisation=world.organisation, identifier=SIRET, name="Département")


def test_references_follow_each_other_in_the_year(world):
    year = timezone.localdate().year
    first, second = make_project(world), make_project(world)
    assert (first.reference, second.reference) == (f"P-{year}-001", f"P-{year}-002")
    assert NeedReview.objects.filter(project__in=[first, second]).count() == 2


def test_a_referent_creates_for_its_own_direction_whatever_it_asks(world):
    project = make_project(world, direction=world.resource)  # asked by the prescribing referent
    assert project.direction == world.prescribing
    assert project.created_by == world.prescribing_referent


def test_the_pilot_chooses_the_direction(world):
    project = make_project(world, user=world.pilot, direction=world.resource)
    assert project.direction == world.resource
    with pytest.raises(ValidationError, match="Direction : choisissez"):
        make_project(world, user=world.pilot, direction=None)


def test_committee_members_do_not_create_projects(world):
    with pytest.raises(PermissionDenied):
        make_project(world, user=world.committee_member)


def test_creation_validates_in_french(world):
    with pytest.raises(ValidationError) as error:
        make_project(
            world, planned_launch_date=date(2026, 12, 1), planned_notification_date=date(2026, 11, 1)
        )
    assert (
        "Notification prévue : elle ne peut pas précéder"
        in error.value.message_dict["planned_notification_date"][0]
    )
    with pytest.raises(ValidationError) as error:
        make_project(world, cpv="4521")
    assert error.value.message_dict["cpv"] == [
        "Le code CPV doit comporter 8 chiffres (sans la clé de contrôle)."
    ]


def test_a_renewed_contract_outside_the_perimeter_is_refused(world, buyer):
    foreign = contract("21750001600019X0001", siret="21750001600019")
    with pytest.raises(ValidationError) as error:
        make_project(world, renewed_contract=foreign)
    assert error.value.message_dict["renewed_contract"] == [
        "Marché renouvelé : ce marché n'est pas dans le périmètre de l'organisation."
    ]


def test_update_applies_the_referral_rules_again_and_never_the_stage(world):
    project = make_project(world)
    assert not project.advices.exists()
    ReferralRule.objects.create(
        organisation=world.organisation,
        resource_direction=world.resource,
        name="Gros montants",
        min_amount=Decimal("1000000"),
    )
    services.project_update(
        project=project,
        membership=member(world, world.prescribing_referent),
        estimated_amount=Decimal("2000000"),
    )
    project.refresh_from_db()
    assert project.estimated_amount == Decimal("2000000")
    assert project.advices.get().resource_direction == world.resource
    assert project.stage == Stage.NEED
    with pytest.raises(TypeError):
        services.project_update(project=project, membership=member(world, world.pilot), stage=Stage.CLOSING)


@pytest.mark.parametrize("role", ["resource_referent", "committee_member"])
def test_read_only_members_do_not_update(world, role):
    project = make_project(world)
    with pytest.raises(PermissionDenied):
        services.project_update(
            project=project, membership=member(world, getattr(world, role)), title="Autre"
        )
    project.refresh_from_db()
    assert project.title != "Autre"


def test_linking_contracts_only_of_the_organisation(world, buyer):
    project = make_project(world)
    own = contract(f"{SIRET}M0001")
    foreign = contract("21750001600019X0002", siret="21750001600019")
    with pytest.raises(ValidationError, match="21750001600019X0002"):
        services.project_link_contracts(
            project=project, membership=member(world, world.prescribing_referent), contracts=[own, foreign]
        )
    assert not project.contracts.exists()
    services.project_link_contracts(
        project=project, membership=member(world, world.prescribing_referent), contracts=[own]
    )
    assert list(project.contracts.all()) == [own]
