"""API tokens: a user's key to the private endpoints of the HTTP API (docs/api.md).

Only a SHA-256 hash of the secret is stored; the secret is shown once, at creation. `prefix` (the first
characters of the token) lets a user recognise a token in lists without the secret. Creation and revocation
are historised (django-simple-history); `last_used_at` is touched without a history row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        """Neither revoked nor expired at `now`."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))

    def for_user(self, user):
        return self.filter(user=user)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="utilisateur",
    )
    name = models.CharField(
        "nom", max_length=100, help_text="Pour vous y retrouver : « Tableau BI », « Script »."
    )
    prefix = models.CharField("début du jeton", max_length=16, unique=True)
    token_hash = models.CharField("empreinte SHA-256 du jeton", max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired()

    @property
    def state_label(self) -> str:
        if self.is_revoked:
            return "Révoqué"
        if self.is_expired():
            return "Expiré"
        return "Actif"
