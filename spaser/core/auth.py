"""Login: throttling and lockout (django-axes), the login page, and the optional single sign-on through the
Département's OpenID Connect provider (mozilla-django-oidc). Settings: spaser/core/auth_settings.py;
decision: docs/decisions/0013-login-throttling-and-sso.md.

Throttling counts failed logins for a username and from an address within the cool-off period (the last
failure starts it again); at SPASER_LOGIN_FAILURE_LIMIT for the username, or SPASER_LOGIN_IP_FAILURE_LIMIT for
the address, every login of that username / from that address is refused, the right password too, with one
message that tells nothing about the account. A successful login clears that username's failures. Attempts,
failures and successful logins are kept (axes' AccessAttempt, AccessFailureLog, AccessLog: in the admin).
The API's bearer tokens (spaser/api/auth.py) never call authenticate() and are not throttled.
"""

from __future__ import annotations

import logging

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import now
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger(__name__)

LOGIN_TEMPLATE = "registration/login.html"


# -- throttling --------------------------------------------------------------------------------------------


class ThrottleBackend(AxesStandaloneBackend):
    """First of AUTHENTICATION_BACKENDS: refuses a locked-out username or address (PermissionDenied stops
    authenticate() before any password is checked). An authenticate() call without a request (code, the test
    client's login()) is not a login from the web and is not throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class ThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with two limits (per username, per address) instead of one, and a success that
    clears the failures of its own username only (not of every username tried from the same address)."""

    def get_failures(self, request, credentials=None) -> int:
        since = now() - get_cool_off(request)
        recent = AccessAttempt.objects.filter(attempt_time__gte=since)
        username = get_client_username(request, credentials)
        ip_address = request.axes_ip_address

        def count(query: Q) -> int:
            return recent.filter(query).aggregate(n=Sum("failures_since_start"))["n"] or 0

        by_username = count(Q(username=username)) if username else 0
        by_address = count(Q(ip_address=ip_address)) if ip_address else 0
        limit, ip_limit = settings.AXES_FAILURE_LIMIT, settings.SPASER_LOGIN_IP_FAILURE_LIMIT
        # axes compares one number with AXES_FAILURE_LIMIT: the address reaches it at ip_limit failures.
        return max(by_username, by_address - (ip_limit - limit))

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind SPASER_TRUSTED_PROXIES reverse proxies that each append
    the address they saw to X-Forwarded-For, the entry the farthest trusted proxy appended (entries before
    it come from the client and can be forged)."""
    trusted = settings.SPASER_TRUSTED_PROXIES
    if trusted:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR")


def lockout_message(request: HttpRequest | None = None) -> str:
    minutes = round(get_cool_off(request).total_seconds() / 60)
    return (
        "Trop de tentatives de connexion ont échoué : par sécurité, la connexion est suspendue pendant "
        f"{minutes} minutes. Réessayez plus tard ; si vous avez oublié votre mot de passe, adressez-vous à "
        "l'administrateur de Spaser de votre organisation."
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout message, status 429."""
    username = get_client_username(request, credentials) or ""
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", request.GET.get("next", "")),
        "lockout_message": lockout_message(request),
        **sso_context(request),
    }
    return render(request, LOGIN_TEMPLATE, context, status=429)


# -- login page --------------------------------------------------------------------------------------------


def sso_context(request: HttpRequest) -> dict:
    enabled = getattr(settings, "SPASER_OIDC_ENABLED", False)
    return {
        "sso_enabled": enabled,
        "sso_label": getattr(settings, "SPASER_OIDC_LABEL", "") if enabled else "",
        "sso_failed": enabled and request.GET.get("sso") == "echec",
    }


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **sso_context(self.request)}


# -- single sign-on (OpenID Connect) -----------------------------------------------------------------------


class ClaimsRefused(Exception):
    """The identity provider's claims do not designate one active Spaser account (message in French)."""


def user_for_claims(claims: dict, *, create: bool = False):
    """The Spaser account of the person the identity provider vouches for, matched by e-mail address
    (case-insensitive). Refused: no address, an address the provider says is not verified, an address shared
    by several accounts, an inactive account; an unknown address unless `create`, which then makes an account
    without password, staff status or any role in any organisation (the pilot gives it one)."""
    email = str(claims.get("email") or "").strip()
    if not email:
        raise ClaimsRefused("Le fournisseur d'identité n'a pas transmis d'adresse électronique.")
    if claims.get("email_verified") is False:
        raise ClaimsRefused(f"L'adresse {email} n'est pas vérifiée par le fournisseur d'identité.")
    users = list(get_user_model().objects.filter(email__iexact=email)[:2])
    if len(users) > 1:
        raise ClaimsRefused(
            f"Plusieurs comptes Spaser portent l'adresse {email} : l'administrateur doit trancher."
        )
    if users:
        if not users[0].is_active:
            raise ClaimsRefused(f"Le compte Spaser de l'adresse {email} est désactivé.")
        return users[0]
    if not create:
        raise ClaimsRefused(f"Aucun compte Spaser ne porte l'adresse {email}.")
    model = get_user_model()
    username = email.lower()
    if model.objects.filter(username=username).exists():
        raise ClaimsRefused(f"Un compte Spaser s'appelle déjà {username} avec une autre adresse.")
    user = model.objects.create_user(
        username,
        email=email,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )  # no password given: unusable; no membership: no role
    logger.info("Compte créé par la connexion unique pour %s (aucun rôle).", email)
    return user


class SpaserOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with Spaser's matching (user_for_claims); the token exchange, the ID
    token's signature and nonce checks are the library's."""

    def verify_claims(self, claims):
        return bool(claims.get("email")) and claims.get("email_verified") is not False

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            return user_for_claims(claims, create=self.get_settings("OIDC_CREATE_USER", False))
        except ClaimsRefused as refused:
            logger.warning("Connexion unique refusée : %s", refused)
            return None


def _when_sso_enabled(view):
    @login_not_required
    def wrapped(request, *args, **kwargs):
        if not getattr(settings, "SPASER_OIDC_ENABLED", False):
            raise Http404("La connexion unique n'est pas configurée.")
        return view(request, *args, **kwargs)

    return wrapped


oidc_authenticate = _when_sso_enabled(OIDCAuthenticationRequestView.as_view())
oidc_callback = _when_sso_enabled(OIDCAuthenticationCallbackView.as_view())
