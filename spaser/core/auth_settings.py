"""Authentication settings read from the environment: login throttling, password policy and the optional
single sign-on through OpenID Connect (docs/deployment.md, docs/decisions/0013-login-throttling-and-sso.md).

Pure functions of a mapping (no Django import): spaser/settings.py calls them with os.environ, the tests
with their own dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

TRUE = {"1", "true", "yes", "on", "oui"}

# Variables needed to turn single sign-on on; SPASER_OIDC_CLIENT_ID alone switches it on.
OIDC_REQUIRED = (
    "SPASER_OIDC_CLIENT_ID",
    "SPASER_OIDC_CLIENT_SECRET",
    "SPASER_OIDC_AUTHORIZATION_ENDPOINT",
    "SPASER_OIDC_TOKEN_ENDPOINT",
    "SPASER_OIDC_USERINFO_ENDPOINT",
)
OIDC_DEFAULT_LABEL = "le compte du Département"


class SettingError(ValueError):
    """A variable of the environment is missing or malformed; the message names it, in French."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    return default if raw is None else raw.strip().lower() in TRUE


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name} doit être un nombre entier (reçu « {raw} »).") from None
    if value < minimum:
        raise SettingError(f"{name} doit valoir au moins {minimum} (reçu {value}).")
    return value


def throttle_settings(env: Mapping[str, str]) -> dict:
    """django-axes configuration: N failures for one username, or M from one address, within the cool-off
    period lock the login for that period. The cool-off counts from the last failure."""
    limit = _int(env, "SPASER_LOGIN_FAILURE_LIMIT", 5, minimum=1)
    return {
        "AXES_ENABLED": _bool(env, "SPASER_LOGIN_THROTTLING", True),
        "AXES_FAILURE_LIMIT": limit,
        # An office behind one public address shares it: a larger limit per address than per username.
        "SPASER_LOGIN_IP_FAILURE_LIMIT": max(limit, _int(env, "SPASER_LOGIN_IP_FAILURE_LIMIT", 4 * limit, 1)),
        "AXES_COOLOFF_TIME": timedelta(minutes=_int(env, "SPASER_LOGIN_COOLOFF_MINUTES", 15, minimum=1)),
        "AXES_LOCKOUT_PARAMETERS": ["username", "ip_address"],
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_ENABLE_ACCESS_FAILURE_LOG": True,
        "AXES_HANDLER": "spaser.core.auth.ThrottleHandler",
        "AXES_LOCKOUT_CALLABLE": "spaser.core.auth.lockout_response",
        "AXES_CLIENT_IP_CALLABLE": "spaser.core.auth.client_ip",
        "AXES_VERBOSE": False,
        # Reverse proxies in front of Spaser that append the client's address to X-Forwarded-For.
        "SPASER_TRUSTED_PROXIES": _int(env, "SPASER_TRUSTED_PROXIES", 0),
    }


def password_validators(env: Mapping[str, str]) -> list[dict]:
    base = "django.contrib.auth.password_validation."
    return [
        {"NAME": base + "UserAttributeSimilarityValidator"},
        {
            "NAME": base + "MinimumLengthValidator",
            "OPTIONS": {"min_length": _int(env, "SPASER_PASSWORD_MIN_LENGTH", 12, minimum=8)},
        },
        {"NAME": base + "CommonPasswordValidator"},
        {"NAME": base + "NumericPasswordValidator"},
    ]


def oidc_settings(env: Mapping[str, str]) -> dict:
    """Single sign-on settings (mozilla-django-oidc): empty, and SPASER_OIDC_ENABLED false, unless
    SPASER_OIDC_CLIENT_ID is set; then every variable of OIDC_REQUIRED must be, and a signing key source."""
    if not env.get("SPASER_OIDC_CLIENT_ID", "").strip():
        return {"SPASER_OIDC_ENABLED": False}
    missing = [name for name in OIDC_REQUIRED if not env.get(name, "").strip()]
    algo = env.get("SPASER_OIDC_SIGN_ALGO", "RS256").strip() or "RS256"
    if algo[:2] in {"RS", "ES"} and not env.get("SPASER_OIDC_JWKS_ENDPOINT", "").strip():
        missing.append("SPASER_OIDC_JWKS_ENDPOINT")
    if missing:
        raise SettingError(
            "Connexion unique (OpenID Connect) incomplète : SPASER_OIDC_CLIENT_ID est défini mais pas "
            + ", ".join(missing)
            + " (docs/deployment.md)."
        )
    return {
        "SPASER_OIDC_ENABLED": True,
        "SPASER_OIDC_LABEL": env.get("SPASER_OIDC_LABEL", "").strip() or OIDC_DEFAULT_LABEL,
        "OIDC_RP_CLIENT_ID": env["SPASER_OIDC_CLIENT_ID"].strip(),
        "OIDC_RP_CLIENT_SECRET": env["SPASER_OIDC_CLIENT_SECRET"].strip(),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": env["SPASER_OIDC_AUTHORIZATION_ENDPOINT"].strip(),
        "OIDC_OP_TOKEN_ENDPOINT": env["SPASER_OIDC_TOKEN_ENDPOINT"].strip(),
        "OIDC_OP_USER_ENDPOINT": env["SPASER_OIDC_USERINFO_ENDPOINT"].strip(),
        "OIDC_OP_JWKS_ENDPOINT": env.get("SPASER_OIDC_JWKS_ENDPOINT", "").strip() or None,
        "OIDC_RP_SIGN_ALGO": algo,
        "OIDC_RP_SCOPES": env.get("SPASER_OIDC_SCOPES", "").strip() or "openid email profile",
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": _int(env, "SPASER_OIDC_TIMEOUT", 10, minimum=1),
        # Users are matched by e-mail (spaser.core.auth.SpaserOIDCBackend); an unknown address is refused,
        # or gets an account without any role when SPASER_OIDC_CREATE_USERS is true.
        "OIDC_CREATE_USER": _bool(env, "SPASER_OIDC_CREATE_USERS", False),
        "LOGIN_REDIRECT_URL_FAILURE": "/connexion/?sso=echec",
    }
