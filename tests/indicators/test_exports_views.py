"""The export pages: who exports which scopes, bad filters in French, the three formats, bounded queries."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from spaser.organisations.models import DirectionKind
from tests.factories import DirectionFactory, IndicatorFactory, TargetFactory, build_register

pytestmark = pytest.mark.django_db
BASE = "/tableau-de-bord/exports/"


def compute(scheme) -> None:
    call_command(
        "compute_indicators",
        "--scheme",
        scheme.slug,
        "--year",
        "2024",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


@pytest.fixture
def register():
    register = build_register()
    compute(register.scheme)
    return register


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def scopes_exported(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(BASE + "valeurs.csv?annee=2024")
    assert response.status_code == 200
    return {row["Périmètre"] for row in csv_rows(response)}


def test_each_role_exports_the_scopes_it_may_see(client, register):
    every = {"organisation", f"direction:{register.prescribing.slug}", f"direction:{register.resource.slug}"}
    for user in (register.pilot, register.committee_member, register.resource_referent):
        assert scopes_exported(client, user) == every
    assert scopes_exported(client, register.prescribing_referent) == {
        "organisation",
        f"direction:{register.prescribing.slug}",
    }


def test_a_prescribing_referent_cannot_export_another_direction(client, register):
    client.force_login(register.prescribing_referent)
    response = client.get(BASE + f"valeurs.json?perimetre=direction:{register.resource.slug}")
    assert response.status_code == 403
    assert "ne donne pas accès" in response.content.decode()
    own = client.get(BASE + f"valeurs.json?perimetre=direction:{register.prescribing.slug}&annee=2024")
    assert own.status_code == 200
    values = json.loads(b"".join(own.streaming_content))["values"]
    assert {v["scope"] for v in values} == {f"direction:{register.prescribing.slug}"}


def test_outsiders_get_nothing(client, register):
    assert client.get(BASE + "valeurs.csv").status_code == 302  # anonymous: to the login page
    client.force_login(register.outsider)  # pilot of another organisation
    for path in (
        "",
        "valeurs.csv",
        "valeurs.json",
        "valeurs.xlsx",
        f"valeurs.csv?schema={register.scheme.slug}",
    ):
        response = client.get(BASE + path)
        assert response.status_code == 404, path
        assert register.organisation.name not in response.content.decode()
    stranger = get_user_model().objects.create_user("sans-role", password="un-mot-de-passe-long")
    client.force_login(stranger)
    assert client.get(BASE + "valeurs.csv").status_code == 404


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("annee=abc", 400, "Année invalide : « abc »"),
        ("annee=1999", 404, "hors de la période du schéma"),
        ("periode=T9", 400, "Période invalide : « T9 »"),
        ("perimetre=direction:inconnue", 404, "Périmètre inconnu : « direction:inconnue »"),
        ("sep=|", 400, "Séparateur invalide"),
    ],
)
def test_bad_filters_are_refused_with_a_french_message(client, register, query, status, message):
    client.force_login(register.pilot)
    response = client.get(BASE + "valeurs.csv?" + query)
    assert response.status_code == status
    assert message in response.content.decode()


def test_the_three_formats_download(client, register):
    client.force_login(register.pilot)
    xlsx = client.get(BASE + "valeurs.xlsx?annee=2024")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="indicateurs-{register.scheme.slug}-2024.xlsx"' in xlsx["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.sheetnames[0] == "Lisez-moi"
    assert book.sheetnames[1].startswith("I Des achats")
    document = json.loads(b"".join(client.get(BASE + "valeurs.json?annee=2024").streaming_content))
    assert {v["code"] for v in document["values"]} == {"S1"}
    s1 = next(v for v in document["values"] if v["scope"] == "organisation")
    assert s1["value"] is None  # no buyer, no contract: pas de données, never 0
    assert s1["target"] == 20
    assert s1["status"] == "no_data"
    comma = client.get(BASE + "valeurs.csv?annee=2024&sep=,")
    assert b"".join(comma.streaming_content).decode().splitlines()[0].startswith("\ufeffAxe,Engagement,")
    assert client.post(BASE + "valeurs.csv").status_code == 405


def test_the_export_page_offers_the_choices_the_user_may_make(client, register):
    client.force_login(register.prescribing_referent)
    page = client.get(BASE).content.decode()
    assert "<h1>Exporter les valeurs des indicateurs</h1>" in page
    assert 'formaction="/tableau-de-bord/exports/valeurs.csv"' in page
    assert '<label for="export-perimetre">Périmètre</label>' in page
    assert register.prescribing.name in page
    assert register.resource.name not in page
    client.force_login(register.pilot)
    assert register.resource.name in client.get(BASE).content.decode()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_queries_do_not_grow_with_indicators_and_directions(client, register, fmt):
    client.force_login(register.pilot)
    path = f"{BASE}valeurs.{fmt}?annee=2024"
    before = _queries(client, path)
    for number in range(8):
        indicator = IndicatorFactory(commitment=register.commitment, code=f"X{number}")
        TargetFactory(indicator=indicator, year=2024, value=Decimal(10))
        DirectionFactory(organisation=register.organisation, kind=DirectionKind.PRESCRIBING)
    compute(register.scheme)
    assert _queries(client, path) == before
    assert before <= 12
