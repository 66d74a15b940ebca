"""The API's pydantic schemas (django-ninja). Descriptions are French: they are the OpenAPI documentation.

Amounts, rates and targets are decimals serialised as strings (« 22.5000 »), never floats, like the other
exports; dates are ISO 8601. A missing figure is `null` (« pas de données »), never 0.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


class Error(Schema):
    detail: str = Field(description="Le problème, en français.")


class FieldError(Schema):
    field: str = Field(description="Le paramètre ou le champ en cause.")
    location: str = Field(description="Où il se trouve : query, path, body.")
    message: str = Field(description="Ce qui ne va pas, en français.")


class ValidationErrorOut(Schema):
    detail: str = Field(description="Résumé en français, qui nomme le ou les champs en cause.")
    errors: list[FieldError] = Field(default_factory=list, description="Le détail, champ par champ.")


# --- Schemes -------------------------------------------------------------------------------------------


class OrganisationOut(Schema):
    slug: str = Field(description="Identifiant court de l'organisation.")
    name: str = Field(description="Nom de l'organisation.")
    siren: str = Field(description="SIREN de l'organisation.")
    kind: str = Field(description="Type d'acheteur (clé).")
    kind_label: str = Field(description="Type d'acheteur, en clair.")


class SchemeOut(Schema):
    slug: str = Field(description="Identifiant court du schéma, utilisé dans les adresses.")
    title: str = Field(description="Titre du schéma.")
    organisation: OrganisationOut
    period_start: int = Field(description="Première année couverte.")
    period_end: int = Field(description="Dernière année couverte.")
    edition: int = Field(description="Numéro d'édition du schéma.")
    mutualised: bool = Field(description="Schéma mutualisé entre plusieurs acheteurs.")
    status: str = Field(description="Statut : adopted (adopté) ou archived (archivé).")
    status_label: str
    adoption_date: date | None = Field(description="Date d'adoption par l'assemblée délibérante.")
    public_url: str = Field(description="Adresse où le schéma est publié, vide si aucune.")
    summary: str = Field(description="Présentation du schéma.")


class TargetOut(Schema):
    year: int
    value: Decimal = Field(description="Cible de l'année, dans l'unité de l'indicateur.")


class IndicatorDefinitionOut(Schema):
    code: str
    name: str
    definition: str
    unit: str = Field(description="percent, count, euro, hours, days ou tco2e.")
    unit_label: str
    polarity: str = Field(description="higher : plus haut, mieux c'est ; lower : plus bas, mieux c'est.")
    method: str = Field(description="Méthode de calcul du moteur, ou manual pour une saisie des directions.")
    manual: bool = Field(description="Indicateur saisi par les directions (campagnes de saisie).")
    frequency: str
    source: str
    perimeter_note: str
    owner_direction: str | None = Field(description="Direction responsable, null si aucune.")
    baseline_value: Decimal | None
    baseline_year: int | None
    targets: list[TargetOut] = Field(description="Cibles par année.")


class ObjectiveOut(Schema):
    text: str
    deadline: date | None


class ActionOut(Schema):
    title: str
    description: str
    owner_direction: str | None = Field(description="Direction pilote, null si aucune.")
    due_date: date | None
    status: str = Field(description="planned, in_progress, done ou abandoned.")
    status_label: str
    progress: int = Field(description="Avancement, en pourcentage (0-100).")


class CommitmentOut(Schema):
    code: str
    title: str
    description: str
    objectives: list[ObjectiveOut]
    actions: list[ActionOut]
    indicators: list[IndicatorDefinitionOut]


class AxisOut(Schema):
    code: str
    title: str
    description: str
    commitments: list[CommitmentOut]


class SchemeTreeOut(SchemeOut):
    axes: list[AxisOut] = Field(
        description="L'arborescence : axes › engagements › objectifs, actions, indicateurs."
    )


# --- Indicator values ------------------------------------------------------------------------------------


class NationalTargetOut(Schema):
    value: Decimal
    source: str


class IndicatorValueOut(Schema):
    code: str
    name: str
    unit: str
    unit_label: str
    manual: bool
    value: Decimal | None = Field(description="Valeur enregistrée ; null : pas de données (jamais 0).")
    numerator: Decimal | None = Field(description="Numérateur du calcul.")
    denominator: Decimal | None = Field(description="Dénominateur du calcul.")
    unknown: int | None = Field(description="Nombre d'éléments dont la donnée est inconnue.")
    unknown_share: Decimal | None = Field(description="Part des inconnus parmi ce qui est mesuré (%).")
    perimeter: str | None = Field(description="Périmètre des données de la valeur.")
    data_date: date | None = Field(description="Date des données.")
    method_version: str | None = Field(description="Version de la méthode de calcul.")
    computed_at: datetime | None = Field(description="Date et heure du calcul ou de la validation.")
    target: Decimal | None = Field(description="Cible de la période, null si aucune.")
    target_label: str | None = Field(description="Nature de la cible (cible de l'année, trajectoire…).")
    status: str = Field(description="reached, on_track, at_risk, off_track, no_target ou no_data.")
    status_label: str
    previous_value: Decimal | None = Field(description="Valeur de la même période l'année précédente.")
    national_target: NationalTargetOut | None = Field(
        description="Cible nationale, si l'indicateur en a une."
    )


class IndicatorValuesOut(Schema):
    scheme: str = Field(description="Identifiant court du schéma.")
    year: int
    period: str = Field(description="A (l'année), S1-S2, T1-T4, M01-M12, C01-C11.")
    period_label: str
    scope: str = Field(description="organisation, buyer:<SIREN ou SIRET> ou direction:<identifiant>.")
    scope_label: str
    values: list[IndicatorValueOut]


# --- Contracts -------------------------------------------------------------------------------------------


class DirectionOut(Schema):
    slug: str
    name: str


class SupplierOut(Schema):
    identifier: str = Field(description="SIRET (ou autre identifiant) du titulaire.")
    identifier_type: str
    name: str


class ContractOut(Schema):
    uid: str = Field(description="Identifiant national du marché (SIRET de l'acheteur + identifiant).")
    buyer_siret: str
    contract_id: str = Field(description="Identifiant donné par l'acheteur.")
    kind: str = Field(description="marche ou concession.")
    object: str
    nature: str
    procedure: str
    cpv: str
    is_framework: bool
    amount: Decimal | None = Field(description="Montant initial en € HT ; null s'il est inconnu.")
    current_amount: Decimal | None = Field(description="Montant après modifications, en € HT.")
    duration_months: int | None
    notification_date: date | None
    notification_year: int | None
    publication_date: date | None
    has_social: bool | None = Field(description="Au moins une considération sociale ; null : inconnu.")
    social_clause: bool | None
    social_criterion: bool | None
    reserved: bool | None
    has_environmental: bool | None = Field(description="Au moins une considération environnementale.")
    environmental_clause: bool | None
    environmental_criterion: bool | None
    direction: DirectionOut | None
    suppliers: list[SupplierOut]
    quality_flags: list[str] = Field(description="Alertes qualité relevées à l'import.")
    origin: str


class ContractDetailOut(ContractOut):
    techniques: list[str]
    framework_id: str
    current_duration_months: int | None
    place_code: str
    bids_received: int | None
    advance_granted: bool | None
    innovative: bool | None
    subcontracting_declared: bool | None
    end_date: date | None
    end_date_estimated: bool
    modifications: list[dict]
    sources: list[str]


class ContractPageOut(Schema):
    count: int = Field(description="Nombre total de marchés correspondant aux filtres.")
    next: str | None = Field(description="Adresse de la page suivante, null sur la dernière.")
    previous: str | None = Field(description="Adresse de la page précédente, null sur la première.")
    results: list[ContractOut]


# --- Me --------------------------------------------------------------------------------------------------


class MembershipOut(Schema):
    organisation: str = Field(description="Identifiant court de l'organisation.")
    organisation_name: str
    role: str = Field(description="pilot, resource_referent, prescribing_referent ou committee_member.")
    role_label: str
    direction: DirectionOut | None


class TokenOut(Schema):
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    memberships: list[MembershipOut]
    token: TokenOut


# --- Campaign entries ------------------------------------------------------------------------------------


class EntryValueIn(Schema):
    value: str | float | None = Field(
        description="La valeur, dans l'unité de l'indicateur : un nombre, ou une chaîne comme « 12,5 » ; "
        "null pour l'effacer."
    )
    comment: str = Field("", max_length=5000, description="Commentaire pour le pilote (facultatif).")


class EntrySubmitIn(Schema):
    value: str | float | None = Field(
        None, description="La valeur à transmettre ; absente : la valeur déjà enregistrée."
    )
    comment: str | None = Field(
        None, max_length=5000, description="Commentaire ; absent : le commentaire déjà enregistré."
    )


class EntryOut(Schema):
    id: int
    campaign: str = Field(description="Intitulé de la campagne.")
    year: int
    period: str
    indicator: str = Field(description="Code de l'indicateur.")
    indicator_name: str
    unit: str
    direction: DirectionOut | None = Field(description="Direction qui saisit ; null : le pilote.")
    status: Literal["to_enter", "submitted", "validated", "sent_back"]
    status_label: str
    value: Decimal | None
    comment: str
    entered_by: str | None
    entered_at: datetime | None


# --- Annual reports --------------------------------------------------------------------------------------


class ReportOut(Schema):
    scheme: str = Field(description="Identifiant court du schéma.")
    scheme_title: str
    year: int = Field(description="Année du rapport.")
    version: int = Field(description="Version publiée (2 et plus : corrections, avec un erratum).")
    published_on: date | None = Field(description="Date de publication.")
    published_at: datetime | None
    erratum: str = Field(description="Texte de la correction, vide pour la version 1.")
    content_sha256: str = Field(description="Empreinte SHA-256 du contenu figé.")
    url: str = Field(description="Adresse API de cette version.")


class ReportContentOut(ReportOut):
    content: dict = Field(description="Le contenu figé à la publication (schéma « spaser-report/1 »).")
