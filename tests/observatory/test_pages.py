"""The national page (/observatoire/) and the organisation's position (/observatoire/position/): login,
figures from the store, chart followed by its table, empty states, bad year, bounded queries, the dashboard
block."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from spaser.observatory import selectors
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .test_peers import write_buyers, write_indicators

pytestmark = pytest.mark.django_db
SSD = "229300082"


@pytest.fixture
def store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    root = tmp_path / "observatory"
    rows = []
    values = {SSD: 18.0, "221000011": 40.0, "222000010": 25.0, "223000019": 10.0, "224000018": None}
    for siren, value in values.items():
        rows.append((siren, "departement", "S1", value))
        rows.append((siren, "departement", "C3a", None if value is None else value / 10))
    rows += [("200000001", "region", "S1", 33.0), ("210000002", "commune", "S1", 0.0)]
    write_indicators(root, 2024, rows)
    write_indicators(root, 2023, [(SSD, "departement", "S1", 12.0), ("221000011", "departement", "S1", 9.0)])
    write_buyers(root, [(SSD, "Département de la Seine-Saint-Denis", "departement")])
    return root


@pytest.fixture
def pilot(client):
    organisation = OrganisationFactory(name="Seine-Saint-Denis", siren=SSD, kind="departement")
    membership = MembershipFactory(organisation=organisation)
    client.force_login(membership.user)
    return organisation


def one_h1(html: str) -> None:
    assert html.count("<h1") == 1


def test_pages_need_a_login(client, store):
    for url in ("/observatoire/", "/observatoire/position/"):
        response = client.get(url)
        assert response.status_code == 302
        assert f"next={url}" in response["Location"].replace("%2F", "/")


def test_national_page_shows_each_indicator_per_type_chart_then_table(client, store, pilot):
    response = client.get("/observatoire/")
    html = response.content.decode()
    assert response.status_code == 200
    one_h1(html)
    assert "Observatoire national des achats responsables — 2024" in html
    assert "données au 1 mars 2025" in html
    assert "S1 — Marchés avec au moins une considération sociale, en nombre" in html
    # the chart is accessible and followed by its table
    section = html[html.index('id="indicator-S1"') :]
    svg = section.index("<svg")
    assert 'role="img"' in section
    assert "<title id=" in section
    assert "<desc id=" in section
    assert svg < section.index("<table")
    assert '<th scope="col">Type d\'acheteur</th>' in section
    # départements: 4 with a value, 1 without; median of 10, 18, 25, 40 = 21.5
    row = re.search(r'<th scope="row">Département</th>(.*?)</tr>', section, re.S)[1]
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells[:2] == ["4", "1"]
    assert cells[3] == "21,5\u202f%"
    assert "Cible nationale : 30,0\u202f%" in section
    assert "chart-target--national" in section


def test_national_page_other_year_and_missing_year(client, store, pilot):
    html = client.get("/observatoire/?annee=2023").content.decode()
    assert "— 2023" in html
    assert '<option value="2023" selected>' in html
    missing = client.get("/observatoire/?annee=2019")
    assert missing.status_code == 200
    assert "Pas de données pour 2019" in missing.content.decode()
    assert client.get("/observatoire/?annee=deux-mille").status_code == 404


def test_national_page_without_store(client, settings, tmp_path, pilot):
    settings.DATA_DIR = tmp_path
    html = client.get("/observatoire/").content.decode()
    assert "Pas de données : l'observatoire national n'a pas encore été calculé" in html
    assert "<svg" not in html


def test_position_page_ranks_the_organisation_among_its_type(client, store, pilot):
    response = client.get("/observatoire/position/")
    html = response.content.decode()
    assert response.status_code == 200
    one_h1(html)
    assert "Position de Seine-Saint-Denis parmi les départements — 2024" in html
    assert "3e sur 4 départements" in html  # 40, 25, 18, 10; the unknown one left out
    assert "devant 33,3\u202f% des autres départements" in html
    s1 = html[html.index('id="indicator-S1"') :]
    assert "chart-marker" in s1
    assert "chart-bar--own" in s1
    assert s1.index("<svg") < s1.index("<table")
    assert '<th scope="row">Sans donnée</th><td class="num">1</td>' in s1
    # C3a is a mean: its own scale, written without a % sign
    c3a = html[html.index('id="indicator-C3a"') :]
    assert "1,8" in c3a
    assert "3e sur 4 départements" in c3a


def test_position_page_without_the_siren_shows_the_peers(client, store):
    organisation = OrganisationFactory(name="Département absent", siren="226000015", kind="departement")
    client.force_login(MembershipFactory(organisation=organisation).user)
    html = client.get("/observatoire/position/").content.decode()
    assert "Pas de données pour le SIREN 226000015 en 2024" in html
    assert "d'après la fiche de l'organisation" in html
    assert "chart-marker" not in html
    assert "pas de données" in html  # its value, never 0


def test_position_page_outside_any_organisation_is_404(client, store):
    client.force_login(UserFactory())
    assert client.get("/observatoire/position/").status_code == 404


def test_pages_read_the_store_with_few_queries(client, store, pilot):
    from django.db import connection

    client.get("/observatoire/position/")  # warm the caches of the session and the store
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/observatoire/position/").status_code == 200
        assert client.get("/observatoire/").status_code == 200
    assert len(queries) <= 12


def test_dashboard_block_renders_the_position(store, pilot):
    position = selectors.position_for(pilot, 2024)
    html = render_to_string(
        "observatory/_dashboard_position.html", {"observatory_position": position, "organisation": pilot}
    )
    assert "Position parmi les acheteurs du même type" in html
    assert "3e sur 4 départements" in html
    assert "/observatoire/position/?annee=2024" in html
    empty = render_to_string(
        "observatory/_dashboard_position.html", {"observatory_position": None, "organisation": pilot}
    )
    assert "Pas de données" in empty
