"""The COPIL sections (spaser.governance.copil): the trajectory per axis, a scorecard per direction and the
annual review — JSON-ready, read from stored values and live objects, in a bounded number of queries."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from spaser.contracts.models import Contract
from spaser.governance import copil
from spaser.governance.models import CorrectiveAction, CorrectiveStatus, MeetingStatus
from spaser.indicators.models import IndicatorValue
from spaser.indicators.periods import Period
from spaser.projects.models import Advice, AdviceStatus, NeedReview, Outcome, Project
from spaser.projects.stages import Stage
from spaser.schemes.models import ActionStatus, Unit
from tests.factories import (
    ActionFactory,
    AxisFactory,
    BuyerFactory,
    CommitmentFactory,
    IndicatorFactory,
    TargetFactory,
)
from tests.governance.conftest import meeting
from tests.governance.test_packs import contract

ON = date(2026, 11, 16)  # a COPIL in November reads « cumul à fin octobre 2026 » (C10)
C10 = Period(2026, "C10")
PARIS = ZoneInfo("Europe/Paris")


def store(indicator, period: Period, value, scope: str = "organisation") -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=indicator,
        year=period.year,
        period=period.key,
        scope=scope,
        value=None if value is None else Decimal(value),
        numerator=Decimal(1),
        denominator=Decimal(1),
        perimeter="Marchés d'essai.",
        method_version="share/1",
    )


def roundtrip(data):
    return json.loads(json.dumps(data))


@pytest.fixture
def figures(world):
    """S1 (a share of the contracts, targets 20 → 30): stored annual values for the past years and contracts
    of 2026, computed live — stored 2026 values that must not be read; T2 (headline, a count, entered by
    hand) with a direction value; a second axis with E1, entered by hand and never entered."""
    s1 = world.indicator
    s1.method, s1.params = "share", {"measure": "count", "condition": "has_social"}  # manual in conftest
    s1.save()
    store(s1, Period(2023), "15")  # before the scheme: not on the trajectory
    store(s1, Period(2024), "21")
    store(s1, Period(2025), "18")
    store(s1, C10, "55")  # stale: the pack computes its period from the data
    store(s1, Period(2026), "99")
    # January-October 2026: 1 social contract out of 5 (20 %): the resource direction 1 of 2, the
    # prescribing direction 0 of 3; November is outside the period.
    for month, direction, social in [
        (2, world.resource, True),
        (5, world.resource, False),
        (3, world.prescribing, False),
        (6, world.prescribing, False),
        (10, world.prescribing, False),
        (11, world.prescribing, True),
    ]:
        contract(
            world,
            direction=direction,
            notification_date=date(2026, month, 3),
            notification_year=2026,
            amount=Decimal("100000"),
            has_social=social,
        )
    world.t2 = IndicatorFactory(
        commitment=world.commitment,
        code="T2",
        unit=Unit.COUNT,
        name="Besoins revus",
        method="manual",
        params={},
    )
    TargetFactory(indicator=world.t2, year=2026, value=Decimal("12"))
    store(world.t2, C10, "4", scope=f"direction:{world.prescribing.slug}")
    axis = AxisFactory(
        scheme=world.scheme, code="II", title="Des achats écologiques", position=world.axis.position + 1
    )
    world.e1 = IndicatorFactory(
        commitment=CommitmentFactory(axis=axis), code="E1", baseline_value=None, method="manual", params={}
    )
    return world


def test_pack_period_is_the_year_to_date_at_the_end_of_the_previous_month():
    assert copil.pack_period(date(2026, 12, 10)) == Period(2026, "C11")
    assert copil.pack_period(ON) == C10
    assert copil.pack_period(date(2027, 1, 15)) == Period(2026)  # the whole previous year


def test_trajectory_per_axis_with_yearly_and_final_targets(figures, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        axes = copil.trajectory(figures.scheme, ON)
    assert roundtrip(axes) == axes  # JSON-ready: string year keys, decimals as strings
    assert [axis["axis"] for axis in axes] == [
        "I. Des achats socialement responsables",
        "II. Des achats écologiques",
    ]
    s1, t2 = axes[0]["indicators"]
    assert (s1["code"], t2["code"]) == ("S1", "T2")
    assert s1["values"] == {"2024": "21", "2025": "18", "2026": "20"}  # computed: neither « 55 » nor « 99 »
    assert s1["targets"] == {"2024": "20", "2025": "22.5", "2026": "25", "2027": "27.5", "2028": "30"}
    assert (s1["final_target"], s1["final_year"]) == ("30", 2028)
    assert s1["period"] == {"year": 2026, "key": "C10", "label": C10.label}
    assert (s1["target"], s1["status"], s1["status_label"]) == ("25", "at_risk", "À surveiller")  # 20/25
    # A count gets its yearly target pro rata of the months: 12 × 10/12.
    assert (t2["target"], t2["status"]) == ("10", "no_data")
    e1 = axes[1]["indicators"][0]
    assert e1["values"] == {"2024": None, "2025": None, "2026": None}  # pas de données, never 0
    assert e1["targets"] == dict.fromkeys(("2024", "2025", "2026", "2027", "2028"))
    assert (e1["final_target"], e1["status"]) == (None, "no_data")


def test_trajectory_of_a_january_copil_ends_with_the_whole_previous_year(figures):
    s1 = copil.trajectory(figures.scheme, date(2027, 1, 20))[0]["indicators"][0]
    assert s1["values"] == {"2024": "21", "2025": "18", "2026": "33.3333"}  # 2 of 6, November included
    assert (s1["period"]["key"], s1["status"]) == ("A", "reached")


@pytest.fixture
def workload(figures):
    """For each direction: late actions, reviews to decide, overdue advice, corrective actions."""
    world = figures
    world.resource_action.status = ActionStatus.DONE  # due 30 June 2026 but done: not late
    world.resource_action.save()
    ActionFactory(commitment=world.commitment, owner_direction=world.prescribing, due_date=date(2027, 3, 1))
    ActionFactory(
        commitment=world.commitment,
        owner_direction=world.prescribing,
        due_date=date(2026, 2, 1),
        status=ActionStatus.ABANDONED,
    )

    def project(number: int, stage: str, **fields) -> Project:
        return Project.objects.create(
            organisation=world.organisation,
            direction=world.prescribing,
            reference=f"P-2026-{number:03d}",
            title=f"Projet {number}",
            cpv="45210000",
            nature="works",
            estimated_amount=Decimal(100_000),
            duration_months=12,
            stage=stage,
            **fields,
        )

    project(1, Stage.NEED)  # no review yet: pending
    NeedReview.objects.create(project=project(2, Stage.NEED), outcome=Outcome.PENDING)  # pending
    NeedReview.objects.create(  # decided
        project=project(3, Stage.NEED), outcome=Outcome.BUY, reviewed_at=datetime(2026, 9, 1, tzinfo=PARIS)
    )
    in_preparation = project(4, Stage.DOCUMENTS)
    Advice.objects.create(
        project=in_preparation, resource_direction=world.resource, deadline=date(2026, 10, 1)
    )
    Advice.objects.create(  # given: not overdue
        project=project(5, Stage.DOCUMENTS),
        resource_direction=world.resource,
        deadline=date(2026, 10, 1),
        status=AdviceStatus.GIVEN,
        given_at=datetime(2026, 9, 30, tzinfo=PARIS),
    )
    Advice.objects.create(project=project(6, Stage.DOCUMENTS), resource_direction=world.resource, deadline=ON)

    buyer = BuyerFactory(organisation=world.organisation)
    for number, end in enumerate([date(2026, 12, 20), date(2027, 9, 1)]):  # within 3 months, and not
        Contract.objects.create(
            uid=f"{buyer.identifier}C{number}",
            buyer_siret=buyer.identifier,
            contract_id=f"C{number}",
            object="Entretien des espaces verts",
            cpv="77310000",
            cpv_division="77",
            direction=world.prescribing,
            end_date=end,
            source_format="test",
            raw={},
            content_hash=str(number),
        )

    held = meeting(world.cotech, date(2026, 9, 15), status=MeetingStatus.HELD)

    def corrective(direction, due: date, status=CorrectiveStatus.OPEN) -> CorrectiveAction:
        return CorrectiveAction.objects.create(
            organisation=world.organisation,
            meeting=held,
            title="Relancer les directions",
            owner_direction=direction,
            due_date=due,
            expected_effect="Plus de clauses sociales.",
            status=status,
        )

    corrective(world.prescribing, date(2026, 10, 31))  # overdue
    corrective(world.prescribing, date(2026, 12, 31), CorrectiveStatus.IN_PROGRESS)
    corrective(world.resource, date(2026, 10, 1), CorrectiveStatus.DONE)  # closed
    return world


def test_scorecards_per_direction(workload, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        cards = copil.scorecards(workload.scheme, ON)
    assert roundtrip(cards) == cards
    by_slug = {card["slug"]: card for card in cards}
    prescribing, resource = by_slug[workload.prescribing.slug], by_slug[workload.resource.slug]
    names = [card["direction_name"] for card in cards]
    assert names == sorted(names)
    assert len(names) == 2
    assert [c["code"] for c in resource["indicators"]] == ["S1", "E1", "T2"]  # headline order

    # A rate on the direction's scope is judged against the scheme's target; a count has no direction target.
    s1 = resource["indicators"][0]
    assert (s1["value"], s1["target"], s1["status"]) == ("50", "25", "reached")  # 1 of its 2 contracts
    assert (prescribing["indicators"][0]["value"], prescribing["indicators"][0]["status"]) == (
        "0",
        "off_track",
    )
    assert prescribing["contracts"] == 3
    assert resource["indicators"][1]["status"] == "no_data"  # nothing entered
    t2 = prescribing["indicators"][2]
    assert (t2["value"], t2["target"], t2["status_label"]) == ("4", None, "Sans cible")

    assert prescribing["actions_late"] == 1  # due 30 June 2026, in progress; the 2027 and abandoned ones not
    assert prescribing["actions_late_rows"] == [
        {
            "title": "Former les acheteurs",
            "due_date": "2026-06-30",
            "status": "in_progress",
            "status_label": "En cours",
            "progress": 40,
        }
    ]
    assert resource["actions_late"] == 0  # its action is done
    assert (prescribing["reviews_pending_projects"], prescribing["reviews_pending_renewals"]) == (2, 1)
    assert prescribing["reviews_pending"] == 3
    assert resource["reviews_pending"] == 0
    assert resource["advice_overdue"] == 1  # the given one and the one due on the meeting day are not
    assert prescribing["advice_overdue"] is None  # not applicable to a prescribing direction, not 0
    assert (prescribing["corrective_actions_open"], prescribing["corrective_actions_overdue"]) == (2, 1)
    assert (resource["corrective_actions_open"], resource["corrective_actions_overdue"]) == (0, 0)
    assert resource["kind_label"] == "Direction ressource"


def test_scorecards_queries_do_not_grow_with_directions(workload, django_assert_max_num_queries):
    from tests.factories import DirectionFactory

    for number in range(6):
        DirectionFactory(organisation=workload.organisation, name=f"Direction {number}")
    with django_assert_max_num_queries(16):
        cards = copil.scorecards(workload.scheme, ON)
    assert len(cards) == 8


# --- Annual review -----------------------------------------------------------------------------------------


def test_no_annual_review_for_a_cotech(world):
    assert copil.annual_review(world.cotech, ON) is None


def test_a_copil_of_the_second_half_validates_the_review_of_its_year(world):
    review = copil.annual_review(world.copil, date(2026, 12, 10))
    assert review == {
        "year": 2026,
        "expected": True,
        "validated": False,
        "validated_here": False,
        "meeting": None,
        "label": "Revue annuelle 2026 à valider : ce COPIL est le second de l'année.",
    }


def test_a_copil_of_the_first_half_looks_back_at_the_previous_year(world):
    review = copil.annual_review(world.copil, date(2026, 6, 15))
    assert (review["year"], review["expected"], review["validated"]) == (2025, False, False)
    assert "non validée" in review["label"]


def test_the_second_copil_of_the_year_even_in_the_first_half(world):
    meeting(world.copil, date(2026, 2, 1), status=MeetingStatus.HELD)
    meeting(world.copil, date(2026, 3, 1), status=MeetingStatus.CANCELLED)  # a cancelled one does not count
    review = copil.annual_review(world.copil, date(2026, 5, 10))
    assert (review["year"], review["expected"]) == (2026, True)
    assert copil.annual_review(world.copil, date(2026, 2, 1))["year"] == 2025  # the first one itself


def test_validation_recorded_by_a_held_copil(world):
    planned = meeting(world.copil, date(2026, 12, 10), validates_annual_review=True, annual_review_year=2026)
    review = copil.annual_review(world.copil, date(2026, 12, 10), meeting=planned)
    assert (review["validated"], review["validated_here"]) == (False, True)  # not held yet
    planned.status = MeetingStatus.HELD
    planned.save()
    later = copil.annual_review(world.copil, date(2027, 6, 15))
    assert (later["year"], later["validated"]) == (2026, True)
    assert later["meeting"] == {"id": planned.pk, "date": "2026-12-10"}
    assert later["label"] == "Revue annuelle 2026 validée par le COPIL du 10/12/2026."
    assert copil.annual_review(world.copil, date(2027, 12, 10))["validated"] is False  # 2027's own review


def test_no_review_for_a_year_no_scheme_covers(world):
    assert copil.annual_review(world.copil, date(2024, 3, 1)) is None  # 2023: before the 2024-2028 scheme
    assert copil.annual_review(world.copil, date(2029, 3, 1))["year"] == 2028  # the last year's review
