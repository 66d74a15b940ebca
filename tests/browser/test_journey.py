import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from spaser.organisations.models import Membership, Role

pytestmark = pytest.mark.browser


def test_log_in_reach_the_dashboard_and_read_a_figure(live_server, page, perimeter):
    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    user = get_user_model().objects.create_user("pilote", password="un-mot-de-passe-long")
    Membership.objects.create(user=user, organisation=perimeter.organisation, role=Role.PILOT)

    page.goto(f"{live_server.url}/")
    assert "/connexion/" in page.url
    page.get_by_label("Nom d’utilisateur").fill("pilote")
    page.get_by_label("Mot de passe").fill("un-mot-de-passe-long")
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url(f"{live_server.url}/tableau-de-bord/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord 2024"
    s1 = page.locator('[data-code="S1"]')
    assert "40,0" in s1.locator(".figure").inner_text()
    assert "2 marchés sur 5" in s1.inner_text()
