"""Each method on a small fixture whose figures are worked out by hand in the docstrings."""

from datetime import date
from decimal import Decimal

import pytest

from spaser.contracts.models import Contract
from spaser.indicators.engine import compute
from spaser.indicators.objects import COUNTABLES
from spaser.indicators.periods import Period
from spaser.registers.models import InsertionHours, InsertionParticipant
from spaser.schemes.models import Action, ActionStatus
from tests.perimeter import make_contract

pytestmark = pytest.mark.django_db
Y2024 = Period(2024)


@pytest.fixture
def contracts(perimeter):
    """The perimeter's 2024 contracts #1-#5 (tests/perimeter.py), with bids #1: 1, #2: 3, #3: unknown, #4: 2,
    #5: 1, reserved #1 yes (100 000 €), #4 yes (no amount), the others no."""
    for number, bids, reserved in [
        (1, 1, True),
        (2, 3, False),
        (3, None, False),
        (4, 2, True),
        (5, 1, False),
    ]:
        Contract.objects.filter(uid=f"22930008201453C{number}").update(bids_received=bids, reserved=reserved)
    return Contract.objects.for_organisation(perimeter.organisation)


def test_mean_counts_known_values_only(contracts):
    """(1 + 3 + 2 + 1) / 4 known = 1.75; #3 unknown."""
    result = compute("mean", {"field": "bids_received"}, contracts, Y2024)
    assert (result.value, result.numerator, result.denominator, result.unknown) == (
        Decimal("1.7500"),
        7,
        4,
        1,
    )


def test_single_bid_share_keeps_unknown_in_the_denominator(contracts):
    """#1 and #5 single-bid out of 5 contracts = 40 %, #3 unknown."""
    params = {"measure": "count", "condition": {"field": "bids_received", "equals": 1}}
    result = compute("share", params, contracts, Y2024)
    assert (result.value, result.numerator, result.denominator, result.unknown) == (
        Decimal("40.0000"),
        2,
        5,
        1,
    )


def test_total_in_number_and_in_value(contracts):
    """Reserved: #1 and #4 = 2 contracts; in value only #1 has an amount (100 000 €); #5, a framework, is out
    of the denominator (600 000 €)."""
    number = compute("total", {"measure": "count", "condition": "reserved"}, contracts, Y2024)
    assert (number.value, number.denominator) == (2, 5)
    value = compute("total", {"measure": "amount", "condition": "reserved"}, contracts, Y2024)
    assert (value.value, value.denominator) == (Decimal("100000"), Decimal("600000"))


def test_a_period_without_contracts_has_no_value(contracts):
    assert compute("mean", {"field": "bids_received"}, contracts, Period(2024, "M07")).value is None
    assert (
        compute("total", {"measure": "count", "condition": "reserved"}, contracts, Period(2024, "M07")).value
        is None
    )


@pytest.fixture
def hours(perimeter):
    """Contract #1: Jan-Mar 2024 planned 100 realised 80; Apr-Jun 2024 planned 50 realised unknown.
    Contract #2: Jul-Sep 2024 planned unknown realised 30. A 2025 period (planned 999) is outside 2024.
    People: P1 (woman, resident) on #1 and again on #2 — one person; P2 (man, not resident) on #1; P3 (gender
    and residence unknown) on #2."""
    one, two = (Contract.objects.get(uid=f"22930008201453C{n}") for n in (1, 2))

    def period(contract, start, end, planned, realised):
        return InsertionHours.objects.create(
            contract=contract,
            period_start=start,
            period_end=end,
            hours_planned=planned,
            hours_realised=realised,
        )

    q1 = period(one, date(2024, 1, 1), date(2024, 3, 31), Decimal(100), Decimal(80))
    period(one, date(2024, 4, 1), date(2024, 6, 30), Decimal(50), None)
    q3 = period(two, date(2024, 7, 1), date(2024, 9, 30), None, Decimal(30))
    period(two, date(2025, 1, 1), date(2025, 3, 31), Decimal(999), Decimal(999))
    for contract, hours_period, person, gender, resident in [
        (one, q1, "P1", "F", True),
        (one, q1, "P2", "H", False),
        (two, q3, "P1", "F", True),
        (two, q3, "P3", "", None),
    ]:
        InsertionParticipant.objects.create(
            contract=contract, period=hours_period, person_ref=person, gender=gender, resident=resident
        )
    return Contract.objects.for_organisation(perimeter.organisation)


def test_hours_planned_realised_and_rate(hours):
    """Planned 100 + 50 = 150 (one unknown); realised 80 + 30 = 110 (one unknown); rate over the periods with
    both: 80 / 100 = 80 %."""
    planned = compute("hours", {"measure": "planned"}, hours, Y2024)
    assert (planned.value, planned.unknown) == (Decimal(150), 1)
    realised = compute("hours", {"measure": "realised"}, hours, Y2024)
    assert (realised.value, realised.unknown) == (Decimal(110), 1)
    rate = compute("hours", {"measure": "rate"}, hours, Y2024)
    assert (rate.value, rate.numerator, rate.denominator) == (Decimal("80.0000"), 80, 100)
    first_half = compute("hours", {"measure": "planned"}, hours, Period(2024, "S1"))
    assert first_half.value == 150
    assert (
        compute("hours", {"measure": "planned"}, hours, Period(2024, "S2")).value == 0
    )  # a period, no planned


def test_people_are_counted_once(hours):
    """P1, P2, P3 = 3 people; women: P1 (P3 unknown); residents: P1 (P3 unknown)."""
    everyone = compute("people", {"measure": "all"}, hours, Y2024)
    assert (everyone.value, everyone.unknown) == (3, 0)
    women = compute("people", {"measure": "women"}, hours, Y2024)
    assert (women.value, women.denominator, women.unknown) == (1, 3, 1)
    residents = compute("people", {"measure": "residents"}, hours, Y2024)
    assert (residents.value, residents.unknown) == (1, 1)
    assert compute("people", {"measure": "all"}, hours, Period(2023)).value is None


def test_actions_done_share(perimeter):
    """Due by the end of 2024 (or without due date), abandoned apart: March done, June in progress, no date
    done → 2 done out of 3; January 2025 is not due yet in 2024."""
    commitment = perimeter.axes.get().commitments.get()
    for due, status in [
        (date(2024, 3, 1), ActionStatus.DONE),
        (date(2024, 6, 1), ActionStatus.IN_PROGRESS),
        (None, ActionStatus.DONE),
        (date(2025, 1, 15), ActionStatus.PLANNED),
        (date(2024, 2, 1), ActionStatus.ABANDONED),
    ]:
        Action.objects.create(commitment=commitment, title=f"Action {due}", due_date=due, status=status)
    actions = COUNTABLES["actions"]
    done = actions.compute(perimeter, None, Y2024, "done_share")
    assert (done.value, done.numerator, done.denominator) == (Decimal("66.6667"), 2, 3)
    assert actions.compute(perimeter, None, Y2024, "late").value == 1  # June, in progress


def test_a_contract_of_another_year_does_not_count(perimeter):
    make_contract(99, social=True, environmental=True, amount=10, year=2025)
    contracts = Contract.objects.for_organisation(perimeter.organisation)
    assert (
        compute("share", {"measure": "count", "condition": "has_social"}, contracts, Y2024).denominator == 5
    )


def test_a_rate_stored_as_a_fraction_is_a_percentage(contracts):
    """Advance rates 5 % (#1) and 30 % (#2), stored 0.05 and 0.3: mean 17.5 %."""
    Contract.objects.filter(uid="22930008201453C1").update(advance_rate=Decimal("0.05"))
    Contract.objects.filter(uid="22930008201453C2").update(advance_rate=Decimal("0.3"))
    result = compute("mean", {"field": "advance_rate"}, contracts, Y2024)
    assert (result.value, result.numerator, result.denominator) == (Decimal("17.5000"), 35, 2)


def test_in_value_after_modifications_uses_the_current_amount(contracts):
    """#1 (social) modified from 100 000 to 150 000 €: in current value S2 = 150 000 / 650 000 = 23.0769 %."""
    Contract.objects.filter(uid="22930008201453C1").update(current_amount=Decimal(150_000))
    for number, amount in [(2, 200_000), (3, 300_000), (5, 400_000)]:
        Contract.objects.filter(uid=f"22930008201453C{number}").update(current_amount=Decimal(amount))
    params = {"measure": "amount", "condition": "has_social", "amount": "current"}
    result = compute("share", params, contracts, Y2024)
    assert (result.numerator, result.denominator, result.value) == (150_000, 650_000, Decimal("23.0769"))
    initial = compute("share", {"measure": "amount", "condition": "has_social"}, contracts, Y2024)
    assert initial.numerator == 100_000


def test_a_contract_without_direction_counts_for_the_organisation_only(perimeter):
    """#3 and #4 have no direction: 5 contracts for the organisation, 2 for direction A, none elsewhere."""
    from spaser.indicators.scopes import organisation_scopes

    scopes = {scope.key: scope for scope in organisation_scopes(perimeter.organisation, mutualised=False)}
    params = {"measure": "count", "condition": "has_social"}
    assert compute("share", params, scopes["organisation"].contracts, Y2024).denominator == 5
    assert compute("share", params, scopes["direction:a"].contracts, Y2024).denominator == 2
