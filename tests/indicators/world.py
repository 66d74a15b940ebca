"""A random but reproducible world for the engine tests: a joint scheme (a SIREN and a SIRET), three
directions, contracts over 2023-2025 with every kind of gap (unknown considerations, no amount, frameworks,
concessions, no supplier, suppliers of unknown size…), insertion hours and participants, actions.

The figures are not worked out by hand here (tests/perimeter.py does that): the tests check that every path
of the engine agrees with the straightforward one on it.
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from spaser.contracts.models import Contract, ContractKind, ContractSupplier
from spaser.organisations.models import Buyer, Direction, DirectionKind, Organisation, OrganisationKind
from spaser.registers.models import InsertionHours, InsertionParticipant
from spaser.schemes.models import Action, ActionStatus, Axis, Commitment, Scheme, SchemeStatus
from spaser.suppliers.models import InclusiveKind, SizeCategory, Supplier

SIREN = "229300082"
SIRET = "21930001400011"
OUTSIDE = "21750001600019"
YEARS = (2023, 2024, 2025)
TODAY = date(2025, 8, 15)
PARIS = ZoneInfo("Europe/Paris")
PROCEDURES = ["Appel d'offres ouvert", "Procédure adaptée", "Marché négocié sans publicité", ""]
NATURES = ["Marché", "Marché subséquent", ""]


def _tri(rng) -> bool | None:
    return rng.choice([True, False, None])


def build_world(seed: int = 7, contracts: int = 160) -> Scheme:
    rng = random.Random(seed)
    organisation = Organisation.objects.create(
        name="Monde de test", slug="monde", siren=SIREN, kind=OrganisationKind.DEPARTEMENT
    )
    Buyer.objects.create(organisation=organisation, identifier=SIREN, name="Département")
    Buyer.objects.create(organisation=organisation, identifier=SIRET, name="Syndicat")
    directions = [
        Direction.objects.create(
            organisation=organisation, name=f"Direction {name}", slug=name, kind=DirectionKind.PRESCRIBING
        )
        for name in ("a", "b", "c")
    ]
    suppliers = [
        Supplier.objects.create(
            identifier=f"{n:09d}00011",
            siren=f"{n:09d}",
            size_category=rng.choice(
                [SizeCategory.PME, SizeCategory.ETI, SizeCategory.GE, SizeCategory.UNKNOWN]
            ),
            is_ess=_tri(rng),
            inclusive_kind=rng.choice([InclusiveKind.NONE, InclusiveKind.NONE, InclusiveKind.SIAE_EI]),
            departement_code=rng.choice(["93", "75", ""]),
            region_code=rng.choice(["11", "84", ""]),
        )
        for n in range(1, 13)
    ]
    for number in range(contracts):
        buyer = rng.choice([f"{SIREN}00017", f"{SIREN}00025", SIRET, OUTSIDE])
        year = rng.choice(YEARS)
        notified = date(year, rng.randint(1, 12), rng.randint(1, 28))
        amount = rng.choice([None, Decimal(rng.randint(40_000, 6_000_000))])
        contract = Contract.objects.create(
            uid=f"{buyer}W{number}",
            buyer_siret=buyer,
            contract_id=f"W{number}",
            kind=ContractKind.CONCESSION if rng.random() < 0.08 else ContractKind.MARCHE,
            object=f"Marché {number}",
            procedure=rng.choice(PROCEDURES),
            nature=rng.choice(NATURES),
            cpv=rng.choice(["45210000", "79710000", "15000000", ""]),
            cpv_division="",
            is_framework=rng.random() < 0.2,
            amount=amount,
            current_amount=None if amount is None else amount + rng.choice([0, 5_000]),
            duration_months=rng.choice([None, 1, 2, 3, 12, 48]),
            notification_date=notified,
            notification_year=year,
            publication_date=rng.choice([None, notified + timedelta(days=rng.randint(0, 120))]),
            has_social=_tri(rng),
            social_clause=_tri(rng),
            social_criterion=_tri(rng),
            reserved=_tri(rng),
            has_environmental=_tri(rng),
            environmental_clause=_tri(rng),
            environmental_criterion=_tri(rng),
            bids_received=rng.choice([None, 1, 1, 2, 3, 7]),
            advance_granted=_tri(rng),
            advance_rate=rng.choice([None, Decimal("0.05"), Decimal("0.3")]),
            innovative=_tri(rng),
            subcontracting_declared=_tri(rng),
            direction=rng.choice([None, *directions]),
            source_format="test",
            raw={},
            content_hash=str(number),
        )
        contract.cpv_division = contract.cpv[:2]
        contract.save(update_fields=["cpv_division"])
        for position, supplier in enumerate(rng.sample(suppliers, rng.choice([0, 1, 1, 2]))):
            ContractSupplier.objects.create(contract=contract, supplier=supplier, position=position)
        if rng.random() < 0.3:
            for quarter in range(rng.randint(1, 3)):
                start = date(year, 1 + 3 * quarter, 1)
                hours = InsertionHours.objects.create(
                    contract=contract,
                    period_start=start,
                    period_end=start + timedelta(days=89),
                    hours_planned=rng.choice([None, Decimal(rng.randint(50, 500))]),
                    hours_realised=rng.choice([None, Decimal(rng.randint(0, 500))]),
                )
                for person in rng.sample(range(30), rng.randint(0, 3)):
                    InsertionParticipant.objects.create(
                        contract=contract,
                        period=hours,
                        person_ref=f"P{person}",
                        gender=rng.choice(["F", "H", ""]),
                        resident=_tri(rng),
                        hours=Decimal(35),
                    )
    scheme = Scheme.objects.create(
        organisation=organisation,
        slug="monde",
        title="SPASER du monde de test",
        period_start=2023,
        period_end=2027,
        status=SchemeStatus.ADOPTED,
        mutualised=True,
    )
    axis = Axis.objects.create(scheme=scheme, code="I", title="Axe")
    commitment = Commitment.objects.create(axis=axis, code="I.1", title="Engagement")
    for number in range(12):
        Action.objects.create(
            commitment=commitment,
            title=f"Action {number}",
            owner_direction=rng.choice([None, *directions]),
            due_date=rng.choice([None, date(rng.choice(YEARS), rng.randint(1, 12), 1)]),
            status=rng.choice(list(ActionStatus.values)),
        )
    return scheme


def add_purchases(scheme: Scheme, seed: int = 11) -> Scheme:
    """What the `objects` indicators of the catalogue count besides actions: renewal reviews of the world's
    contracts (T1-T3), purchase projects with their need reviews and the advice of a resource direction
    (T2, T4, E8), consultations launched from 22 August 2026 (E4). Drawn from their own random generator:
    the contracts' draw above stays the same."""
    from spaser.projects.models import Advice, AdviceStatus, NeedReview, Outcome, Project
    from spaser.renewals.models import Decision, RenewalReview

    rng = random.Random(seed)
    organisation = scheme.organisation
    resource = Direction.objects.create(
        organisation=organisation, name="Direction ressource", slug="r", kind=DirectionKind.RESOURCE
    )
    directions = list(organisation.directions.filter(kind=DirectionKind.PRESCRIBING))
    mine = Contract.objects.for_organisation(organisation).marches().exclude(direction=None).exclude(cpv="")
    for contract in mine.filter(notification_year__in=(2023, 2024)).order_by("pk"):
        contract.end_date = contract.notification_date.replace(year=contract.notification_year + 1)
        contract.end_date_estimated = True
        contract.save(update_fields=["end_date", "end_date_estimated"])
        if rng.random() < 0.5:
            decision = rng.choice([*Decision.values[1:], Decision.PENDING])
            reviewed = None
            if decision != Decision.PENDING:
                reviewed = datetime(contract.end_date.year, rng.randint(1, 12), 10, tzinfo=PARIS)
            RenewalReview.objects.create(
                contract=contract, due_date=contract.end_date, decision=decision, reviewed_at=reviewed,
                avoided_amount=rng.choice([None, Decimal(rng.randint(1_000, 90_000))]),
            )  # fmt: skip
    launches = [date(2024, m, 5) for m in (2, 4, 6, 9, 11)] + [date(2026, 8, 21), date(2026, 9, 1),
                                                               date(2026, 10, 2), None]  # fmt: skip
    for number in range(18):
        launched = rng.choice(launches)
        project = Project.objects.create(
            organisation=organisation, direction=rng.choice(directions), reference=f"P-2024-{number:03d}",
            title=f"Projet {number}", cpv="45210000", nature=rng.choice(["works", "services"]),
            estimated_amount=Decimal(rng.choice([90_000, 400_000, 6_000_000])), duration_months=12,
            stage="award" if launched else "need", launched_on=launched,
            env_clause=_tri(rng), env_criterion=_tri(rng), social_clause=_tri(rng),
            climate_derogation=rng.choice(["", "", "Motif de dérogation."]),
        )  # fmt: skip
        outcome = rng.choice(Outcome.values)
        decided = datetime(2024, rng.randint(1, 12), 3, tzinfo=PARIS)
        NeedReview.objects.create(
            project=project, outcome=outcome,
            answers={"c_carbon_energy": {"answer": rng.choice(["yes", "no", "unknown"]), "comment": ""}},
            avoided_amount=rng.choice([None, Decimal(rng.randint(1_000, 50_000))]),
            reviewed_at=None if outcome == Outcome.PENDING else decided,
        )  # fmt: skip
        if rng.random() < 0.7:
            given = rng.random() < 0.7
            advice = Advice.objects.create(
                project=project, resource_direction=resource,
                stage_at_request=rng.choice(["need", "strategy"]),
                status=AdviceStatus.GIVEN if given else AdviceStatus.REQUESTED,
                given_at=datetime(2024, rng.randint(1, 12), 20, tzinfo=PARIS) if given else None,
            )  # fmt: skip
            Advice.objects.filter(pk=advice.pk).update(created_at=datetime(2024, 1, 2, tzinfo=PARIS))
    return scheme


def add_meetings(scheme: Scheme) -> Scheme:
    """What T5b counts: a monthly COTECH and a semi-annual COPIL with meetings held, cancelled and planned in
    2024 (none recorded in 2023 or 2025: « pas de données » there)."""
    from spaser.governance.models import Committee, CommitteeKind, Meeting, MeetingStatus

    organisation = scheme.organisation
    cotech = Committee.objects.create(organisation=organisation, kind=CommitteeKind.COTECH, name="COTECH")
    copil = Committee.objects.create(
        organisation=organisation, kind=CommitteeKind.COPIL, name="COPIL", frequency_months=6
    )
    for month in range(1, 13):
        status = MeetingStatus.CANCELLED if month == 8 else MeetingStatus.HELD
        Meeting.objects.create(committee=cotech, date=date(2024, month, 12), status=status)
    Meeting.objects.create(committee=copil, date=date(2024, 6, 20), status=MeetingStatus.HELD)
    Meeting.objects.create(committee=copil, date=date(2024, 12, 9), status=MeetingStatus.PLANNED)
    return scheme


def add_catalogue(scheme: Scheme) -> Scheme:
    """The whole catalogue of domain.md §6 as the scheme's indicators (the ones Spaser cannot compute as
    manual), frequencies mixed so that every kind of period is exercised, and the objects it counts
    (purchases, committee meetings)."""
    from spaser.indicators.catalogue import CATALOGUE
    from spaser.schemes.models import Frequency, Indicator

    add_purchases(scheme)
    add_meetings(scheme)

    frequencies = [Frequency.YEARLY, Frequency.QUARTERLY, Frequency.MONTHLY, Frequency.SEMIANNUAL]
    commitment = scheme.axes.get().commitments.get()
    for index, definition in enumerate(CATALOGUE):
        Indicator.objects.create(
            commitment=commitment,
            code=definition.code,
            name=definition.name,
            method=definition.method if definition.computed else "manual",
            params=definition.params if definition.computed else {},
            unit=definition.unit,
            frequency=frequencies[index % len(frequencies)],
        )
    return scheme
