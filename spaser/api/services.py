"""Writes and checks of API tokens: create (the secret returned once), revoke, authenticate a bearer.

A token reads `spaser_<prefix>_<secret>`: `prefix` (8 characters) is stored in clear to be recognised in
lists, the whole token only as its SHA-256 hash. The secret carries 256 bits of randomness, so a plain
(unsalted) hash is enough and lets a request find its token by one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiToken

TOKEN_START = "spaser_"
PREFIX_LENGTH = 8
MAX_DAYS = 3650
# last_used_at is written at most once a minute per token: no write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # the whole token, shown once


@transaction.atomic
def create_token(*, user, name: str, days: int | None = None) -> CreatedToken:
    """A new token for `user`, valid `days` days (None: until revoked). ValidationError keyed by field."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Le nom du jeton est obligatoire (par exemple « Tableau BI »)."
    elif len(name) > 100:
        errors["name"] = "Le nom du jeton fait au plus 100 caractères."
    if days is not None and not 1 <= days <= MAX_DAYS:
        errors["days"] = f"La durée de validité est comprise entre 1 et {MAX_DAYS} jours (saisi : {days})."
    if user is None or not user.is_active:
        errors["user"] = "L'utilisateur doit exister et être actif."
    if errors:
        raise ValidationError(errors)
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    token._history_user = user
    token._change_reason = "Jeton créé"
    token.save()
    return CreatedToken(token, raw)


@transaction.atomic
def revoke_token(*, token: ApiToken, user) -> ApiToken:
    """Revoke one's own token (a superuser may revoke any). Revoking twice changes nothing."""
    if token.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied("Vous ne pouvez révoquer que vos propres jetons.")
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token._history_user = user
    token._change_reason = "Jeton révoqué"
    token.save(update_fields=["revoked_at"])
    return token


class TokenRefused(Exception):
    """Why a bearer token was refused, in French (the API's 401 `detail`)."""


def authenticate(raw: str) -> ApiToken:
    """The active token `raw` stands for (its user loaded), or TokenRefused saying why."""
    raw = (raw or "").strip()
    if not raw:
        raise TokenRefused("Jeton d'API absent : ajoutez l'en-tête « Authorization: Bearer <jeton> ».")
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None:
        raise TokenRefused("Jeton d'API invalide : vérifiez qu'il a été copié en entier.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(f"Jeton d'API révoqué le {timezone.localtime(token.revoked_at):%d/%m/%Y}.")
    if token.is_expired(now):
        raise TokenRefused(f"Jeton d'API expiré le {timezone.localtime(token.expires_at):%d/%m/%Y}.")
    if not token.user.is_active:
        raise TokenRefused("Le compte de ce jeton d'API est désactivé.")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
