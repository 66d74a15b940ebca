"""T5b « comités tenus »: the `meetings` countable (spaser.governance.countables) and its computation by the
engine, stored like every other indicator value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from spaser.governance.countables import MEETINGS, compute_meetings
from spaser.governance.models import MeetingStatus
from spaser.indicators.catalogue import BY_CODE
from spaser.indicators.errors import InvalidParams
from spaser.indicators.methods import METHODS
from spaser.indicators.models import IndicatorValue
from spaser.indicators.objects import COUNTABLES, shared_run
from spaser.indicators.periods import Period
from spaser.indicators.services import compute_scheme_indicators
from spaser.schemes.models import Unit
from tests.factories import IndicatorFactory, TargetFactory
from tests.governance.conftest import meeting


@pytest.fixture
def meetings(world):
    """2026: COTECH held in January-March, cancelled in April, planned in December; COPIL held in June."""
    for month in (1, 2, 3):
        meeting(world.cotech, date(2026, month, 14), status=MeetingStatus.HELD)
    meeting(world.cotech, date(2026, 4, 14), status=MeetingStatus.CANCELLED)
    meeting(world.cotech, date(2026, 12, 14))
    meeting(world.copil, date(2026, 6, 20), status=MeetingStatus.HELD)
    return world


def test_registered_and_accepted_by_the_objects_method(db):
    assert COUNTABLES["meetings"] is MEETINGS
    method = METHODS["objects"]
    method.check({"object": "meetings", "measure": "held"})
    assert method.unit_for({"object": "meetings", "measure": "held_share"}) == "percent"
    assert method.unit_for({"object": "meetings", "measure": "held"}) == "count"
    with pytest.raises(InvalidParams):
        method.check({"object": "meetings", "measure": "attended"})
    assert BY_CODE["T5b"].computed
    assert BY_CODE["T5b"].params == {"object": "meetings", "measure": "held"}


def test_held_over_a_year_against_the_periodicity(meetings):
    result = compute_meetings(meetings.scheme, None, Period(2026), "held")
    assert (result.value, result.numerator, result.denominator) == (4, 4, 14)  # 3 COTECH + 1 COPIL, /12+2
    assert result.details == {
        "cotech_tenus": 3,
        "cotech_attendus": "12.00",
        "cotech_prevus": 1,
        "cotech_annules": 1,
        "copil_tenus": 1,
        "copil_attendus": "2.00",
        "copil_prevus": 0,
        "copil_annules": 0,
        "seances_enregistrees": 6,
    }


def test_the_measures_per_kind_and_the_share(meetings):
    scheme = meetings.scheme
    cotech = compute_meetings(scheme, None, Period(2026), "cotech_held")
    assert (cotech.value, cotech.denominator) == (3, 12)
    assert "copil_tenus" not in cotech.details
    copil = compute_meetings(scheme, None, Period(2026), "copil_held")
    assert (copil.value, copil.denominator) == (1, 2)
    share = compute_meetings(scheme, None, Period(2026), "held_share")
    assert share.value == Decimal("28.5714")  # 4 / 14
    with pytest.raises(ValueError, match="Mesure inconnue"):
        compute_meetings(scheme, None, Period(2026), "attended")


def test_a_sub_period_expects_meetings_pro_rata(meetings):
    first_half = compute_meetings(meetings.scheme, None, Period(2026, "S1"), "held")
    assert (first_half.value, first_half.denominator) == (4, 7)  # 6 COTECH + 1 COPIL expected
    to_november = compute_meetings(meetings.scheme, None, Period(2026, "C11"), "held")
    assert to_november.denominator == Decimal("12.83")  # 11 + 11/6
    march = compute_meetings(meetings.scheme, None, Period(2026, "M03"), "held")
    assert (march.value, march.denominator) == (1, Decimal("1.17"))
    may = compute_meetings(meetings.scheme, None, Period(2026, "M05"), "held")
    assert may.value is None  # nothing recorded in May: pas de données, never 0
    assert may.details["raison"] == "aucune séance enregistrée dans la période"


def test_nothing_recorded_is_no_data_and_a_recorded_miss_is_zero(meetings):
    before = compute_meetings(meetings.scheme, None, Period(2025), "held")
    assert before.value is None  # committees not followed in Spaser in 2025
    april = compute_meetings(meetings.scheme, None, Period(2026, "M04"), "held")
    assert april.value == 0  # the April COTECH was cancelled: a real 0
    assert april.details["cotech_annules"] == 1


def test_no_committee_of_the_kind(world):
    world.copil.delete()
    meeting(world.cotech, date(2026, 1, 14), status=MeetingStatus.HELD)
    result = compute_meetings(world.scheme, None, Period(2026), "copil_held")
    assert result.value is None
    assert result.details["raison"] == "aucun comité de ce type"
    assert compute_meetings(world.scheme, None, Period(2026), "held").denominator == 12


def test_a_direction_has_no_value_of_its_own(meetings):
    result = compute_meetings(meetings.scheme, meetings.prescribing, Period(2026), "held")
    assert result.value is None
    assert "par direction" in result.details["raison"]


def test_one_read_per_computation_run(meetings, django_assert_max_num_queries):
    with shared_run(), django_assert_max_num_queries(2):
        for key in ("A", "S1", "S2", "C11"):
            compute_meetings(meetings.scheme, None, Period(2026, key), "held")


def test_the_engine_stores_t5b(meetings):
    t5b = IndicatorFactory(
        commitment=meetings.commitment,
        code="T5b",
        unit=Unit.COUNT,
        method="objects",
        params={"object": "meetings", "measure": "held"},
        frequency="yearly",
        baseline_value=None,
    )
    TargetFactory(indicator=t5b, year=2026, value=Decimal(14))
    compute_scheme_indicators(scheme=meetings.scheme, years=[2025, 2026], today=date(2026, 11, 29))
    stored = {
        (value.year, value.period, value.scope): value
        for value in IndicatorValue.objects.filter(indicator=t5b)
    }
    year = stored[(2026, "A", "organisation")]
    assert (year.value, year.denominator, year.method_version) == (4, 14, "meetings/1")
    assert "périodicité" in year.perimeter
    assert stored[(2026, "C11", "organisation")].denominator == Decimal("12.83")
    assert stored[(2025, "A", "organisation")].value is None
    assert stored[(2026, "A", f"direction:{meetings.prescribing.slug}")].value is None
