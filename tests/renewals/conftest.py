"""A register (tests.factories.build_register) with a buyer, and a helper creating contracts around today."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from spaser.contracts.end_dates import add_months
from spaser.contracts.models import Contract
from tests.factories import BuyerFactory, build_register

TODAY = timezone.localdate()


def months(n: int) -> date:
    return add_months(TODAY, n)


@pytest.fixture
def world(db):
    register = build_register()
    register.buyer = BuyerFactory(organisation=register.organisation)
    register.counter = 0

    def contract(**fields) -> Contract:
        register.counter += 1
        defaults = {
            "uid": f"{register.buyer.identifier}M{register.counter:04d}",
            "buyer_siret": register.buyer.identifier,
            "contract_id": f"M{register.counter:04d}",
            "object": f"Marché {register.counter}",
            "cpv": "45233141",
            "cpv_division": "45",
            "direction": register.prescribing,
            "source_format": "test",
            "raw": {},
            "content_hash": str(register.counter),
        }
        defaults.update(fields)
        return Contract.objects.create(**defaults)

    register.contract = contract
    return register
