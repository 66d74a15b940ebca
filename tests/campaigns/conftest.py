"""A register with three manual indicators: one per direction and one without direction (the pilot's)."""

from datetime import date
from decimal import Decimal

import pytest

from spaser.campaigns import services
from spaser.schemes.models import Unit
from tests.factories import IndicatorFactory, TargetFactory, build_register


@pytest.fixture
def world(db):
    register = build_register()
    common = {"commitment": register.commitment, "method": "manual", "params": {}, "source": "Saisie"}
    register.trained = IndicatorFactory(
        code="T6", name="Agents formés aux achats responsables", unit=Unit.COUNT,
        owner_direction=register.prescribing, baseline_value=None, baseline_year=None, **common,
    )  # fmt: skip
    register.reuse = IndicatorFactory(
        code="E5", name="Part du réemploi", unit=Unit.PERCENT, owner_direction=register.resource,
        baseline_value=Decimal("5"), baseline_year=2023, **common,
    )  # fmt: skip
    register.avoided = IndicatorFactory(
        code="T2", name="Dépenses évitées après revue du besoin", unit=Unit.EURO, owner_direction=None,
        baseline_value=None, baseline_year=None, **common,
    )  # fmt: skip
    TargetFactory(indicator=register.reuse, year=2025, value=Decimal("10"))
    TargetFactory(indicator=register.trained, year=2025, value=Decimal("40"))
    return register


@pytest.fixture
def campaign(world):
    return services.open_campaign(
        scheme=world.scheme, year=2025, period="A", due_date=date(2026, 2, 15), user=world.pilot
    )


def entry_of(campaign, indicator):
    return campaign.entries.get(indicator=indicator)
