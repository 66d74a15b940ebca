"""Content-Security-Policy: no template of spaser/*/templates has an inline script, style or event handler
(the policy would block it), and the header is on every kind of response: pages, errors 403/404/500, the
API's JSON and documentation, static files, the admin. In Chromium, the API documentation
(Swagger UI) and the admin work under their policy without a single violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

import spaser
from spaser.core.middleware import DEFAULT_CSP
from tests.factories import PASSWORD, UserFactory

SPASER = Path(spaser.__file__).parent
TEMPLATES = sorted(p for p in SPASER.glob("*/templates/**/*") if p.is_file())

# Rendered to files, never served as a page (so never under the policy): the standalone annual report
# (downloaded as an attachment, opened from disk) and the PDF's HTML (WeasyPrint).
NOT_SERVED = {
    "reports/templates/reports/report/standalone.html": "<style>",
}

INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")", re.I),
        "script en ligne",
    ),
    (re.compile(r"<style\b", re.I), "élément <style>"),
    (re.compile(r"\sstyle\s*=", re.I), "attribut style"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "gestionnaire d'événement on…="),
    (re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I), "adresse javascript:"),
]


def _problems(text: str) -> list[str]:
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
    text = re.sub(r"{#.*?#}", "", text)
    return [label for pattern, label in INLINE if pattern.search(text)]


def test_templates_are_found():
    assert len(TEMPLATES) > 100
    assert {p.relative_to(SPASER).parts[0] for p in TEMPLATES} >= {"core", "api", "reports", "schemes"}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SPASER)))
def test_no_inline_script_style_or_handler(template):
    relative = str(template.relative_to(SPASER))
    problems = _problems(template.read_text(encoding="utf-8"))
    if relative in NOT_SERVED:
        assert problems, f"{relative} n'a plus rien en ligne : retirez-le de NOT_SERVED"
        return
    assert problems == [], f"{relative} : {', '.join(problems)} (interdit par la Content-Security-Policy)"


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<button onclick="go()">', "gestionnaire d'événement on…="),
        ("<script>alert(1)</script>", "script en ligne"),
        ('<p style="color: red">', "attribut style"),
        ('<a href="javascript:void(0)">', "adresse javascript:"),
        ("<style>p{}</style>", "élément <style>"),
    ],
)
def test_the_template_check_catches_each_kind(html, found):
    assert found in _problems(html)
    assert _problems('<script src="/static/a.js"></script><div data-on="x" class="onglet">') == []


# -- the header on every kind of response ---------------------------------------------------------------


def _forbidden(request):
    raise PermissionDenied("Réservé au pilote.")


def _crash(request):
    raise RuntimeError("panne simulée")


urlpatterns = [
    path("essai/interdit/", _forbidden),
    path("essai/panne/", _crash),
    path("", include("spaser.urls")),
]


def _assert_strict(response):
    assert response["Content-Security-Policy"] == DEFAULT_CSP, response.request["PATH_INFO"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def member(db):
    user = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.urls(__name__)
def test_error_pages_carry_the_policy(member):
    forbidden = member.get("/essai/interdit/")
    assert forbidden.status_code == 403
    assert "Accès refusé" in forbidden.content.decode()
    missing = member.get("/cette-page-n-existe-pas/")
    assert missing.status_code == 404
    crashed = member.get("/essai/panne/")
    assert crashed.status_code == 500
    for response in (forbidden, missing, crashed):
        _assert_strict(response)


@pytest.mark.django_db
def test_public_pages_api_and_static_files_carry_the_policy():
    client = Client()
    responses = [
        client.get("/connexion/"),
        client.post("/connexion/", {"username": "personne", "password": "faux"}),
        client.get("/public/"),
        client.get("/robots.txt"),
        client.get("/api/v1/docs"),
        client.get("/api/v1/schemes"),
        client.get("/api/v1/me"),  # 401 without a token
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 200, 401]
    for response in responses:
        _assert_strict(response)
    static = client.get("/static/spaser/spaser.css")  # served by WhiteNoise, inside the middleware
    assert static.status_code == 200
    assert static["Content-Security-Policy"] == DEFAULT_CSP
    static.close()


@pytest.mark.django_db
def test_admin_has_the_same_policy(admin_client):
    for url in ("/admin/", "/admin/login/", "/admin/axes/accessattempt/"):
        response = admin_client.get(url)
        assert response.status_code in {200, 302}
        assert response["Content-Security-Policy"] == DEFAULT_CSP


# -- in Chromium ---------------------------------------------------------------------------------------------


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_and_admin_work_under_the_policy(live_server, page):
    problems = _watch(page)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".opblock-summary").first.wait_for(timeout=15000)
    assert page.locator(".opblock").count() >= 10  # every operation of the schema is listed
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").first.wait_for(timeout=5000)
    assert problems == []

    get_user_model().objects.create_superuser("admin", "admin@departement.example", PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    admin = get_user_model().objects.get(username="admin")
    for url in (
        f"/admin/auth/user/{admin.pk}/change/",  # permissions selector (SelectFilter2)
        "/admin/schemes/scheme/add/",  # date widgets (calendar), select widgets
        "/admin/axes/accessfailurelog/",
        "/admin/auth/user/",
    ):
        page.goto(live_server.url + url)
        assert page.locator("#content").count() == 1
    page.goto(f"{live_server.url}/admin/schemes/scheme/add/")
    page.locator(".datetimeshortcuts a").last.click()  # opens the calendar, which JavaScript positions
    page.locator(".calendarbox").first.wait_for(timeout=5000)
    page.goto(f"{live_server.url}/admin/auth/user/{admin.pk}/change/")
    page.locator("#id_user_permissions_add_all").wait_for(timeout=5000)
    assert problems == []
