"""Shared fixtures of the governance tests: the register world of tests/factories.py (one user per role, a
prescribing and a resource direction, a scheme with an indicator and targets) with its COTECH and COPIL."""

from datetime import date

import pytest

from spaser.governance.models import Committee, CommitteeKind, CommitteeMember, Meeting
from spaser.organisations.selectors import membership_for
from tests.factories import build_register


@pytest.fixture
def world(db):
    world = build_register()
    # Packs compute figures live from the data, except manual indicators, which they read as stored: the
    # register's indicator is manual here so that tests can set its figures (test_packs.store).
    world.indicator.method = "manual"
    world.indicator.params = {}
    world.indicator.save()
    world.cotech = Committee.objects.create(
        organisation=world.organisation, kind=CommitteeKind.COTECH, name="COTECH achats responsables"
    )
    world.copil = Committee.objects.create(
        organisation=world.organisation, kind=CommitteeKind.COPIL, name="COPIL du SPASER", frequency_months=6
    )
    world.cotech_member = CommitteeMember.objects.create(
        committee=world.cotech,
        name="Nadia Benali",
        function="Référente",
        direction=world.resource,
        user=world.resource_referent,
    )
    return world


def member(world, user):
    return membership_for(user, world.organisation)


def meeting(committee, on: date, **fields) -> Meeting:
    return Meeting.objects.create(committee=committee, date=on, **fields)
