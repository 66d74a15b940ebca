import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from spaser.organisations.models import DirectionKind, Membership, Role
from spaser.organisations.permissions import (
    can_edit_register,
    can_update_action_progress,
    user_can_edit_register,
    user_can_update_action_progress,
    user_can_view,
)
from spaser.organisations.selectors import membership_for, organisation_for
from tests.factories import (
    ActionFactory,
    DirectionFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    build_register,
)

pytestmark = pytest.mark.django_db


def test_prescribing_referent_needs_a_prescribing_direction():
    organisation = OrganisationFactory()
    resource = DirectionFactory(organisation=organisation, kind=DirectionKind.RESOURCE, name="Écologie")
    membership = Membership(
        user=UserFactory(), organisation=organisation, role=Role.PRESCRIBING_REFERENT, direction=resource
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    message = error.value.message_dict["direction"][0]
    assert "direction prescriptrice" in message
    assert "direction ressource" in message


def test_resource_referent_needs_a_resource_direction():
    organisation = OrganisationFactory()
    prescribing = DirectionFactory(organisation=organisation, kind=DirectionKind.PRESCRIBING)
    membership = Membership(
        user=UserFactory(), organisation=organisation, role=Role.RESOURCE_REFERENT, direction=prescribing
    )
    with pytest.raises(ValidationError, match="direction ressource"):
        membership.full_clean()


def test_referent_needs_a_direction():
    membership = Membership(
        user=UserFactory(), organisation=OrganisationFactory(), role=Role.RESOURCE_REFERENT
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "rattaché à une direction" in error.value.message_dict["direction"][0]


def test_direction_must_belong_to_the_same_organisation():
    other_direction = DirectionFactory(kind=DirectionKind.PRESCRIBING)
    membership = Membership(
        user=UserFactory(),
        organisation=OrganisationFactory(),
        role=Role.PRESCRIBING_REFERENT,
        direction=other_direction,
    )
    with pytest.raises(ValidationError, match="même organisation"):
        membership.full_clean()


@pytest.mark.parametrize("trait", ["prescribing_referent", "resource_referent", "committee_member"])
def test_factory_memberships_are_valid(trait):
    MembershipFactory(**{trait: True}).full_clean()


def test_pilot_membership_is_valid():
    MembershipFactory().full_clean()


def test_organisation_for_members_non_members_and_superusers():
    register = build_register()
    assert organisation_for(register.pilot) == register.organisation
    assert organisation_for(UserFactory()) is None
    superuser = get_user_model().objects.create_superuser("admin", "admin@example.org", "mot-de-passe-admin")
    assert organisation_for(superuser) is not None


def test_superuser_acts_as_pilot_without_membership():
    register = build_register()
    superuser = get_user_model().objects.create_superuser("admin", "admin@example.org", "mot-de-passe-admin")
    membership = membership_for(superuser, register.organisation)
    assert membership.role == Role.PILOT
    assert membership.pk is None
    assert user_can_edit_register(superuser, register.organisation)


def test_membership_for_another_organisation_is_none():
    register = build_register()
    assert membership_for(register.outsider, register.organisation) is None
    assert not user_can_view(register.outsider, register.organisation)


def test_permission_rules():
    register = build_register()
    pilot = membership_for(register.pilot, register.organisation)
    referent = membership_for(register.prescribing_referent, register.organisation)
    resource_referent = membership_for(register.resource_referent, register.organisation)
    committee = membership_for(register.committee_member, register.organisation)

    assert can_edit_register(pilot)
    assert not can_edit_register(referent)
    assert not can_edit_register(resource_referent)
    assert not can_edit_register(committee)
    assert not can_edit_register(None)

    assert can_update_action_progress(pilot, register.action)
    assert can_update_action_progress(pilot, register.orphan_action)
    assert can_update_action_progress(referent, register.action)
    assert not can_update_action_progress(referent, register.resource_action)
    assert not can_update_action_progress(referent, register.orphan_action)
    assert can_update_action_progress(resource_referent, register.resource_action)
    assert not can_update_action_progress(resource_referent, register.action)
    assert not can_update_action_progress(committee, register.action)
    assert user_can_update_action_progress(register.prescribing_referent, register.action)
    assert not user_can_update_action_progress(register.outsider, register.action)


def test_referent_of_a_same_named_direction_elsewhere_cannot_update():
    register = build_register()
    foreign_action = ActionFactory()  # another organisation's scheme and direction
    referent = membership_for(register.prescribing_referent, register.organisation)
    assert not can_update_action_progress(referent, foreign_action)
