"""Exports of the filtered contract list: CSV for a French Excel (« ; », BOM, decimal comma) and XLSX read
back with openpyxl (numbers as numbers, dates as dates), French headers, tri-state as oui / non / inconnu."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from spaser.contracts.exports import HEADERS
from spaser.contracts.models import Contract, ContractSupplier
from spaser.organisations.models import Buyer
from spaser.suppliers.models import Supplier
from tests.factories import PASSWORD, build_register

pytestmark = pytest.mark.django_db

SIRET = "22930008201453"


@pytest.fixture
def register(db):
    register = build_register(siren="229300082")
    Buyer.objects.create(organisation=register.organisation, identifier=SIRET, name="Département")
    common = {"buyer_siret": SIRET, "source_format": "test", "raw": {}, "content_hash": "x"}
    road = Contract.objects.create(
        uid=f"{SIRET}E1", contract_id="E1", object="Entretien des routes ; lot 1", cpv="45233141",
        cpv_division="45", amount=Decimal("1234567.89"), current_amount=Decimal("1300000"),
        notification_date=date(2024, 3, 12), notification_year=2024, has_social=True, has_environmental=None,
        social_clause=True, social_criterion=False, direction=register.prescribing, direction_source="manual",
        quality_flags=[{"code": "x", "message": "Montant arrondi.", "field": "montant"}], **common,
    )  # fmt: skip
    Contract.objects.create(
        uid=f"{SIRET}E2", contract_id="E2", object="Études", amount=None, notification_date=None,
        has_social=False, **common,
    )  # fmt: skip
    Contract.objects.create(
        uid="21750001600019E3", contract_id="E3", object="Autre acheteur", amount=Decimal(1),
        **{**common, "buyer_siret": "21750001600019"},
    )  # fmt: skip
    supplier = Supplier.objects.create(identifier="55210055400012", siren="552100554", name="Routes SA")
    ContractSupplier.objects.create(contract=road, supplier=supplier)
    return register


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def read_csv(response) -> list[dict]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8 accents right
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_csv_has_french_headers_numbers_dates_and_tri_state(client, register):
    response = login(client, register.committee_member).get("/marches/export.csv", {"tri": "uid"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="marches-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == HEADERS
    assert [row["Identifiant acheteur"] for row in rows] == ["E1", "E2"]  # perimeter only
    road, studies = rows
    assert road["Objet"] == "Entretien des routes ; lot 1"  # the separator inside a value is quoted
    assert road["Montant initial (€ HT)"] == "1234567,89"
    assert road["Montant actuel (€ HT)"] == "1300000,00"
    assert road["Date de notification"] == "12/03/2024"
    assert road["Libellé CPV"] == "Travaux d'entretien routier"
    assert (road["Considération sociale"], road["Considération environnementale"]) == ("oui", "inconnu")
    assert (road["Clause sociale"], road["Critère social"], road["Marché réservé"]) == (
        "oui",
        "non",
        "inconnu",
    )
    assert road["Direction"] == "Direction de la voirie"
    assert road["Origine de l'attribution"] == "Choix manuel"
    assert road["Titulaires"] == "55210055400012 Routes SA"
    assert road["Alertes qualité"] == "Montant arrondi."
    assert (studies["Montant initial (€ HT)"], studies["Date de notification"]) == ("", "")
    assert studies["Considération sociale"] == "non"


def test_export_follows_the_list_filters(client, register):
    login(client, register.pilot)
    rows = read_csv(client.get("/marches/export.csv", {"sociale": "non"}))
    assert [row["Identifiant acheteur"] for row in rows] == ["E2"]
    rows = read_csv(client.get("/marches/export.csv", {"q": "routes"}))
    assert [row["Identifiant acheteur"] for row in rows] == ["E1"]


def test_xlsx_reads_back_with_numbers_and_dates(client, register):
    response = login(client, register.pilot).get("/marches/export.xlsx", {"tri": "uid"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Marchés"]
    values = list(sheet.values)
    assert list(values[0]) == HEADERS
    assert len(values) == 3
    road = dict(zip(HEADERS, values[1], strict=True))
    amount = road["Montant initial (€ HT)"]
    assert isinstance(amount, int | float)
    assert Decimal(str(amount)) == Decimal("1234567.89")
    assert road["Date de notification"] == datetime(2024, 3, 12)
    assert sheet.cell(row=2, column=HEADERS.index("Date de notification") + 1).number_format == "DD/MM/YYYY"
    assert road["Année de notification"] == 2024
    assert road["Considération environnementale"] == "inconnu"
    studies = dict(zip(HEADERS, values[2], strict=True))
    assert studies["Montant initial (€ HT)"] is None


def test_export_needs_login_and_stays_in_the_perimeter(client, register):
    assert client.get("/marches/export.csv").status_code == 302
    rows = read_csv(login(client, register.outsider).get("/marches/export.csv"))
    assert rows == []  # the other organisation has no contract here; ours never leak


def test_export_query_count_does_not_grow_with_rows(client, register, django_assert_max_num_queries):
    login(client, register.pilot)
    Contract.objects.bulk_create(
        Contract(
            uid=f"{SIRET}B{n}",
            buyer_siret=SIRET,
            contract_id=f"B{n}",
            source_format="t",
            raw={},
            content_hash="x",
        )
        for n in range(300)
    )
    with django_assert_max_num_queries(14):
        rows = read_csv(client.get("/marches/export.csv"))
    assert len(rows) == 302
