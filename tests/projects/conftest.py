"""Shared fixtures of the purchase projects tests: the register world of tests/factories.py (one user per
role, a prescribing and a resource direction) and a helper creating projects through the real service."""

from datetime import date
from decimal import Decimal

import pytest

from spaser.organisations.models import Buyer
from spaser.organisations.selectors import membership_for
from spaser.projects import services
from tests.factories import build_register

SIRET = "22930008201453"  # the demo buyer's


@pytest.fixture
def world(db):
    return build_register()


def member(world, user):
    return membership_for(user, world.organisation)


def make_project(world, *, user=None, **fields):
    """A project of the prescribing direction, created by its referent (or `user`) through the service."""
    user = user or world.prescribing_referent
    values = {
        "title": "Rénovation énergétique du collège Jean-Moulin",
        "cpv": "45210000",
        "nature": "works",
        "estimated_amount": Decimal("900000"),
        "duration_months": 12,
        "planned_launch_date": date(2026, 12, 1),
    }
    values.update(fields)
    direction = values.pop("direction", world.prescribing)
    return services.project_create(
        organisation=world.organisation,
        membership=member(world, user),
        user=user,
        direction=direction,
        **values,
    )


@pytest.fixture
def buyer(world):
    """The organisation's buyer whose contracts the projects link."""
    return Buyer.objects.create(organisation=world.organisation, identifier=SIRET, name="Département")
