"""The standalone French error pages (500, 503, 413: core/bare.html) and the files served at the root."""

import re

import pytest
from django.contrib.auth.decorators import login_not_required
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import path

from spaser.urls import urlpatterns as spaser_urlpatterns


@login_not_required
def broken(request):
    raise RuntimeError("panne simulée")


urlpatterns = [path("panne/", broken), *spaser_urlpatterns]


@pytest.mark.urls("tests.core.test_error_pages")
def test_an_unexpected_error_is_a_french_500_page_with_the_security_headers(client, settings, db):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/panne/")

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<h1>Une erreur inattendue s'est produite</h1>" in html
    assert "Rien de ce qui était déjà enregistré n" in html
    assert "prévenez l'administrateur" in html.replace("&#x27;", "'")
    assert '<a href="/">Retourner à l' in html
    assert "panne simulée" not in html  # no detail of the error for the user
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert "<script" not in html
    assert "style=" not in html


def test_the_500_page_needs_no_request_user_nor_query(django_assert_num_queries, db):
    source = get_template("500.html").template.source
    with django_assert_num_queries(0):
        html = Template(source).render(Context())
    assert "Une erreur inattendue s'est produite" in html
    assert 'href="/static/spaser/favicon.svg"' in html
    assert 'href="/static/spaser/spaser.css"' in html
    # The time to give the administrator, from the template alone: dd/mm/yyyy hh:mm:ss.
    assert re.search(r"\(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d\)", html)


def test_the_503_page_keeps_its_content_on_the_shared_skeleton():
    html = get_template("core/503.html").render(
        {"message": "Message", "detail": "Détail", "retry_after": 30, "method": "GET", "path": "/marches/"}
    )
    assert "<title>Base de données momentanément indisponible — Spaser</title>" in html
    assert "<h1>La base de données est momentanément indisponible</h1>" in html
    assert '<p class="notice__title">Message</p>' in html
    assert '<a href="/marches/">recharger cette page</a>' in html
    assert '<span class="brand__name">Spaser</span>' in html


def test_every_page_names_the_favicon(client, db):
    html = client.get("/connexion/").content.decode()
    assert '<link rel="icon" href="/static/spaser/favicon.svg" type="image/svg+xml">' in html
    svg = client.get("/static/spaser/favicon.svg")
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)


def test_favicon_ico_is_served_at_the_root_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file…
    assert int.from_bytes(body[4:6], "little") == 2  # …with its two images, 16 and 32 px
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
