"""A hand-computed perimeter: every expected figure in the tests below is worked out in the docstring."""

from datetime import date
from decimal import Decimal

import pytest

from spaser.contracts.models import Contract, ContractKind
from spaser.organisations.models import Buyer, Direction, DirectionKind, Organisation, OrganisationKind
from spaser.schemes.models import Axis, Commitment, Indicator, Scheme, SchemeStatus, Target

SIRET = "22930008201453"
OTHER_SIRET = "21750001600019"


def make_contract(number, *, social, environmental, amount, framework=False, kind=ContractKind.MARCHE,
                  year=2024, buyer=SIRET, direction=None):  # fmt: skip
    return Contract.objects.create(
        uid=f"{buyer}C{number}",
        buyer_siret=buyer,
        contract_id=f"C{number}",
        kind=kind,
        object=f"Marché {number}",
        cpv="45000000",
        cpv_division="45",
        is_framework=framework,
        amount=None if amount is None else Decimal(amount),
        notification_date=date(year, 3, 1),
        notification_year=year,
        has_social=social,
        has_environmental=environmental,
        direction=direction,
        source_format="test",
        raw={},
        content_hash=str(number),
    )


@pytest.fixture
def perimeter(db):
    """2024, organisation perimeter (SIRET 22930008201453), marchés only:

    | # | social  | env     | amount  | note                         | direction |
    | 1 | yes     | no      | 100 000 |                              | A         |
    | 2 | no      | yes     | 200 000 |                              | A         |
    | 3 | unknown | unknown | 300 000 |                              | -         |
    | 4 | yes     | yes     | none    | no usable amount             | -         |
    | 5 | no      | no      | 400 000 | framework: left out in value | -         |
    Outside: a concession (social yes), a 2023 contract (social yes), another buyer's contract (social yes).

    S1 = 2/5 = 40 %, unknown 1. S2 = 100 000 / 600 000 = 16.6667 %, unknown 1 (300 000 €).
    E1 = 2/5 = 40 %, unknown 1. E2 = 200 000 / 600 000 = 33.3333 %.
    Direction A: S1 = 1/2 = 50 %, E1 = 1/2 = 50 %.
    """
    organisation = Organisation.objects.create(
        name="Département test", slug="test", siren="229300082", kind=OrganisationKind.DEPARTEMENT
    )
    Buyer.objects.create(organisation=organisation, identifier=SIRET, name="Département test")
    direction = Direction.objects.create(
        organisation=organisation, name="Direction A", slug="a", kind=DirectionKind.PRESCRIBING
    )
    make_contract(1, social=True, environmental=False, amount=100_000, direction=direction)
    make_contract(2, social=False, environmental=True, amount=200_000, direction=direction)
    make_contract(3, social=None, environmental=None, amount=300_000)
    make_contract(4, social=True, environmental=True, amount=None)
    make_contract(5, social=False, environmental=False, amount=400_000, framework=True)
    make_contract(6, social=True, environmental=True, amount=50_000, kind=ContractKind.CONCESSION)
    make_contract(7, social=True, environmental=True, amount=50_000, year=2023)
    make_contract(8, social=True, environmental=True, amount=50_000, buyer=OTHER_SIRET)

    scheme = Scheme.objects.create(
        organisation=organisation,
        slug="spaser-test",
        title="SPASER test",
        period_start=2024,
        period_end=2028,
        status=SchemeStatus.ADOPTED,
    )
    axis = Axis.objects.create(scheme=scheme, code="I", title="Social")
    commitment = Commitment.objects.create(axis=axis, code="I.1", title="Clauses")
    for position, (code, measure, condition, target) in enumerate([
        ("S1", "count", "has_social", 30), ("S2", "amount", "has_social", 25),
        ("E1", "count", "has_environmental", 50), ("E2", "amount", "has_environmental", 30),
    ]):  # fmt: skip
        indicator = Indicator.objects.create(
            commitment=commitment, code=code, name=code, method="share", position=position,
            params={"measure": measure, "condition": condition},
        )  # fmt: skip
        Target.objects.create(indicator=indicator, year=2024, value=Decimal(target))
    Indicator.objects.create(commitment=commitment, code="S5", name="Heures d'insertion", unit="hours")
    return scheme
