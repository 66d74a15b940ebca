"""Shared fixtures of the report tests: the register world of tests/factories.py (a scheme 2024-2028, one user
per role), with stored values of 2025 (a miss, a success, an unknown share ≠ 0, an indicator without data),
actions done and late, and a COTECH and a COPIL whose December meeting validated the 2025 annual review."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from spaser.governance.models import Committee, CommitteeKind, Decision, Meeting, MeetingStatus
from spaser.indicators.models import ORGANISATION_SCOPE, IndicatorValue
from spaser.schemes.models import ActionStatus, Unit
from tests.factories import (
    ActionFactory,
    BuyerFactory,
    CommitmentFactory,
    IndicatorFactory,
    TargetFactory,
    build_register,
)

YEAR = 2025
TODAY = date(2026, 2, 15)
PARIS = ZoneInfo("Europe/Paris")


def store(indicator, year: int, value, *, numerator="0", denominator="0", unknown=0, details=None, **fields):
    return IndicatorValue.objects.update_or_create(
        indicator=indicator,
        year=year,
        period="A",
        scope=ORGANISATION_SCOPE,
        defaults={
            "value": None if value is None else Decimal(value),
            "numerator": Decimal(numerator),
            "denominator": Decimal(denominator),
            "unknown": unknown,
            "details": details if details is not None else {},
            "perimeter": fields.pop("perimeter", "Marchés publiés dans les DECP des acheteurs du périmètre."),
            "data_date": fields.pop("data_date", date(2026, 1, 10)),
            "method_version": fields.pop("method_version", "share/1"),
            **fields,
        },
    )[0]


def build_world():
    world = build_register()
    BuyerFactory(organisation=world.organisation, identifier=f"{world.organisation.siren}00017", name="Siège")
    # S1 (percent, target 22.5 in 2025): 18 → off track (18/22.5 = 80 % → « à surveiller »), unknowns 5 of 50.
    world.s1 = world.indicator
    store(world.s1, 2024, "15", numerator="6", denominator="40", unknown=2, details={"contrats_mesures": 40})
    store(
        world.s1,
        YEAR,
        "18",
        numerator="9",
        denominator="50",
        unknown=5,
        details={"contrats_mesures": 50},
        data_date=date(2026, 1, 12),
    )
    # E1 (percent, target 40) : 45 → reached; national target 100 (missed).
    world.commitment.position = 0
    world.commitment.save()
    environment = CommitmentFactory(axis=world.axis, code="I.2", title="Verdir les achats", position=5)
    world.e1 = IndicatorFactory(
        commitment=environment,
        code="E1",
        name="Marchés comportant au moins une considération environnementale",
        params={"measure": "count", "condition": "has_environmental"},
        position=1,
    )
    TargetFactory(indicator=world.e1, year=YEAR, value=Decimal("40"))
    store(world.e1, YEAR, "45", numerator="45", denominator="100", details={"contrats_mesures": 100})
    # T1 (euros, manual, no value in 2025): « pas de données », never 0.
    world.t1 = IndicatorFactory(
        commitment=environment,
        code="T1",
        name="Achats évités après revue du besoin",
        unit=Unit.EURO,
        method="manual",
        params={},
        position=2,
    )
    TargetFactory(indicator=world.t1, year=YEAR, value=Decimal("100000"))
    # Actions: one done in 2025 (due then), one late (due mid-2025, still in progress), one planned for 2027.
    world.action.status = ActionStatus.DONE
    world.action.progress = 100
    world.action.due_date = date(2025, 9, 30)
    world.action.save()
    world.action.history.filter(status=ActionStatus.DONE).update(history_date=moment(date(YEAR, 9, 20)))
    world.resource_action.due_date = date(2025, 6, 30)
    world.resource_action.save()
    world.orphan_action.status = ActionStatus.PLANNED
    world.orphan_action.due_date = date(2027, 3, 31)
    world.orphan_action.save()
    world.green_action = ActionFactory(
        commitment=environment, owner_direction=world.resource, title="Guide des achats verts", due_date=None
    )
    # Committees and meetings of 2025: 3 COTECH held, 1 cancelled; 2 COPIL held, the second validates 2025.
    world.cotech = Committee.objects.create(
        organisation=world.organisation, kind=CommitteeKind.COTECH, name="COTECH achats responsables"
    )
    world.copil = Committee.objects.create(
        organisation=world.organisation, kind=CommitteeKind.COPIL, name="COPIL du SPASER", frequency_months=6
    )
    for month in (1, 2, 3):
        Meeting.objects.create(committee=world.cotech, date=date(YEAR, month, 15), status=MeetingStatus.HELD)
    Meeting.objects.create(committee=world.cotech, date=date(YEAR, 4, 15), status=MeetingStatus.CANCELLED)
    world.june_copil = Meeting.objects.create(
        committee=world.copil, date=date(YEAR, 6, 20), status=MeetingStatus.HELD
    )
    world.review_copil = Meeting.objects.create(
        committee=world.copil,
        date=date(YEAR, 12, 12),
        status=MeetingStatus.HELD,
        validates_annual_review=True,
        annual_review_year=YEAR,
    )
    world.decision = Decision.objects.create(
        meeting=world.review_copil, text="Le COPIL valide la revue annuelle 2025 et le rapport."
    )
    world.june_decision = Decision.objects.create(meeting=world.june_copil, text="Point d'étape validé.")
    return world


@pytest.fixture
def world(db):
    return build_world()


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=PARIS)
