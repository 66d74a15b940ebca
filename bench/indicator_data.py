"""The data of the indicator benchmark (bench/bench_indicators.py): one organisation of 100 000 contracts over
five years, deterministic (seed), inserted in bulk, with a scheme holding the full computed catalogue."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal

YEARS = [2021, 2022, 2023, 2024, 2025]
SEED = 2026
SCHEME_SLUG = "bench-indicateurs"
SIREN = "229300082"
BUYERS = [(SIREN, "Département"), ("21930001400011", "Syndicat des eaux"), ("25930001800013", "SDIS")]
OUTSIDE = "21750001600019"


def _tri(rng: random.Random, yes: float, unknown: float) -> bool | None:
    draw = rng.random()
    return None if draw < unknown else draw < unknown + yes


def _considerations(rng: random.Random, yes: float, unknown: float, parts: int) -> list[bool | None]:
    """The headline flag and its parts (clause, criterion[, reserved]): unknown together, no together, and
    at least one part when yes."""
    headline = _tri(rng, yes, unknown)
    if headline is None or headline is False:
        return [headline] * (parts + 1)
    flags = [rng.random() < 0.6 for _ in range(parts)]
    if not any(flags):
        flags[0] = True
    return [True, *flags]


def generate(contracts: int) -> dict:
    from spaser.contracts.models import Contract, ContractKind, ContractSupplier
    from spaser.indicators.catalogue import COMPUTED
    from spaser.organisations.models import Buyer, Direction, DirectionKind, Organisation, OrganisationKind
    from spaser.registers.models import InsertionHours, InsertionParticipant
    from spaser.schemes.models import (
        Action,
        ActionStatus,
        Axis,
        Commitment,
        Frequency,
        Indicator,
        Scheme,
        SchemeStatus,
        Target,
    )
    from spaser.suppliers.models import InclusiveKind, SizeCategory, Supplier

    rng = random.Random(SEED)
    organisation = Organisation.objects.create(
        name="Département du banc d'essai", slug="banc", siren=SIREN, kind=OrganisationKind.DEPARTEMENT
    )
    for identifier, name in BUYERS:
        Buyer.objects.create(organisation=organisation, identifier=identifier, name=name)
    directions = Direction.objects.bulk_create(
        Direction(
            organisation=organisation,
            name=f"Direction {n}",
            slug=f"direction-{n}",
            kind=DirectionKind.RESOURCE if n < 2 else DirectionKind.PRESCRIBING,
        )
        for n in range(10)
    )
    sizes = (
        [SizeCategory.PME] * 11 + [SizeCategory.ETI] * 3 + [SizeCategory.GE] * 2 + [SizeCategory.UNKNOWN] * 4
    )
    inclusive = [InclusiveKind.NONE] * 18 + [InclusiveKind.SIAE_EI, InclusiveKind.EA]
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            identifier=f"{100000000 + n:09d}00017",
            siren=f"{100000000 + n:09d}",
            name=f"Titulaire {n}",
            size_category=rng.choice(sizes),
            is_ess=_tri(rng, 0.08, 0.25),
            inclusive_kind=rng.choice(inclusive),
            departement_code=rng.choice(["93", "93", "75", "94", "69", ""]),
            region_code=rng.choice(["11", "11", "84", ""]),
        )
        for n in range(5000)
    )
    siret_pool = [f"{SIREN}{n:05d}" for n in (17, 25, 33, 41, 58)]
    procedures = ["Appel d'offres ouvert", "Procédure adaptée", "Marché négocié sans publicité préalable",
                  "Dialogue compétitif", ""]  # fmt: skip
    natures = ["Marché", "Marché", "Marché subséquent", "Marché de partenariat", ""]
    cpvs = ["45233140", "45210000", "79710000", "90910000", "15800000", "30192000", "34144000", "72260000",
            "50700000", "71000000", "09310000", "33600000", "55520000", "60100000", ""]  # fmt: skip
    batch, started = [], time.perf_counter()
    total_in = contracts
    for number in range(total_in + total_in // 50):
        inside = number < total_in
        draw = rng.random()
        if not inside:
            buyer = OUTSIDE
        else:
            buyer = rng.choice(siret_pool) if draw < 0.7 else BUYERS[1][0] if draw < 0.9 else BUYERS[2][0]
        year = rng.choice(YEARS)
        notified = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        amount = (
            None if rng.random() < 0.06 else Decimal(int(rng.lognormvariate(11.8, 1.1))).quantize(Decimal(1))
        )
        social = _considerations(rng, 0.22, 0.15, 3)
        environmental = _considerations(rng, 0.3, 0.15, 2)
        cpv = rng.choice(cpvs)
        batch.append(
            Contract(
                uid=f"{buyer}B{number}",
                buyer_siret=buyer,
                contract_id=f"B{number}",
                kind=ContractKind.CONCESSION if rng.random() < 0.03 else ContractKind.MARCHE,
                object=f"Marché de banc d'essai {number}",
                nature=rng.choice(natures),
                procedure=rng.choice(procedures),
                cpv=cpv,
                cpv_division=cpv[:2],
                is_framework=rng.random() < 0.18,
                amount=amount,
                current_amount=None if amount is None else amount + rng.choice([0, 0, 0, amount // 20]),
                duration_months=rng.choice([None, 1, 2, 6, 12, 24, 36, 48]),
                notification_date=notified,
                notification_year=year,
                publication_date=None
                if rng.random() < 0.1
                else notified + timedelta(days=rng.randrange(150)),
                has_social=social[0],
                social_clause=social[1],
                social_criterion=social[2],
                reserved=social[3],
                has_environmental=environmental[0],
                environmental_clause=environmental[1],
                environmental_criterion=environmental[2],
                bids_received=None if rng.random() < 0.1 else rng.choice([1, 1, 2, 3, 3, 4, 5, 8]),
                advance_granted=_tri(rng, 0.3, 0.3),
                advance_rate=rng.choice([None, None, Decimal("0.05"), Decimal("0.1"), Decimal("0.3")]),
                innovative=_tri(rng, 0.03, 0.4),
                subcontracting_declared=_tri(rng, 0.2, 0.3),
                direction=rng.choice(directions) if rng.random() < 0.75 else None,
                source_format="bench",
                raw={},
                content_hash=str(number),
            )
        )
        if len(batch) == 5000:
            _insert_contracts(batch, rng, suppliers)
            batch = []
    if batch:
        _insert_contracts(batch, rng, suppliers)
    contracts_s = time.perf_counter() - started

    # Insertion hours for part of the contracts with a social clause, and the people behind them.
    hours, people = [], []
    clauses = Contract.objects.filter(social_clause=True).values_list("pk", "notification_date")
    for pk, notified in clauses.iterator(chunk_size=5000):
        if rng.random() > 0.4:
            continue
        for quarter in range(rng.randint(1, 3)):
            start = notified + timedelta(days=30 + 91 * quarter)
            hours.append(
                InsertionHours(
                    contract_id=pk,
                    period_start=start,
                    period_end=start + timedelta(days=90),
                    hours_planned=None if rng.random() < 0.05 else Decimal(rng.randint(50, 800)),
                    hours_realised=None if rng.random() < 0.1 else Decimal(rng.randint(0, 800)),
                )
            )
    InsertionHours.objects.bulk_create(hours, batch_size=5000)
    for period in hours:
        for person in rng.sample(range(6000), rng.randint(0, 3)):
            people.append(
                InsertionParticipant(
                    contract_id=period.contract_id,
                    period=period,
                    person_ref=f"P{person}",
                    gender=rng.choice(["F", "M", "M", ""]),
                    resident=_tri(rng, 0.6, 0.2),
                    hours=Decimal(rng.randint(7, 400)),
                )
            )
    InsertionParticipant.objects.bulk_create(people, batch_size=5000)

    scheme = Scheme.objects.create(
        organisation=organisation,
        slug=SCHEME_SLUG,
        title="SPASER du banc d'essai",
        period_start=YEARS[0],
        period_end=YEARS[-1] + 2,
        status=SchemeStatus.ADOPTED,
        mutualised=True,
    )
    axes = {}
    for position, (letter, title) in enumerate([("S", "Social"), ("E", "Environnement"),
                                                ("C", "Économie"), ("T", "Transversal")]):  # fmt: skip
        axis = Axis.objects.create(scheme=scheme, code=str(position + 1), title=title, position=position)
        axes[letter] = Commitment.objects.create(axis=axis, code=f"{position + 1}.1", title=title)
    frequencies = [Frequency.YEARLY, Frequency.QUARTERLY, Frequency.MONTHLY]
    for position, definition in enumerate(COMPUTED):
        indicator = Indicator.objects.create(
            commitment=axes[definition.code[0]],
            code=definition.code,
            name=definition.name,
            unit=definition.unit,
            method=definition.method,
            params=definition.params,
            frequency=frequencies[position % 3],
            position=position,
        )
        Target.objects.create(indicator=indicator, year=YEARS[-1], value=Decimal(30))
    for number in range(40):
        Action.objects.create(
            commitment=rng.choice(list(axes.values())),
            title=f"Action {number}",
            owner_direction=rng.choice([None, *directions]),
            due_date=rng.choice([None, date(rng.choice(YEARS), rng.randint(1, 12), 1)]),
            status=rng.choice(list(ActionStatus.values)),
        )
    return {
        "contracts": Contract.objects.count(),
        "in_perimeter": Contract.objects.for_organisation(organisation).count(),
        "suppliers": len(suppliers),
        "links": ContractSupplier.objects.count(),
        "hours": len(hours),
        "participants": len(people),
        "indicators": len(COMPUTED),
        "contracts_s": contracts_s,
    }


def _insert_contracts(batch: list, rng: random.Random, suppliers: list) -> None:
    from spaser.contracts.models import Contract, ContractSupplier

    created = Contract.objects.bulk_create(batch, batch_size=1000)
    links = []
    for contract in created:
        draw = rng.random()
        count = 0 if draw < 0.05 else 1 if draw < 0.85 else 2 if draw < 0.97 else 3
        for position, supplier in enumerate(rng.sample(suppliers, count)):
            links.append(
                ContractSupplier(contract_id=contract.pk, supplier_id=supplier.pk, position=position)
            )
    ContractSupplier.objects.bulk_create(links, batch_size=5000)
