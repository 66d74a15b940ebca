import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from spaser.organisations.models import Membership, Role


@pytest.fixture
def member(perimeter):
    user = get_user_model().objects.create_user("lecteur", password="un-mot-de-passe-long")
    Membership.objects.create(user=user, organisation=perimeter.organisation, role=Role.COMMITTEE_MEMBER)
    return user


def text_of(response) -> str:
    return re.sub(r"[ \t\n]+", " ", response.content.decode())  # keep the narrow no-break spaces


def test_dashboard_shows_the_computed_figures_with_their_provenance(client, perimeter, member):
    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    client.force_login(member)
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Tableau de bord 2024" in page
    assert "40,0\u202f%" in page  # S1 and E1
    assert "16,7\u202f%" in page  # S2
    assert "33,3\u202f%" in page  # E2
    assert "2 marchés sur 5" in page
    assert "considération inconnue : 1 marché (20,0\u202f%)" in page
    assert 'role="img"' in page
    assert "<desc" in page
    assert "<caption>" in page  # and a data table
    assert "Direction A" in page


def test_dashboard_before_any_computation_says_so(client, perimeter, member):
    client.force_login(member)
    page = text_of(client.get("/tableau-de-bord/"))
    assert "Aucune valeur calculée" in page


def test_unknown_year_is_404(client, perimeter, member):
    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    client.force_login(member)
    assert client.get("/tableau-de-bord/?annee=1999").status_code == 404
    assert client.get("/tableau-de-bord/?annee=abc").status_code == 404


def test_dashboard_requires_login(client, perimeter):
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_value_cards_say_what_the_value_share_leaves_out(client, perimeter, member):
    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    client.force_login(member)
    page = text_of(client.get("/tableau-de-bord/"))
    s2 = page[page.index('data-code="S2"') :]
    s2 = s2[: s2.index("</li>")]
    assert "hors 1 accord-cadre (400\u202f000\u202f€ de maxima ou d'estimations)" in s2
    assert "et 1 marché sans montant exploitable" in s2
    assert "notifiés en 2024" in page  # the perimeter of the figures is written out
