import re

import pytest
from django.contrib.auth import get_user_model

from tests.factories import build_register

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "organisations/organisation",
    "organisations/buyer",
    "organisations/direction",
    "organisations/membership",
    "schemes/scheme",
    "schemes/axis",
    "schemes/commitment",
    "schemes/objective",
    "schemes/action",
    "schemes/indicator",
    "schemes/target",
]


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "mot-de-passe-admin")
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_lists_register_models(admin_client, page):
    build_register()
    assert admin_client.get(f"/admin/{page}/").status_code == 200
    assert admin_client.get(f"/admin/{page}/add/").status_code == 200


def test_admin_history_of_an_indicator(admin_client):
    register = build_register()
    response = admin_client.get(f"/admin/schemes/indicator/{register.indicator.pk}/history/")
    assert response.status_code == 200


def test_login_page_is_french_and_labelled(client):
    html = client.get("/connexion/").content.decode()
    assert '<html lang="fr">' in html
    assert html.count("<h1") == 1
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    assert 'href="#contenu"' in html


def test_login_error_is_summarised_in_french(client):
    html = client.post("/connexion/", {"username": "personne", "password": "faux"}).content.decode()
    assert "Le formulaire n'a pas été enregistré" in html
    assert "<title>Erreur : Connexion" in html


def test_header_shows_user_role_and_post_logout(client):
    register = build_register()
    client.force_login(register.prescribing_referent)
    html = client.get(f"/schema/{register.scheme.slug}/").content.decode()
    assert "Référent de direction prescriptrice" in html
    assert re.search(
        r'<form method="post" action="/deconnexion/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )
    assert 'href="/tableau-de-bord/"' in html
    assert 'aria-current="page"' in html


def test_demo_banner_only_for_demo_organisations(client):
    demo = build_register(is_demo=True)
    real = build_register()
    client.force_login(demo.pilot)
    assert "Données de démonstration" in client.get(f"/schema/{demo.scheme.slug}/").content.decode()
    client.force_login(real.pilot)
    assert "Données de démonstration" not in client.get(f"/schema/{real.scheme.slug}/").content.decode()
