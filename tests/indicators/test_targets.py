"""Targets of a period (yearly, trajectory, held, pro rata) and statuses with the scheme's thresholds."""

from decimal import Decimal

import pytest

from spaser.indicators.periods import Period
from spaser.indicators.status import AT_RISK, NO_DATA, NO_TARGET, OFF_TRACK, ON_TRACK, REACHED, scheme_status
from spaser.indicators.targets import final_target, period_target, yearly_target
from spaser.schemes.models import Indicator, Polarity, Target, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def s1(perimeter):
    """Baseline 18 % in 2023; targets 25 % in 2025 and 35 % in 2028."""
    indicator = Indicator.objects.get(commitment__axis__scheme=perimeter, code="S1")
    indicator.targets.all().delete()
    indicator.baseline_year, indicator.baseline_value = 2023, Decimal(18)
    indicator.save()
    Target.objects.create(indicator=indicator, year=2025, value=Decimal(25))
    Target.objects.create(indicator=indicator, year=2028, value=Decimal(35))
    return indicator


def test_a_year_with_a_target_keeps_it_and_years_between_follow_the_line(s1):
    assert yearly_target(s1, 2025).value == 25
    assert yearly_target(s1, 2025).kind == "year"
    assert yearly_target(s1, 2024).value == Decimal("21.5000")  # halfway from 18 (2023) to 25 (2025)
    assert yearly_target(s1, 2024).kind == "trajectory"
    assert yearly_target(s1, 2026).value == Decimal("28.3333")  # a third of the way from 25 to 35
    assert yearly_target(s1, 2030).kind == "held"
    assert yearly_target(s1, 2030).value == 35
    assert yearly_target(s1, 2022) is None
    assert final_target(s1) == (2028, 35)


def test_a_rate_keeps_its_yearly_target_in_a_quarter_and_a_quantity_is_prorated(s1):
    assert period_target(s1, Period(2025, "T2")).value == 25
    assert not period_target(s1, Period(2025, "T2")).prorated
    s1.unit = Unit.HOURS
    hours = period_target(s1, Period(2025, "C03"))  # January to March: a quarter of the year's hours
    assert hours.value == Decimal("6.2500")
    assert hours.prorated
    assert "prorata" in hours.label


@pytest.mark.parametrize(
    ("value", "target", "polarity", "expected"),
    [
        (Decimal(30), Decimal(30), Polarity.HIGHER_IS_BETTER, REACHED),
        (Decimal(28), Decimal(30), Polarity.HIGHER_IS_BETTER, ON_TRACK),  # 93 %
        (Decimal(24), Decimal(30), Polarity.HIGHER_IS_BETTER, AT_RISK),  # 80 %
        (Decimal(20), Decimal(30), Polarity.HIGHER_IS_BETTER, OFF_TRACK),  # 67 %
        (Decimal(35), Decimal(30), Polarity.LOWER_IS_BETTER, AT_RISK),  # 30 / 35 = 86 %: under 90 %
        (Decimal(25), Decimal(30), Polarity.LOWER_IS_BETTER, REACHED),
        (None, Decimal(30), Polarity.HIGHER_IS_BETTER, NO_DATA),
        (Decimal(25), None, Polarity.HIGHER_IS_BETTER, NO_TARGET),
    ],
)
def test_statuses_follow_the_schemes_thresholds(perimeter, value, target, polarity, expected):
    indicator = Indicator.objects.get(commitment__axis__scheme=perimeter, code="S1")
    indicator.polarity = polarity
    assert scheme_status(value, target, indicator) == expected


def test_a_scheme_can_set_stricter_thresholds(perimeter):
    indicator = Indicator.objects.get(commitment__axis__scheme=perimeter, code="S1")
    assert scheme_status(Decimal(28), Decimal(30), indicator) == ON_TRACK
    perimeter.on_track_ratio, perimeter.at_risk_ratio = Decimal("0.95"), Decimal("0.90")
    perimeter.save()
    indicator = Indicator.objects.select_related("commitment__axis__scheme").get(pk=indicator.pk)
    assert scheme_status(Decimal(28), Decimal(30), indicator) == AT_RISK
