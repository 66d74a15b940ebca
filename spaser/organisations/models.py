"""Organisations (the scheme's owner), their perimeter of buyers, directions and members."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

siren_validator = RegexValidator(r"^\d{9}$", "Le SIREN doit comporter exactement 9 chiffres.")
buyer_identifier_validator = RegexValidator(
    r"^(\d{9}|\d{14})$", "Indiquez un SIREN (9 chiffres) ou un SIRET (14 chiffres)."
)


class OrganisationKind(models.TextChoices):
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    COMMUNE = "commune", "Commune"
    INTERCOMMUNALITE = "intercommunalite", "Intercommunalité"
    HOPITAL = "hopital", "Établissement de santé"
    ETAT = "etat", "Service de l'État"
    ETABLISSEMENT_PUBLIC = "etablissement_public", "Établissement public"
    GROUPEMENT = "groupement", "Groupement d'acheteurs"
    AUTRE = "autre", "Autre acheteur"


class PopulationBand(models.TextChoices):
    UNKNOWN = "", "Non renseignée"
    UNDER_20K = "lt20k", "Moins de 20 000 habitants"
    FROM_20K = "20k-50k", "De 20 000 à 50 000 habitants"
    FROM_50K = "50k-200k", "De 50 000 à 200 000 habitants"
    OVER_200K = "gt200k", "Plus de 200 000 habitants"


class PurchaseVolumeBand(models.TextChoices):
    UNKNOWN = "", "Non renseigné"
    FROM_50M = "50m-100m", "De 50 à 100 M€ HT"
    FROM_100M = "100m-200m", "De 100 à 200 M€ HT"
    OVER_200M = "gt200m", "Plus de 200 M€ HT"


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user).distinct()


class Organisation(models.Model):
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant court", unique=True)
    siren = models.CharField("SIREN", max_length=9, validators=[siren_validator], unique=True)
    kind = models.CharField("type", max_length=32, choices=OrganisationKind.choices)
    population_band = models.CharField(
        "population", max_length=16, choices=PopulationBand.choices, blank=True, default=""
    )
    purchase_volume_band = models.CharField(
        "volume annuel d'achats", max_length=16, choices=PurchaseVolumeBand.choices, blank=True, default=""
    )
    is_demo = models.BooleanField("données de démonstration", default=False)
    # Renewed whenever the organisation's contracts, buyers or renewal reviews change (data_stamp.py): the key
    # of the per-process memos of the pages' heavy reads, read with the organisation at no extra query.
    data_stamp = models.UUIDField("version des données", default=uuid.uuid4, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def buyer_filter(self, prefix: str = "buyer_siret") -> Q:
        """A Q object selecting rows whose buyer SIRET lies in this organisation's perimeter."""
        q = Q(pk__in=[])
        for identifier in self.buyers.values_list("identifier", flat=True):
            if len(identifier) == 14:
                q |= Q(**{prefix: identifier})
            else:
                q |= Q(**{f"{prefix}__startswith": identifier})
        return q


class Buyer(models.Model):
    """One buyer in the organisation's perimeter: a whole SIREN or a single SIRET.

    A joint scheme (*SPASER mutualisé*) lists several buyers; indicators are then kept per buyer.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="buyers")
    identifier = models.CharField(
        "SIREN ou SIRET", max_length=14, validators=[buyer_identifier_validator], unique=True
    )
    name = models.CharField("nom", max_length=200)

    class Meta:
        verbose_name = "acheteur du périmètre"
        verbose_name_plural = "acheteurs du périmètre"
        ordering = ["identifier"]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"


class DirectionKind(models.TextChoices):
    PRESCRIBING = "prescribing", "Direction prescriptrice"
    RESOURCE = "resource", "Direction ressource"


class DirectionQuerySet(models.QuerySet):
    def prescribing(self):
        return self.filter(kind=DirectionKind.PRESCRIBING)

    def resource(self):
        return self.filter(kind=DirectionKind.RESOURCE)


class Direction(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="directions")
    name = models.CharField("nom", max_length=200)
    short_name = models.CharField("sigle", max_length=32, blank=True)
    slug = models.SlugField("identifiant court")
    kind = models.CharField("type", max_length=16, choices=DirectionKind.choices)

    objects = DirectionQuerySet.as_manager()

    class Meta:
        verbose_name = "direction"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="direction_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    PILOT = "pilot", "Pilote du schéma"
    RESOURCE_REFERENT = "resource_referent", "Référent de direction ressource"
    PRESCRIBING_REFERENT = "prescribing_referent", "Référent de direction prescriptrice"
    COMMITTEE_MEMBER = "committee_member", "Membre de comité"


DIRECTION_ROLES = {Role.RESOURCE_REFERENT, Role.PRESCRIBING_REFERENT}


class MembershipQuerySet(models.QuerySet):
    def pilots(self):
        return self.filter(role=Role.PILOT)


class Membership(models.Model):
    """A user's role in one organisation; referents belong to a direction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=32, choices=Role.choices)
    direction = models.ForeignKey(
        Direction, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rôle d'un utilisateur"
        verbose_name_plural = "rôles des utilisateurs"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_role_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["pilot", "committee_member"]) | Q(direction__isnull=False),
                name="membership_referent_has_direction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"

    def clean(self) -> None:
        """A referent belongs to a direction of the same organisation, of the kind its role names."""
        super().clean()
        expected_kind = {
            Role.PRESCRIBING_REFERENT: DirectionKind.PRESCRIBING,
            Role.RESOURCE_REFERENT: DirectionKind.RESOURCE,
        }.get(self.role)
        direction = self.direction if self.direction_id else None
        if expected_kind is not None and direction is None:
            raise ValidationError(
                {"direction": "Un référent doit être rattaché à une direction de l'organisation."}
            )
        if direction is None:
            return
        if self.organisation_id and direction.organisation_id != self.organisation_id:
            raise ValidationError({"direction": "La direction doit appartenir à la même organisation."})
        if expected_kind is not None and direction.kind != expected_kind:
            raise ValidationError(
                {
                    "direction": (
                        f"Un « {self.get_role_display().lower()} » doit être rattaché à une "
                        f"{DirectionKind(expected_kind).label.lower()} ; « {direction} » est une "
                        f"{direction.get_kind_display().lower()}."
                    )
                }
            )
