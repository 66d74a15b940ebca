"""The meeting pack as a whole (spaser.governance.packs): the schema's keys, JSON data, the period, the
previous held meeting, COPIL sections, and a bounded number of queries.

The helpers at the top (contracts, stored indicator values, a richer world) are shared with
test_pack_sections.py and test_meeting_pack_command.py."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spaser.contracts.models import Contract, ContractOrigin
from spaser.governance import copil, packs
from spaser.governance.models import CorrectiveAction, Decision, MeetingStatus
from spaser.indicators.models import ORGANISATION_SCOPE, IndicatorValue
from spaser.indicators.periods import Period
from spaser.projects.models import ReferralRule
from spaser.registers.models import InsertionHours
from spaser.renewals.models import Decision as RenewalDecision
from spaser.renewals.models import RenewalReview
from spaser.schemes.models import Action, ActionStatus
from tests.factories import BuyerFactory, IndicatorFactory, TargetFactory
from tests.governance.conftest import meeting
from tests.projects.conftest import make_project

ON = date(2026, 11, 10)  # a COTECH in November reads « cumul à fin octobre 2026 » (C10)

COTECH_KEYS = {
    "schema", "committee", "meeting", "organisation", "scheme", "generated_at", "data_date", "period",
    "previous_meeting", "indicators", "status_changes", "off_track", "renewals", "awaiting_advice",
    "projects_in_preparation", "alerts", "corrective_actions", "late_actions", "decisions",
}  # fmt: skip
COPIL_KEYS = {"trajectory", "scorecards", "annual_review"}


# --- Shared helpers ------------------------------------------------------------------------------------


def with_buyer(world):
    """The governance world with a buyer in the organisation's perimeter (contracts need one)."""
    if not hasattr(world, "buyer"):
        world.buyer = BuyerFactory(organisation=world.organisation)
        world.counter = 0
    return world


def contract(world, **fields) -> Contract:
    with_buyer(world)
    world.counter += 1
    values = {
        "uid": f"{world.buyer.identifier}G{world.counter:04d}",
        "buyer_siret": world.buyer.identifier,
        "contract_id": f"G{world.counter:04d}",
        "object": f"Marché d'essai {world.counter}",
        "cpv": "45233141",
        "cpv_division": "45",
        "direction": world.prescribing,
        "source_format": "test",
        "raw": {},
        "content_hash": str(world.counter),
    }
    values.update(fields)
    return Contract.objects.create(**values)


def store(
    indicator, period: Period, value, *, numerator="24", denominator="100", unknown=3
) -> IndicatorValue:
    """A stored organisation value, as compute_indicators writes it."""
    return IndicatorValue.objects.create(
        indicator=indicator,
        year=period.year,
        period=period.key,
        scope=ORGANISATION_SCOPE,
        value=None if value is None else Decimal(value),
        numerator=Decimal(numerator),
        denominator=Decimal(denominator),
        unknown=unknown,
        details={"contrats": 100, "contrats_mesures": 100},
        perimeter="Marchés notifiés par l'organisation, de janvier à fin octobre.",
        data_date=date(2026, 10, 28),
        method_version="share/1",
    )


def hold(held_meeting, pack: dict | None = None):
    """Mark a meeting held with its frozen pack (what part G2's service does)."""
    held_meeting.pack = (
        pack
        if pack is not None
        else packs.build_pack(held_meeting.committee, on=held_meeting.date, meeting=held_meeting)
    )
    held_meeting.status = MeetingStatus.HELD
    held_meeting.save()
    return held_meeting


def populate(world, n: int, on: date = ON):
    """`n` of each thing a pack reads: contracts on the radar, insertion hours behind plan, contracts not
    published, projects with advice, corrective actions with updates, late scheme actions, decisions,
    stored values of several indicators."""
    with_buyer(world)
    if not ReferralRule.objects.filter(organisation=world.organisation).exists():
        ReferralRule.objects.create(
            organisation=world.organisation,
            resource_direction=world.resource,
            name="Travaux",
            cpv_prefixes="45",
        )
    held = meeting(world.cotech, on - timedelta(days=30 + n))
    for i in range(n):
        due = contract(world, end_date=on + timedelta(days=20 + i))
        RenewalReview.objects.create(contract=due, due_date=due.end_date, decision=RenewalDecision.PENDING)
        contract(world, end_date=on - timedelta(days=10 + i))  # overdue
        hours = contract(
            world, origin=ContractOrigin.REGISTER, notification_date=on - timedelta(days=100 + i)
        )
        InsertionHours.objects.create(
            contract=hours,
            period_start=date(on.year, 1, 1),
            period_end=date(on.year, 6, 30) + timedelta(days=i),
            hours_planned=Decimal("500"),
            hours_realised=Decimal("300"),
        )
        make_project(world, title=f"Travaux {i}", planned_launch_date=date(2026, 12, 1) + timedelta(days=i))
        action = CorrectiveAction.objects.create(
            organisation=world.organisation,
            meeting=held,
            title=f"Relancer les directions {i}",
            owner_direction=world.resource,
            due_date=on - timedelta(days=i),
            expected_effect="Plus de clauses.",
        )
        action.updates.create(status=action.status, comment="Relance faite.", by=world.pilot)
        Action.objects.create(
            commitment=world.commitment,
            title=f"Action en retard {i}",
            owner_direction=world.prescribing,
            due_date=on - timedelta(days=5 + i),
            status=ActionStatus.IN_PROGRESS,
            progress=20,
        )
        Decision.objects.create(meeting=held, text=f"Décision {i}", indicator=world.indicator)
        extra = IndicatorFactory(
            method="manual", params={}, commitment=world.commitment, code=f"X{world.counter}"
        )
        TargetFactory(indicator=extra, year=on.year, value=Decimal("50"))
        store(extra, packs.pack_period(on), "10")
    store_once(world.indicator, packs.pack_period(on), "24")
    return held


def store_once(indicator, period, value):
    if not IndicatorValue.objects.filter(indicator=indicator, year=period.year, period=period.key).exists():
        store(indicator, period, value)


# --- The pack ------------------------------------------------------------------------------------------


def test_a_cotech_pack_has_every_section_of_the_schema_and_is_plain_json(world):
    populate(world, 2)
    pack = packs.build_pack(world.cotech, on=ON)
    assert set(pack) == COTECH_KEYS
    assert pack["schema"] == "spaser-pack/1"
    assert pack["committee"] == {
        "kind": "cotech",
        "kind_label": "Comité technique (COTECH)",
        "name": "COTECH achats responsables",
    }
    assert pack["meeting"]["id"] is None
    assert pack["meeting"]["date"] == "2026-11-10"
    assert pack["organisation"] == {"name": world.organisation.name, "siren": world.organisation.siren}
    assert pack["scheme"] == {"slug": world.scheme.slug, "title": "SPASER 2024-2028"}
    assert pack["period"] == {"year": 2026, "key": "C10", "label": "cumul de janvier à fin octobre 2026"}
    # JSON data only: the default encoder takes it and a round trip changes nothing (what freezing does).
    assert json.loads(json.dumps(pack)) == pack


def test_a_copil_pack_adds_trajectory_scorecards_and_annual_review(world):
    populate(world, 1)
    pack = packs.build_pack(world.copil, on=ON)
    assert set(pack) == COTECH_KEYS | COPIL_KEYS
    assert isinstance(pack["trajectory"], list)
    assert pack["trajectory"]
    assert isinstance(pack["scorecards"], list)
    assert pack["scorecards"]
    assert json.loads(json.dumps(pack)) == pack


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 12, 10), Period(2026, "C11")),
        (date(2026, 11, 1), Period(2026, "C10")),
        (date(2026, 2, 28), Period(2026, "C01")),
        (date(2026, 1, 15), Period(2025)),  # January: the whole previous year
    ],
)
def test_the_period_is_the_year_to_date_at_the_end_of_the_last_complete_month(on, expected):
    assert packs.pack_period(on) == expected
    assert copil.pack_period(on) == expected  # one period for every section of a COPIL pack


def test_the_period_label_of_a_january_meeting_is_the_previous_year():
    assert packs.period_label(packs.pack_period(date(2027, 1, 12))) == "année 2026 complète"


def test_the_previous_meeting_is_the_latest_held_one_of_the_same_committee(world):
    older = hold(meeting(world.cotech, date(2026, 9, 8)))
    latest = hold(meeting(world.cotech, date(2026, 10, 6)))
    meeting(world.cotech, date(2026, 10, 20))  # planned, not held
    hold(meeting(world.copil, date(2026, 10, 25)))  # another committee
    hold(meeting(world.cotech, date(2026, 12, 1)))  # after the date
    current = meeting(world.cotech, ON)
    assert packs.previous_meeting(world.cotech, on=ON, meeting=current) == latest
    pack = packs.build_pack(world.cotech, on=ON, meeting=current)
    assert pack["previous_meeting"] == {"id": latest.pk, "date": "2026-10-06"}
    assert pack["meeting"] == {
        "id": current.pk,
        "date": "2026-11-10",
        "status": "planned",
        "status_label": "Prévue",
    }
    # The caller may name the meeting to compare with (docs/governance.md: previous=…).
    assert packs.build_pack(world.cotech, on=ON, previous=older)["previous_meeting"]["id"] == older.pk
    assert packs.build_pack(world.cotech, on=ON, previous=None)["previous_meeting"] is None


def test_a_meeting_of_another_committee_is_refused(world):
    copil_meeting = meeting(world.copil, ON)
    with pytest.raises(ValueError, match="n'appartient pas"):
        packs.build_pack(world.cotech, on=ON, meeting=copil_meeting)


def test_without_a_scheme_the_indicator_sections_say_why_rather_than_list_nothing(world):
    world.scheme.delete()
    pack = packs.build_pack(world.cotech, on=ON)
    assert pack["scheme"] is None
    for key in ("indicators", "off_track", "late_actions"):
        assert pack[key]["available"] is False
        assert "Aucun schéma" in pack[key]["reason"]
    assert pack["status_changes"]["available"] is False


def test_the_data_date_is_the_day_the_contract_data_last_changed(world):
    assert packs.build_pack(world.cotech, on=ON)["data_date"] is None
    contract(world)
    assert packs.build_pack(world.cotech, on=ON)["data_date"] is not None


def _count_queries(committee, on) -> int:
    with CaptureQueriesContext(connection) as captured:
        packs.build_pack(committee, on=on)
    return len(captured.captured_queries)


@pytest.mark.parametrize("kind", ["cotech", "copil"])
def test_the_number_of_queries_does_not_grow_with_the_data(world, kind, django_assert_max_num_queries):
    committee = getattr(world, kind)
    populate(world, 1)
    hold(meeting(committee, ON - timedelta(days=20)))
    small = _count_queries(committee, ON)
    populate(world, 6)
    large = _count_queries(committee, ON)
    assert large == small
    with django_assert_max_num_queries(56 if kind == "copil" else 40):
        pack = packs.build_pack(committee, on=ON)
    assert len(pack["awaiting_advice"]) == 7
    assert len(pack["corrective_actions"]) == 7
