"""The token page /api/jetons/: login required, create (secret shown once), list, revoke one's own."""

import pytest

from spaser.api import services
from spaser.api.models import ApiToken
from tests.factories import build_register

pytestmark = pytest.mark.django_db
PAGE = "/api/jetons/"


@pytest.fixture
def register(db):
    return build_register()


def test_page_requires_login(client, register):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_create_shows_the_secret_once_and_it_works(client, register):
    client.force_login(register.committee_member)
    response = client.post(PAGE, {"name": "Tableau BI", "days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    secret = html.split('id="new-token" class="token-secret" type="text" value="')[1].split('"')[0]
    assert services.authenticate(secret).user == register.committee_member
    again = client.get(PAGE).content.decode()
    assert secret not in again
    assert "Tableau BI" in again
    assert f"spaser_{ApiToken.objects.get().prefix}_…" in again


def test_create_errors_are_named(client, register):
    client.force_login(register.pilot)
    response = client.post(PAGE, {"name": "", "days": "7"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Le nom du jeton est obligatoire." in html
    assert "Choisissez une durée de validité de la liste." in html
    assert not ApiToken.objects.exists()


def test_revoke_own_token_only(client, register):
    mine = services.create_token(user=register.pilot, name="Le mien").token
    theirs = services.create_token(user=register.outsider, name="Le sien").token
    client.force_login(register.pilot)
    assert client.post(f"{PAGE}{theirs.pk}/revoquer/").status_code == 404
    response = client.post(f"{PAGE}{mine.pk}/revoquer/", follow=True)
    assert "Jeton « Le mien » révoqué" in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None
    assert client.get(f"{PAGE}{mine.pk}/revoquer/").status_code == 405
