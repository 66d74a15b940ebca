"""Radar dates: renewal deadline first, end date else (estimated or not), 3/6/12 months, overdue first."""

from datetime import timedelta

from spaser.renewals import selectors, services
from spaser.renewals.models import Decision

from .conftest import TODAY, months


def _radar(world, **kwargs):
    contracts = selectors.radar_queryset(world.organisation, today=TODAY, **kwargs)
    return selectors.radar_rows(contracts, today=TODAY)


def test_renewal_deadline_wins_over_end_date_and_estimates_are_marked(world):
    deadline = world.contract(renewal_deadline=months(2), end_date=months(8))
    imported = world.contract(end_date=months(4))
    estimated = world.contract(end_date=months(5), end_date_estimated=True)
    rows = {row.contract.pk: row for row in _radar(world)}
    assert (rows[deadline.pk].due_date, rows[deadline.pk].date_kind) == (months(2), "renewal_deadline")
    assert rows[deadline.pk].date_label == "Date limite de reconduction"
    assert (rows[imported.pk].date_kind, rows[imported.pk].estimated) == ("end_date", False)
    assert rows[estimated.pk].estimated is True
    assert rows[estimated.pk].date_label == "Date de fin estimée"


def test_windows_of_3_6_12_months(world):
    soon = world.contract(end_date=months(2))
    mid = world.contract(end_date=months(5))
    late = world.contract(end_date=months(11))
    world.contract(end_date=months(14))  # beyond every window
    world.contract(end_date=None)  # no date: never on the radar
    assert [r.contract for r in _radar(world, months=3)] == [soon]
    assert [r.contract for r in _radar(world, months=6)] == [soon, mid]
    assert [r.contract for r in _radar(world, months=12)] == [soon, mid, late]


def test_overdue_first_until_a_decision_is_recorded(world):
    future = world.contract(end_date=months(1))
    overdue = world.contract(end_date=TODAY - timedelta(days=10))
    world.contract(end_date=months(-14))  # overdue for more than 12 months: off the radar
    rows = _radar(world)
    assert [r.contract for r in rows] == [overdue, future]
    assert rows[0].overdue
    assert rows[0].state == selectors.STATE_OVERDUE
    assert rows[1].state == selectors.STATE_TO_REVIEW
    membership = world.pilot.memberships.get()
    review = services.review_start(contract=overdue, membership=membership, user=world.pilot)
    rows = _radar(world)
    assert rows[0].state == selectors.STATE_OVERDUE  # opened, still pending: still overdue
    services.review_decide(
        review=review,
        membership=membership,
        user=world.pilot,
        decision=Decision.STOP,
        justification="Inutile",
    )
    assert [r.contract for r in _radar(world)] == [future]


def test_direction_and_state_filters(world):
    ours = world.contract(end_date=months(1))
    theirs = world.contract(end_date=months(2), direction=world.resource)
    assert [r.contract for r in _radar(world, direction=world.prescribing)] == [ours]
    membership = world.pilot.memberships.get()
    services.review_start(contract=theirs, membership=membership, user=world.pilot)
    assert [r.contract for r in _radar(world, state=selectors.STATE_IN_PROGRESS)] == [theirs]
    assert [r.contract for r in _radar(world, state=selectors.STATE_TO_REVIEW)] == [ours]
    assert _radar(world, state=selectors.STATE_DECIDED) == []


def test_concessions_and_other_organisations_are_not_on_the_radar(world):
    world.contract(end_date=months(1), kind="concession")
    world.contract(end_date=months(1), buyer_siret="99999999900011")
    assert _radar(world) == []
