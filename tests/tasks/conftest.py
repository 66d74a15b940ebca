"""The register world of tests/factories.py with a second prescribing and a second resource direction (each
with its referent), a buyer, a referral rule sending works projects to the resource direction, and helpers
creating projects (through the projects services), contracts and renewal reviews."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from spaser.contracts.end_dates import add_months
from spaser.contracts.models import Contract
from spaser.organisations.models import DirectionKind, Role
from spaser.projects import workflow
from spaser.projects.models import Advice, NeedReview, Outcome, ReferralRule
from spaser.projects.stages import Stage
from spaser.renewals.models import Decision, RenewalReview
from tests.factories import BuyerFactory, DirectionFactory, MembershipFactory, build_register
from tests.projects.conftest import make_project as _make_project
from tests.projects.conftest import member

TODAY = timezone.localdate()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def months(n: int) -> date:
    return add_months(TODAY, n)


@pytest.fixture
def world(db):
    world = build_register()
    organisation = world.organisation
    world.buyer = BuyerFactory(organisation=organisation)
    world.other_prescribing = DirectionFactory(
        organisation=organisation,
        name="Direction de l'éducation",
        short_name="DE",
        kind=DirectionKind.PRESCRIBING,
    )
    world.other_resource = DirectionFactory(
        organisation=organisation,
        name="Direction de l'insertion",
        short_name="DI",
        kind=DirectionKind.RESOURCE,
    )
    world.other_prescribing_referent = MembershipFactory(
        organisation=organisation,
        role=Role.PRESCRIBING_REFERENT,
        direction=world.other_prescribing,
        user__username=f"ref-education-{organisation.slug}",
    ).user
    world.other_resource_referent = MembershipFactory(
        organisation=organisation,
        role=Role.RESOURCE_REFERENT,
        direction=world.other_resource,
        user__username=f"ref-insertion-{organisation.slug}",
    ).user
    world.rule = ReferralRule.objects.create(
        organisation=organisation,
        resource_direction=world.resource,
        name="Travaux : avis de la transition écologique",
        cpv_prefixes="45",
        deadline_days=15,
    )
    world.counter = 0
    return world


def make_project(world, **fields):
    """A project created by the service (reference, empty need review, advice asked by the rules)."""
    return _make_project(world, **fields)


def decide_need_review(project, outcome=Outcome.BUY):
    NeedReview.objects.filter(project=project).update(outcome=outcome, justification="Besoin confirmé.")


def move_to(world, project, stage):
    """Walk the project forward to `stage` through the workflow (guards included)."""
    membership = member(world, world.pilot)
    order = [Stage.NEED, Stage.SOURCING, Stage.STRATEGY, Stage.DOCUMENTS]
    for target in order[order.index(project.stage) + 1 : order.index(stage) + 1]:
        workflow.move(project=project, to_stage=target, membership=membership, user=world.pilot)
    project.refresh_from_db()
    return project


def advice_of(project, direction) -> Advice:
    return Advice.objects.get(project=project, resource_direction=direction)


def make_contract(world, **fields) -> Contract:
    world.counter += 1
    number = world.counter
    values = {
        "uid": f"{world.buyer.identifier}M{number:04d}",
        "buyer_siret": world.buyer.identifier,
        "contract_id": f"M{number:04d}",
        "object": f"Entretien des espaces verts, lot {number}",
        "cpv": "77310000",
        "cpv_division": "77",
        "direction": world.prescribing,
        "source_format": "test",
        "raw": {},
        "content_hash": str(number),
    }
    values.update(fields)
    return Contract.objects.create(**values)


def review(contract, *, decided: bool, user=None) -> RenewalReview:
    due = contract.renewal_deadline or contract.end_date
    return RenewalReview.objects.create(
        contract=contract,
        due_date=due,
        decision=Decision.RENEW if decided else Decision.PENDING,
        justification="Besoin toujours présent." if decided else "",
        started_by=user,
    )
