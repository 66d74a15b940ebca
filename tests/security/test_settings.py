"""Security settings: `spaser check --deploy` is clean under the production environment of docs/deployment.md
(settings are read at import, so each case runs the real command in a subprocess with its own environment);
the environment parsing of spaser/core/auth_settings.py; the password policy, in French."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError

from spaser.core import auth_settings
from spaser.core.auth_settings import SettingError
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"

OIDC_ENV = {
    "SPASER_OIDC_CLIENT_ID": "spaser",
    "SPASER_OIDC_CLIENT_SECRET": "secret-du-client",
    "SPASER_OIDC_AUTHORIZATION_ENDPOINT": "https://idp.departement.example/auth",
    "SPASER_OIDC_TOKEN_ENDPOINT": "https://idp.departement.example/token",
    "SPASER_OIDC_USERINFO_ENDPOINT": "https://idp.departement.example/userinfo",
    "SPASER_OIDC_JWKS_ENDPOINT": "https://idp.departement.example/jwks",
}


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The production column of docs/deployment.md (SQLite in a temporary folder: the engine is not what
    check --deploy looks at)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SPASER_REQUIRE_SECRET_KEY": "true",
        "ALLOWED_HOSTS": "spaser.departement.example",
        "CSRF_TRUSTED_ORIGINS": "https://spaser.departement.example",
        "HTTPS": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
        "SPASER_PROXY_SSL_HEADER": "true",
        "SPASER_TRUSTED_PROXIES": "1",
        "SPASER_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


VALUES = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING'); print(json.dumps(["
    "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT,"
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_HTTPONLY,"
    "list(s.SECURE_PROXY_SSL_HEADER), s.CSRF_TRUSTED_ORIGINS, s.AXES_FAILURE_LIMIT, s.SPASER_TRUSTED_PROXIES,"
    "s.SPASER_OIDC_ENABLED, s.AUTHENTICATION_BACKENDS]))"
)
CHECK = ("-m", "spaser.cli", "check", "--deploy", "--fail-level", "WARNING")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every case in its own process with its own environment, started together (each loads Django)."""
    base = tmp_path_factory.mktemp("production")
    without_https = production_env(base)
    for name in ("HTTPS", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD"):
        del without_https[name]
    without_key = production_env(base)
    del without_key["SECRET_KEY"]
    cases = {
        "production": (production_env(base, DJANGO_SETTINGS_MODULE="spaser.settings"), ("-c", VALUES)),
        "single_sign_on": (production_env(base, **OIDC_ENV), CHECK),
        "without_https": (without_https, CHECK),
        "without_key": (without_key, CHECK),
        "incomplete_sso": (production_env(base, SPASER_OIDC_CLIENT_ID="spaser"), CHECK),
    }
    started = {
        name: subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (env, args) in cases.items()
    }
    results = {}
    for name, process in started.items():
        out, err = process.communicate(timeout=180)
        results[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return results


def test_check_deploy_is_clean_in_production(runs):
    result = runs["production"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        '[31536000, true, true, true, true, true, "Lax", true, ["HTTP_X_FORWARDED_PROTO", "https"], '
        '["https://spaser.departement.example"], 5, 1, false, '
        '["spaser.core.auth.ThrottleBackend", "django.contrib.auth.backends.ModelBackend"]]'
    )


def test_check_deploy_is_clean_with_single_sign_on(runs):
    result = runs["single_sign_on"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_reports_what_production_must_set(runs):
    """The same check fails when HTTPS and HSTS are left out: the clean runs above are not vacuous."""
    result = runs["without_https"]
    assert result.returncode != 0
    found = set(re.findall(r"security\.W\d+", result.stdout + result.stderr))
    assert found >= {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_missing_secret_key_stops_the_start(runs):
    result = runs["without_key"]
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini en production." in result.stderr


def test_incomplete_single_sign_on_stops_the_start(runs):
    result = runs["incomplete_sso"]
    assert result.returncode != 0
    assert "Connexion unique (OpenID Connect) incomplète" in result.stderr
    assert "SPASER_OIDC_TOKEN_ENDPOINT" in result.stderr


# -- environment parsing (pure functions) ----------------------------------------------------------------


def test_throttle_defaults_and_overrides():
    defaults = auth_settings.throttle_settings({})
    assert defaults["AXES_ENABLED"] is True
    assert defaults["AXES_FAILURE_LIMIT"] == 5
    assert defaults["SPASER_LOGIN_IP_FAILURE_LIMIT"] == 20
    assert defaults["AXES_COOLOFF_TIME"] == timedelta(minutes=15)
    assert defaults["SPASER_TRUSTED_PROXIES"] == 0
    custom = auth_settings.throttle_settings(
        {
            "SPASER_LOGIN_FAILURE_LIMIT": "3",
            "SPASER_LOGIN_COOLOFF_MINUTES": "60",
            "SPASER_TRUSTED_PROXIES": "2",
        }
    )
    assert (custom["AXES_FAILURE_LIMIT"], custom["SPASER_LOGIN_IP_FAILURE_LIMIT"]) == (3, 12)
    assert custom["AXES_COOLOFF_TIME"] == timedelta(hours=1)
    assert custom["SPASER_TRUSTED_PROXIES"] == 2
    # The address limit is never below the username limit.
    assert (
        auth_settings.throttle_settings({"SPASER_LOGIN_IP_FAILURE_LIMIT": "2"})[
            "SPASER_LOGIN_IP_FAILURE_LIMIT"
        ]
        == 5
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SPASER_LOGIN_FAILURE_LIMIT": "cinq"}, "SPASER_LOGIN_FAILURE_LIMIT doit être un nombre entier"),
        ({"SPASER_LOGIN_FAILURE_LIMIT": "0"}, "SPASER_LOGIN_FAILURE_LIMIT doit valoir au moins 1"),
        ({"SPASER_LOGIN_COOLOFF_MINUTES": "0"}, "SPASER_LOGIN_COOLOFF_MINUTES doit valoir au moins 1"),
    ],
)
def test_throttle_settings_name_the_bad_variable(env, message):
    with pytest.raises(SettingError, match=message):
        auth_settings.throttle_settings(env)


def test_single_sign_on_is_off_unless_configured():
    assert auth_settings.oidc_settings({}) == {"SPASER_OIDC_ENABLED": False}
    assert auth_settings.oidc_settings({"SPASER_OIDC_CLIENT_ID": "  "}) == {"SPASER_OIDC_ENABLED": False}


def test_single_sign_on_settings_from_the_environment():
    oidc = auth_settings.oidc_settings(OIDC_ENV)
    assert oidc["SPASER_OIDC_ENABLED"] is True
    assert oidc["SPASER_OIDC_LABEL"] == "le compte du Département"
    assert oidc["OIDC_RP_CLIENT_ID"] == "spaser"
    assert oidc["OIDC_OP_USER_ENDPOINT"] == "https://idp.departement.example/userinfo"
    assert oidc["OIDC_RP_SIGN_ALGO"] == "RS256"
    assert oidc["OIDC_USE_PKCE"] is True
    assert oidc["OIDC_CREATE_USER"] is False  # never an account unless asked for
    labelled = auth_settings.oidc_settings(
        {**OIDC_ENV, "SPASER_OIDC_LABEL": "ProConnect", "SPASER_OIDC_CREATE_USERS": "oui"}
    )
    assert (labelled["SPASER_OIDC_LABEL"], labelled["OIDC_CREATE_USER"]) == ("ProConnect", True)


def test_single_sign_on_names_every_missing_variable():
    env = {
        k: v
        for k, v in OIDC_ENV.items()
        if k not in {"SPASER_OIDC_TOKEN_ENDPOINT", "SPASER_OIDC_JWKS_ENDPOINT"}
    }
    with pytest.raises(SettingError) as refused:
        auth_settings.oidc_settings(env)
    assert "SPASER_OIDC_TOKEN_ENDPOINT, SPASER_OIDC_JWKS_ENDPOINT" in str(refused.value)
    # A shared-secret signature (HS256) needs no key set.
    hs = {**env, "SPASER_OIDC_TOKEN_ENDPOINT": "https://idp/token", "SPASER_OIDC_SIGN_ALGO": "HS256"}
    assert auth_settings.oidc_settings(hs)["OIDC_OP_JWKS_ENDPOINT"] is None


SECURITY_VARIABLES_OF_SETTINGS = {
    "DEBUG",
    "SECRET_KEY",
    "SPASER_REQUIRE_SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SPASER_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
}


def test_every_security_variable_is_documented():
    documented = set(re.findall(r"^\| `([A-Z_]+)`", DEPLOYMENT_DOC.read_text(encoding="utf-8"), re.MULTILINE))
    source = (ROOT / "spaser" / "core" / "auth_settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""(?:env\.get|_int|_bool)\(\s*(?:env, )?"([A-Z_]+)\"""", source))
    read |= set(auth_settings.OIDC_REQUIRED)
    assert len(read) >= 15
    settings_source = (ROOT / "spaser" / "settings.py").read_text(encoding="utf-8")
    for name in SECURITY_VARIABLES_OF_SETTINGS:
        assert f'"{name}"' in settings_source, f"{name} n'est plus lu par spaser/settings.py"
    assert (read | SECURITY_VARIABLES_OF_SETTINGS) - documented == set()


# -- password policy -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court-42", "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."),
        ("qwerty123456", "Ce mot de passe est trop courant."),
        ("839274610583", "Ce mot de passe est entièrement numérique."),
        (
            "claire.martin@departement.ex",
            "Le mot de passe est trop semblable au champ «\xa0adresse électronique\xa0».",
        ),
    ],
)
def test_password_policy_refuses_in_french(password, message):
    user = UserFactory.build(username="cmartin", email="claire.martin.achats@departement.example")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert message in refused.value.messages


def test_password_policy_accepts_a_long_uncommon_passphrase():
    user = UserFactory.build(username="cmartin", email="claire.martin@departement.example")
    validate_password("marmotte-vélo-ardoise-42", user)
    names = [type(v).__name__ for v in get_default_password_validators()]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]


def test_password_minimum_length_from_the_environment():
    validators = auth_settings.password_validators({"SPASER_PASSWORD_MIN_LENGTH": "14"})
    assert validators[1]["OPTIONS"] == {"min_length": 14}
    with pytest.raises(SettingError, match="SPASER_PASSWORD_MIN_LENGTH doit valoir au moins 8"):
        auth_settings.password_validators({"SPASER_PASSWORD_MIN_LENGTH": "6"})
