"""The `renewal_radar` command and the T1-T3 countables on a hand-computed fixture."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from spaser.indicators.objects import COUNTABLES
from spaser.indicators.periods import Period
from spaser.renewals.models import Decision, RenewalReview

from .conftest import TODAY, months


def test_command_json(world):
    world.contract(end_date=months(2), end_date_estimated=True, uid="U-EST")
    world.contract(
        renewal_deadline=months(8), end_date=months(10), uid="U-DEADLINE", direction=world.resource
    )
    overdue = world.contract(end_date=TODAY - timedelta(days=2), uid="U-LATE")
    RenewalReview.objects.create(contract=overdue, due_date=overdue.end_date)
    out = StringIO()
    call_command("renewal_radar", "--json", "--months", "12", stdout=out)
    items = json.loads(out.getvalue())
    assert [i["uid"] for i in items] == ["U-LATE", "U-EST", "U-DEADLINE"]
    assert items[0]["overdue"] is True
    assert items[0]["review_state"] == "en_retard"
    assert items[1]["estimated"] is True
    assert items[1]["date_kind"] == "end_date"
    assert items[2]["date_kind"] == "renewal_deadline"
    assert items[2]["date"] == months(8).isoformat()
    out = StringIO()
    call_command("renewal_radar", "--json", "--months", "3", "--direction", world.resource.slug, stdout=out)
    assert json.loads(out.getvalue()) == []
    out = StringIO()
    call_command("renewal_radar", "--months", "6", stdout=out)
    assert "2 marché(s)" in out.getvalue()
    assert "(estimée)" in out.getvalue()
    with pytest.raises(CommandError, match="Direction inconnue"):
        call_command("renewal_radar", "--direction", "nope", stdout=StringIO())


@pytest.fixture
def fixture_2025(world):
    """Year 2025, all before "today" (2026 or later):
    - A renewed after a decided review (renew, due 2025-03-31)          → T1 reviewed
    - B pooled after review (due 2025-06-30, 3 000 € avoided)           → T1 reviewed, T2 3 000
    - C stopped after review (due 2025-09-30, 10 000 € avoided)         → not a renewal; T2 10 000
    - D ended 2025-05-31, relaunched by E notified 2025-07-01, no review → T1 not reviewed
    - F (other direction) extended by modification, first end 2025-10-01 → T1 not reviewed (all directions)
    So T1 = 2 / 4 = 50 % (prescribing direction: 2 / 3), T2 = 13 000 € over 3 decisions."""
    from datetime import date, datetime

    tz = timezone.get_current_timezone()
    decided = datetime(2025, 2, 1, 10, tzinfo=tz)

    def review(contract, decision, amount=None):
        RenewalReview.objects.create(
            contract=contract,
            due_date=contract.end_date,
            decision=decision,
            justification="Revu",
            avoided_amount=amount,
            reviewed_at=decided,
            reviewer=world.pilot,
        )

    review(world.contract(end_date=date(2025, 3, 31), cpv_division="79"), Decision.RENEW)
    review(world.contract(end_date=date(2025, 6, 30), cpv_division="80"), Decision.POOL, Decimal("3000"))
    review(world.contract(end_date=date(2025, 9, 30), cpv_division="85"), Decision.STOP, Decimal("10000"))
    world.contract(notification_date=date(2021, 6, 1), end_date=date(2025, 5, 31))
    world.contract(notification_date=date(2025, 7, 1), end_date=date(2029, 7, 1))
    world.contract(
        notification_date=date(2023, 10, 1),
        duration_months=24,
        current_duration_months=36,
        end_date=date(2026, 10, 1),
        direction=world.resource,
        cpv_division="90",
    )
    return world


def test_t1_reviewed_share(fixture_2025):
    compute = COUNTABLES["renewal_reviews"].compute
    result = compute(fixture_2025.scheme, None, Period(2025), "reviewed_share")
    assert (result.numerator, result.denominator, result.value) == (2, 4, Decimal("50.0000"))
    result = compute(fixture_2025.scheme, fixture_2025.prescribing, Period(2025), "reviewed_share")
    assert (result.numerator, result.denominator) == (2, 3)
    result = compute(fixture_2025.scheme, None, Period(2025, "T1"), "reviewed_share")
    assert (result.numerator, result.denominator) == (1, 1)
    assert compute(fixture_2025.scheme, None, Period(2024), "reviewed_share").value is None


def test_t2_avoided_amount(fixture_2025):
    result = COUNTABLES["renewal_reviews"].compute(fixture_2025.scheme, None, Period(2025), "avoided_amount")
    assert (result.value, result.denominator, result.unknown) == (Decimal("13000"), 3, 0)
    assert result.details["decisions"]["Mutualiser"] == 1
    assert result.details["montant_evite"] == "13000.00"


def test_t3_planned_share(world):
    reviewed = world.contract(end_date=months(3))
    world.contract(end_date=months(6))
    world.contract(renewal_deadline=months(9), end_date=months(20))
    world.contract(end_date=months(14))  # beyond 12 months
    RenewalReview.objects.create(contract=reviewed, due_date=reviewed.end_date)
    result = COUNTABLES["renewal_reviews"].compute(
        world.scheme, None, Period(TODAY.year + 1), "planned_share", today=TODAY
    )
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.details["date_de_reference"] == TODAY.isoformat()
