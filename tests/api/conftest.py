"""A seeded world for the API: an organisation with a register, stored indicator values, contracts of its
buyer (and one of another buyer), a campaign of manual indicators, and a token per role."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from spaser.api import services as token_services
from spaser.campaigns import services as campaign_services
from spaser.contracts.models import Contract, ContractSupplier
from spaser.indicators.models import IndicatorValue
from spaser.organisations.models import Buyer
from spaser.schemes.models import Unit
from spaser.suppliers.models import Supplier
from tests.factories import IndicatorFactory, TargetFactory, build_register

SIRET = "22930008201453"
OTHER_SIRET = "21750001600019"
SUPPLIER_SIRET = "55210055400012"


def make_contract(number: int, **fields) -> Contract:
    values = {
        "uid": f"{SIRET}M{number:04d}",
        "buyer_siret": SIRET,
        "contract_id": f"M{number:04d}",
        "object": f"Fournitures diverses {number}",
        "nature": "Marché",
        "cpv": "30190000",
        "cpv_division": "30",
        "procedure": "Procédure adaptée",
        "amount": Decimal(50_000 + number * 1000),
        "current_amount": Decimal(50_000 + number * 1000),
        "notification_date": date(2024, 1, 1 + number % 28),
        "has_social": False,
        "has_environmental": False,
        "source_format": "decp-2022",
        "raw": {"id": f"M{number:04d}"},
        "content_hash": str(number),
    }
    values.update(fields)
    notified = values["notification_date"]
    values["notification_year"] = notified.year if notified else None
    values["cpv_division"] = values["cpv"][:2]
    return Contract(**values)


@pytest.fixture
def world(db):
    register = build_register(siren="229300082", slug="essonne-essai", name="Département d'essai")
    Buyer.objects.create(organisation=register.organisation, identifier=SIRET, name="Département")
    roads = register.prescribing
    contracts = [
        make_contract(
            1,
            object="Entretien des routes départementales",
            cpv="45233141",
            amount=Decimal("1200000"),
            current_amount=Decimal("1250000"),
            has_social=True,
            procedure="Appel d'offres ouvert",
            direction=roads,
            notification_date=date(2025, 3, 4),
        ),
        make_contract(
            2, has_social=None, has_environmental=True, amount=None, notification_date=date(2025, 6, 1)
        ),
        make_contract(3, nature="Accord-cadre", cpv="45111000", has_environmental=None),
        *(make_contract(10 + n, notification_date=date(2023, 5, 1 + n % 28)) for n in range(12)),
        make_contract(99, uid=f"{OTHER_SIRET}X1", buyer_siret=OTHER_SIRET, object="Hors périmètre"),
    ]
    Contract.objects.bulk_create(contracts)
    supplier = Supplier.objects.create(
        identifier=SUPPLIER_SIRET, siren=SUPPLIER_SIRET[:9], name="Routes et Cie"
    )
    ContractSupplier.objects.create(contract=Contract.objects.get(contract_id="M0001"), supplier=supplier)

    # Stored values of S1 (computed) for 2024 and 2025, organisation and the roads direction.
    common = {
        "numerator": Decimal("3"),
        "unknown": 1,
        "method_version": "share/2",
        "details": {"contrats": 10},
    }
    IndicatorValue.objects.create(
        indicator=register.indicator, year=2025, period="A", scope="organisation", value=Decimal("30.0000"),
        denominator=Decimal("10"), perimeter="marchés des acheteurs du périmètre",
        data_date=date(2025, 12, 31), **common,
    )  # fmt: skip
    IndicatorValue.objects.create(
        indicator=register.indicator, year=2024, period="A", scope="organisation", value=Decimal("18.0000"),
        denominator=Decimal("16"), perimeter="marchés 2024", data_date=date(2024, 12, 31), **common,
    )  # fmt: skip
    IndicatorValue.objects.create(
        indicator=register.indicator, year=2025, period="A", scope=f"direction:{register.resource.slug}",
        value=Decimal("50.0000"), denominator=Decimal("6"), perimeter="direction",
        data_date=date(2025, 12, 31), direction=register.resource, **common,
    )  # fmt: skip

    # Manual indicators and a campaign: T6 to the roads direction, T2 to the pilot.
    manual = {"commitment": register.commitment, "method": "manual", "params": {}, "source": "Saisie"}
    register.trained = IndicatorFactory(
        code="T6", name="Agents formés", unit=Unit.COUNT, owner_direction=roads, baseline_value=None,
        baseline_year=None, **manual,
    )  # fmt: skip
    register.avoided = IndicatorFactory(
        code="T2", name="Dépenses évitées", unit=Unit.EURO, owner_direction=None, baseline_value=None,
        baseline_year=None, **manual,
    )  # fmt: skip
    TargetFactory(indicator=register.trained, year=2025, value=Decimal("40"))
    register.campaign = campaign_services.open_campaign(
        scheme=register.scheme, year=2025, period="A", due_date=date(2026, 2, 15), user=register.pilot
    )
    register.trained_entry = register.campaign.entries.get(indicator=register.trained)
    register.avoided_entry = register.campaign.entries.get(indicator=register.avoided)

    def token(user) -> str:
        return token_services.create_token(user=user, name="Essai", days=30).secret

    register.tokens = {
        "pilot": token(register.pilot),
        "prescribing_referent": token(register.prescribing_referent),
        "resource_referent": token(register.resource_referent),
        "committee_member": token(register.committee_member),
        "outsider": token(register.outsider),
    }
    return register


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
