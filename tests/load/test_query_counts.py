"""Query counts of the list and dashboard pages: the exact number of SQL queries of each page is asserted,
and it is the same with 2 rows as with 20 (no query per row); tests/indicators/test_dashboard_queries.py
also checks the dashboards on the whole catalogue. The observatory has its bound in
tests/observatory/test_pages.py, the reports list in tests/reports/test_views.py. The load test (bench/load,
`make load`) measures these pages under 50 users.

When a page's count changes on purpose, update its number in PAGES: a count that grows with the rows is the
failure this guards against (an N+1 costs a query per contract on a list of 100 000).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from spaser.campaigns import services as campaigns
from spaser.contracts.models import Contract, ContractSupplier, ImportBatch, ImportKind, QuarantinedRecord
from spaser.governance.models import Committee, CommitteeKind, CorrectiveAction, Meeting
from spaser.indicators.services import compute_scheme_indicators
from spaser.organisations import data_stamp
from spaser.organisations.models import Buyer
from spaser.registers.models import RegisterImport, RegisterKind
from spaser.suppliers.models import Supplier
from tests.factories import IndicatorFactory, build_register
from tests.projects.conftest import make_project

SIRET = "22930008201453"


@pytest.fixture
def world(db):
    world = build_register(siren="229300082")
    Buyer.objects.create(organisation=world.organisation, identifier=SIRET, name="Département")
    world.copil = Committee.objects.create(
        organisation=world.organisation, kind=CommitteeKind.COPIL, name="COPIL du SPASER"
    )
    return world


# -- rows of each page: grow(world, start, stop) adds the rows numbered start..stop-1 --------------------


def contracts(world, start, stop):
    """Contracts of the buyer (half of them of the roads direction), each with its own supplier, ending within
    the renewals radar's 12 months."""
    today = timezone.localdate()
    rows = Contract.objects.bulk_create(
        Contract(
            uid=f"{SIRET}Q{number:04d}",
            buyer_siret=SIRET,
            contract_id=f"Q{number:04d}",
            object=f"Nettoyage des locaux, lot {number}",
            cpv="90910000",
            cpv_division="90",
            procedure="Procédure adaptée",
            amount=Decimal(40_000 + number * 1000),
            current_amount=Decimal(40_000 + number * 1000),
            notification_date=date(2024, 1, 1 + number % 28),
            notification_year=2024,
            end_date=today + timedelta(days=20 + 15 * number),
            has_social=number % 2 == 0,
            has_environmental=None,
            direction=world.prescribing if number % 2 else None,
            source_format="decp-2022",
            raw={"id": f"Q{number:04d}"},
            content_hash=str(number),
        )
        for number in range(start, stop)
    )
    for number, contract in zip(range(start, stop), rows, strict=True):
        siret = f"{number + 10:09d}00012"
        supplier = Supplier.objects.create(
            identifier=siret, identifier_type="SIRET", siren=siret[:9], name=f"Titulaire {number}"
        )
        ContractSupplier.objects.create(contract=contract, supplier=supplier)


def imports(world, start, stop):
    """DECP imports of the pilot, each with a record in quarantine."""
    for number in range(start, stop):
        batch = ImportBatch.objects.create(
            source_name=f"decp-{number}.json", user=world.pilot, read=10, created=9, quarantined=1
        )
        QuarantinedRecord.objects.create(
            batch=batch, position=number, reasons=["identifiant manquant"], raw={"objet": f"Marché {number}"}
        )


def registers(world, start, stop):
    for number in range(start, stop):
        batch = ImportBatch.objects.create(
            kind=ImportKind.REGISTER, source_name=f"registre-{number}.xlsx", user=world.pilot, read=5
        )
        RegisterImport.objects.create(
            organisation=world.organisation, batch=batch, kind=RegisterKind.CONTRACTS, rejected=1
        )


def projects(world, start, stop):
    for number in range(start, stop):
        make_project(world, title=f"Projet d'achat {number}")


def meetings(world, start, stop):
    for number in range(start, stop):
        Meeting.objects.create(committee=world.copil, date=date(2025, 1, 1) + timedelta(days=7 * number))


def corrective_actions(world, start, stop):
    meeting = Meeting.objects.create(committee=world.copil, date=date(2024, 12, 1))
    for number in range(start, stop):
        CorrectiveAction.objects.create(
            organisation=world.organisation,
            meeting=meeting,
            title=f"Action corrective {number}",
            owner_direction=world.resource if number % 2 else world.prescribing,
            due_date=date(2026, 1, 1) + timedelta(days=number),
            expected_effect="Redresser l'indicateur",
            indicator=world.indicator,
            commitment=world.commitment,
        )


def campaigns_(world, start, stop):
    indicator = IndicatorFactory(
        commitment=world.commitment,
        code=f"M{start}",
        method="manual",
        params={},
        owner_direction=world.resource,
    )
    for number in range(start, stop):
        year, month = 2024 + number // 12, number % 12 + 1
        campaigns.open_campaign(
            scheme=world.scheme,
            year=year,
            period=f"M{month:02d}",
            due_date=date(year + 1, 1, 15),
            user=world.pilot,
            indicators=[indicator],
        )


def indicators(world, start, stop):
    """Computed indicators of the register's commitment (one card each on the dashboards), and contracts."""
    for number in range(start, stop):
        IndicatorFactory(commitment=world.commitment, code=f"X{number}", name=f"Indicateur calculé {number}")
    contracts(world, start, stop)
    compute_scheme_indicators(scheme=world.scheme, years=[2024])


BOARD = "/tableau-de-bord"
DRILL = f"{BOARD}/indicateurs/S1/marches/"

# page: (URL, rows, who browses, exact number of queries)
PAGES = {
    "tableau de bord": ("/tableau-de-bord/?periode=2024", indicators, "pilot", 13),
    "tableau de bord (membre du comité)": (f"{BOARD}/?periode=2024", indicators, "committee_member", 13),
    "tableau de bord : direction": (
        f"{BOARD}/directions/{{direction}}/?periode=2024",
        indicators,
        "pilot",
        12,
    ),
    "tableau de bord : axe": (f"{BOARD}/axes/{{axis}}/?periode=2024", indicators, "pilot", 13),
    "tableau de bord : engagement": (
        f"{BOARD}/engagements/{{commitment}}/?periode=2024",
        indicators,
        "pilot",
        13,
    ),
    "tableau de bord : indicateur": (f"{BOARD}/indicateurs/X1/?periode=2024", indicators, "pilot", 17),
    "tableau de bord : marchés d'un indicateur": (
        f"{DRILL}?periode=2024&part=denominator",
        contracts,
        "pilot",
        15,
    ),
    "marchés": ("/marches/", contracts, "pilot", 12),
    "marchés filtrés et triés": ("/marches/?q=Nettoyage&sociale=oui&tri=-montant", contracts, "pilot", 12),
    "marchés d'une direction (référent)": ("/marches/", contracts, "prescribing_referent", 12),
    "marchés non attribués": ("/marches/non-attribues/", contracts, "pilot", 8),
    "titulaires": ("/titulaires/", contracts, "pilot", 9),
    "renouvellements": ("/renouvellements/", contracts, "pilot", 13),
    "imports": ("/imports/", imports, "pilot", 7),
    "quarantaine": ("/imports/quarantaine/", imports, "pilot", 7),
    "registres": ("/registres/", registers, "pilot", 7),
    "projets": ("/projets/", projects, "pilot", 7),
    "mes tâches": ("/mes-taches/", projects, "pilot", 9),
    "gouvernance": ("/gouvernance/", meetings, "pilot", 9),
    "actions correctives": ("/gouvernance/actions/", corrective_actions, "pilot", 7),
    "campagnes": ("/saisies/", campaigns_, "pilot", 6),
}


def queries(client, url):
    client.get(url)  # first request: session, caches
    data_stamp.forget_all()  # the worst case: memos computed again (tests/renewals/test_page_memos.py)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), len(response.content)


@pytest.mark.parametrize("page", PAGES)
def test_the_query_count_of_a_list_page_is_exact_and_does_not_grow_with_its_rows(client, world, page):
    url, grow, who, expected = PAGES[page]
    url = url.format(axis=world.axis.pk, commitment=world.commitment.pk, direction=world.prescribing.slug)
    client.force_login(getattr(world, who))
    grow(world, 0, 2)
    few, small = queries(client, url)
    grow(world, 2, 20)
    many, large = queries(client, url)
    assert large > small, "the 18 new rows must show on the page"
    assert (few, many) == (expected, expected)
