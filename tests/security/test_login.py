"""Login throttling and lockout (django-axes through spaser.core.auth) over the real login page, and the
optional single sign-on's wiring and user matching.

Time is moved by ageing the recorded attempts in the database (what the handler compares with the cool-off
period), not by sleeping. Single sign-on: no OpenID Connect provider runs here, so what is tested is the
configuration switch, the URLs, the button, the redirection to the provider (its parameters, PKCE, state),
the provider's refusal coming back, and the user-matching function with its claims. The token exchange and
the ID token's verification (mozilla-django-oidc's code) are NOT tested.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from spaser.api import services as token_services
from spaser.core import auth_settings
from spaser.core.auth import ClaimsRefused, SpaserOIDCBackend, client_ip, user_for_claims
from spaser.organisations.models import Membership
from tests.factories import OrganisationFactory
from tests.security.test_settings import OIDC_ENV

pytestmark = pytest.mark.django_db

PASSWORD = "tournesol-ardoise-42"
WRONG = "pas-le-bon-mot-de-passe"
LOCKOUT = (
    "Trop de tentatives de connexion ont échoué : par sécurité, la connexion est suspendue "
    "pendant 15 minutes."
)
BAD_CREDENTIALS = "Saisissez un nom d’utilisateur et un mot de passe valides."


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The login flow is the real one; only the hashing is cheaper, so that dozens of logins stay fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, **fields):
    return get_user_model().objects.create_user(username, password=PASSWORD, **fields)


def login(username: str, password: str, ip: str = "192.0.2.10", client: Client | None = None):
    client = client or Client()
    response = client.post("/connexion/", {"username": username, "password": password}, REMOTE_ADDR=ip)
    return client, response


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(username: str, times: int, ip: str = "192.0.2.10"):
    responses = [login(username, WRONG, ip)[1] for _ in range(times)]
    return responses


def age_attempts(minutes: int) -> None:
    """As if the recorded failures had happened `minutes` earlier."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes))


# -- lockout ---------------------------------------------------------------------------------------------


def test_five_failures_lock_the_username_even_with_the_right_password():
    make_user("cmartin")
    responses = fail("cmartin", 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert BAD_CREDENTIALS in responses[3].content.decode()
    locked = responses[4].content.decode()
    assert LOCKOUT in locked
    assert "<title>Erreur : Connexion" in locked
    client, response = login("cmartin", PASSWORD)
    assert response.status_code == 429
    assert LOCKOUT in response.content.decode()
    assert not logged_in(client)


def test_lockout_says_nothing_about_whether_the_account_exists():
    make_user("cmartin")
    known = fail("cmartin", 5)[-1].content.decode()
    unknown = fail("personne", 5, ip="192.0.2.99")[-1].content.decode()
    assert LOCKOUT in known
    assert LOCKOUT in unknown
    assert "cmartin" not in unknown.replace('value="cmartin"', "")
    assert "existe" not in known
    assert "existe" not in unknown


def test_the_lock_lifts_after_the_cool_off_period():
    make_user("cmartin")
    fail("cmartin", 5)
    age_attempts(14)
    assert login("cmartin", PASSWORD)[1].status_code == 429  # 14 minutes: still locked
    age_attempts(16)
    client, response = login("cmartin", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_failure_during_the_lock_starts_the_period_again():
    make_user("cmartin")
    fail("cmartin", 5)
    age_attempts(14)
    fail("cmartin", 1)
    age_attempts(1)  # 15 minutes after the first lock, 1 after the last failure
    assert login("cmartin", PASSWORD)[1].status_code == 429


def test_a_successful_login_clears_the_failures():
    make_user("cmartin")
    fail("cmartin", 4)
    client, response = login("cmartin", PASSWORD)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="cmartin").exists()
    client.post("/deconnexion/")
    responses = fail("cmartin", 4)
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert login("cmartin", PASSWORD)[1].status_code == 302


def test_other_users_are_not_affected():
    make_user("cmartin")
    make_user("pdurand")
    fail("cmartin", 5)
    # Same office (same address), another username: the address is far from its own limit.
    client, response = login("pdurand", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    # The locked username stays locked from another address.
    assert login("cmartin", PASSWORD, ip="198.51.100.7")[1].status_code == 429


def test_an_address_is_locked_after_its_own_limit(settings):
    settings.SPASER_LOGIN_IP_FAILURE_LIMIT = 8
    make_user("pdurand")
    for n in range(8):  # eight usernames, two tries each at most: no username reaches 5
        login(f"essai{n}", WRONG, ip="203.0.113.5")
    _, response = login("pdurand", PASSWORD, ip="203.0.113.5")
    assert response.status_code == 429
    assert LOCKOUT in response.content.decode()
    assert login("pdurand", PASSWORD, ip="192.0.2.10")[1].status_code == 302


def test_attempts_are_recorded_and_visible_to_staff(admin_client):
    make_user("cmartin")
    fail("cmartin", 2, ip="192.0.2.44")
    login("cmartin", PASSWORD, ip="192.0.2.44")
    failures = AccessFailureLog.objects.filter(username="cmartin")
    assert failures.count() == 2
    assert {f.ip_address for f in failures} == {"192.0.2.44"}
    assert all(timezone.now() - f.attempt_time < timedelta(minutes=1) for f in failures)
    assert AccessLog.objects.filter(username="cmartin", ip_address="192.0.2.44").count() == 1
    page = admin_client.get("/admin/axes/accessfailurelog/")
    assert page.status_code == 200
    assert "cmartin" in page.content.decode()
    assert "192.0.2.44" in page.content.decode()


def test_throttling_off_by_setting(settings):
    settings.AXES_ENABLED = False
    make_user("cmartin")
    assert [r.status_code for r in fail("cmartin", 6)] == [200] * 6
    assert login("cmartin", PASSWORD)[1].status_code == 302


# -- the API's tokens ------------------------------------------------------------------------------------


def test_api_tokens_are_not_throttled():
    user = make_user("cmartin")
    Membership.objects.create(user=user, organisation=OrganisationFactory(), role="pilot")
    secret = token_services.create_token(user=user, name="Tableau BI").secret
    fail("cmartin", 5)
    api = Client()
    for _ in range(8):  # wrong tokens from the same address: 401 each time, never a lockout
        assert (
            api.get(
                "/api/v1/me", HTTP_AUTHORIZATION="Bearer spaser_faux", REMOTE_ADDR="192.0.2.10"
            ).status_code
            == 401
        )
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 200  # the locked-out user's token still works
    assert response.json()["username"] == "cmartin"
    assert not AccessAttempt.objects.filter(username=None).exists()


# -- client address behind a proxy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the header is ignored (a client could forge it)
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged first entry is not used
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "", "10.0.0.2"),  # header missing: the connection's address
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.SPASER_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# -- single sign-on: wiring ------------------------------------------------------------------------------


def _sso_settings(**env):
    values = auth_settings.oidc_settings({**OIDC_ENV, **env})
    backends = [
        "spaser.core.auth.ThrottleBackend",
        "django.contrib.auth.backends.ModelBackend",
        "spaser.core.auth.SpaserOIDCBackend",
    ]
    return override_settings(AUTHENTICATION_BACKENDS=backends, **values)


def test_without_single_sign_on_nothing_changes():
    page = Client().get("/connexion/").content.decode()
    assert "Se connecter avec" not in page
    assert "/connexion/oidc/" not in page
    assert Client().get("/connexion/oidc/").status_code == 404
    assert Client().get("/connexion/oidc/retour/?code=x&state=y").status_code == 404


def test_login_page_offers_single_sign_on_when_configured():
    with _sso_settings(SPASER_OIDC_LABEL="ProConnect"):
        page = Client().get("/connexion/?next=/marches/").content.decode()
    assert 'href="/connexion/oidc/?next=/marches/"' in page
    assert "Se connecter avec ProConnect" in page
    assert 'name="password"' in page  # the password form stays


def test_single_sign_on_redirects_to_the_provider_with_pkce():
    client = Client()
    with _sso_settings():
        response = client.get("/connexion/oidc/?next=/marches/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == OIDC_ENV["SPASER_OIDC_AUTHORIZATION_ENDPOINT"]
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_id"] == "spaser"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == "http://testserver/connexion/oidc/retour/"
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert len(query["nonce"]) == 32
    assert query["state"] in client.session["oidc_states"]
    assert client.session["oidc_login_next"] == "/marches/"


def test_a_refusal_by_the_provider_comes_back_to_the_login_page_in_french():
    client = Client()
    with _sso_settings():
        response = client.get("/connexion/oidc/retour/?error=access_denied&state=inconnu")
        assert response.status_code == 302
        assert response["Location"] == "/connexion/?sso=echec"
        page = client.get(response["Location"]).content.decode()
    assert "La connexion avec le compte du Département n'a pas abouti" in page
    assert "Aucun compte Spaser actif ne correspond" in page
    assert not logged_in(client)


def test_a_callback_with_an_unknown_state_is_refused():
    client = Client(raise_request_exception=False)
    with _sso_settings():
        client.get("/connexion/oidc/")  # a login started, with its own state
        response = client.get("/connexion/oidc/retour/?code=abc&state=forge")
    assert response.status_code == 400
    assert not logged_in(client)


def test_backend_claims_check():
    with _sso_settings():
        backend = SpaserOIDCBackend()
    assert backend.verify_claims({"email": "a@departement.example", "email_verified": True})
    assert backend.verify_claims({"email": "a@departement.example"})
    assert not backend.verify_claims({"email": "a@departement.example", "email_verified": False})
    assert not backend.verify_claims({"sub": "123"})


# -- single sign-on: user matching -----------------------------------------------------------------------


def test_matches_an_existing_account_by_email_case_insensitively():
    user = make_user("cmartin", email="Claire.Martin@departement.example")
    claims = {"sub": "x1", "email": "claire.martin@DEPARTEMENT.example", "email_verified": True}
    assert user_for_claims(claims) == user
    assert user_for_claims(claims, create=True) == user
    assert get_user_model().objects.count() == 1


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"sub": "x"}, "Le fournisseur d'identité n'a pas transmis d'adresse électronique."),
        (
            {"email": "claire.martin@departement.example", "email_verified": False},
            "L'adresse claire.martin@departement.example n'est pas vérifiée",
        ),
        (
            {"email": "inconnu@departement.example"},
            "Aucun compte Spaser ne porte l'adresse inconnu@departement.example.",
        ),
    ],
)
def test_refused_claims(claims, message):
    make_user("cmartin", email="claire.martin@departement.example")
    with pytest.raises(ClaimsRefused, match=message):
        user_for_claims(claims)


def test_inactive_or_ambiguous_accounts_are_refused():
    make_user("ancien", email="ancien@departement.example", is_active=False)
    with pytest.raises(ClaimsRefused, match="est désactivé"):
        user_for_claims({"email": "ancien@departement.example"}, create=True)
    make_user("double1", email="double@departement.example")
    make_user("double2", email="DOUBLE@departement.example")
    with pytest.raises(ClaimsRefused, match="Plusieurs comptes Spaser portent l'adresse"):
        user_for_claims({"email": "double@departement.example"})
    assert get_user_model().objects.count() == 3


def test_creation_when_allowed_gives_no_role():
    claims = {
        "email": "Nouvelle.Agente@departement.example",
        "email_verified": True,
        "given_name": "Nouvelle",
        "family_name": "Agente",
    }
    user = user_for_claims(claims, create=True)
    assert user.username == "nouvelle.agente@departement.example"
    assert (user.first_name, user.last_name, user.email) == ("Nouvelle", "Agente", claims["email"])
    assert not user.has_usable_password()
    assert not user.is_staff
    assert not user.is_superuser
    assert not Membership.objects.filter(user=user).exists()
    assert not user.user_permissions.exists()
    assert not user.groups.exists()
