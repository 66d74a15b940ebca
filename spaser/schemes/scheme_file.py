"""The scheme file: the whole register (organisation, buyers, directions, scheme, axes › commitments ›
objectives / actions / indicators › targets) as one readable YAML file with French keys.

This module declares the format once; the reader (`scheme_file_reader`), the writer (`scheme_file_writer`) and
the database synchronisation (`scheme_file_sync`) all follow it, so every model field round-trips.
See docs/scheme-file.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from spaser.organisations.models import DirectionKind, OrganisationKind, PopulationBand, PurchaseVolumeBand
from spaser.schemes.models import ActionStatus, Frequency, Polarity, SchemeStatus, Unit

FORMAT_VERSION = 1
CHANGE_REASON = "Import du fichier de schéma"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, located by line (1-based) and field path."""

    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        if self.path:
            where = f"{where}, {self.path}"
        return f"{where} : {self.message}"


class SchemeFileError(Exception):
    """The file was refused; `problems` lists every error found (French messages). Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


# --- Vocabulary: value written in the file -> value stored in the database -------------------------------

ORGANISATION_KINDS = {value: value for value in OrganisationKind.values}
POPULATION_BANDS = {
    "moins_de_20000": PopulationBand.UNDER_20K,
    "20000_a_50000": PopulationBand.FROM_20K,
    "50000_a_200000": PopulationBand.FROM_50K,
    "plus_de_200000": PopulationBand.OVER_200K,
}
PURCHASE_VOLUME_BANDS = {
    "50_a_100_millions": PurchaseVolumeBand.FROM_50M,
    "100_a_200_millions": PurchaseVolumeBand.FROM_100M,
    "plus_de_200_millions": PurchaseVolumeBand.OVER_200M,
}
DIRECTION_KINDS = {"prescriptrice": DirectionKind.PRESCRIBING, "ressource": DirectionKind.RESOURCE}
SCHEME_STATUSES = {
    "projet": SchemeStatus.DRAFT,
    "adopte": SchemeStatus.ADOPTED,
    "archive": SchemeStatus.ARCHIVED,
}
ACTION_STATUSES = {
    "prevue": ActionStatus.PLANNED,
    "en_cours": ActionStatus.IN_PROGRESS,
    "realisee": ActionStatus.DONE,
    "abandonnee": ActionStatus.ABANDONED,
}
UNITS = {
    "pourcentage": Unit.PERCENT,
    "nombre": Unit.COUNT,
    "euros": Unit.EURO,
    "heures": Unit.HOURS,
    "jours": Unit.DAYS,
    "tco2e": Unit.TCO2E,
}
POLARITIES = {"plus_haut": Polarity.HIGHER_IS_BETTER, "plus_bas": Polarity.LOWER_IS_BETTER}
FREQUENCIES = {
    "annuelle": Frequency.YEARLY,
    "semestrielle": Frequency.SEMIANNUAL,
    "trimestrielle": Frequency.QUARTERLY,
    "mensuelle": Frequency.MONTHLY,
}


# --- Format declaration ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A scalar (or small mapping) stored on the model attribute `attr`.

    Kinds: text, multiline, url, int, bool, date, decimal, choice, slug, siren, buyer_id, direction,
    params, targets.
    An omitted or empty optional field takes `default`; the writer omits a field equal to its default unless
    `always` is set.
    """

    key: str
    attr: str
    kind: str
    required: bool = False
    default: Any = ""
    always: bool = False
    max_length: int | None = None
    choices: dict[str, str] | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Group:
    """A small mapping whose fields belong to the parent entity (e.g. `periode: {debut, fin}`)."""

    key: str
    fields: tuple[Field, ...]
    required: bool = False


@dataclass(frozen=True)
class Nested:
    """One sub-entity (e.g. `organisation`, `schema`)."""

    key: str
    entity: Entity
    required: bool = True


@dataclass(frozen=True)
class Children:
    """A list of sub-entities; `unique` names the attribute that must not repeat within the list."""

    key: str
    entity: Entity
    unique: str | None = None


@dataclass(frozen=True)
class Entity:
    name: str
    items: tuple[Field | Group | Nested | Children, ...] = field(default_factory=tuple)

    def keys(self) -> list[str]:
        return [item.key for item in self.items]


BUYER = Entity(
    "buyer",
    (
        Field("identifiant", "identifier", "buyer_id", required=True),
        Field("nom", "name", "text", required=True, max_length=200),
    ),
)
DIRECTION = Entity(
    "direction",
    (
        Field("identifiant", "slug", "slug", required=True, max_length=50),
        Field("nom", "name", "text", required=True, max_length=200),
        Field("sigle", "short_name", "text", max_length=32),
        Field("type", "kind", "choice", required=True, choices=DIRECTION_KINDS),
    ),
)
ORGANISATION = Entity(
    "organisation",
    (
        Field("nom", "name", "text", required=True, max_length=200),
        Field("identifiant", "slug", "slug", required=True, max_length=50),
        Field("siren", "siren", "siren", required=True),
        Field("type", "kind", "choice", required=True, choices=ORGANISATION_KINDS),
        Field("population", "population_band", "choice", choices=POPULATION_BANDS),
        Field("volume_achats", "purchase_volume_band", "choice", choices=PURCHASE_VOLUME_BANDS),
        Field("demonstration", "is_demo", "bool", default=False),
        Children("acheteurs", BUYER, unique="identifier"),
        Children("directions", DIRECTION, unique="slug"),
    ),
)
SCHEME = Entity(
    "scheme",
    (
        Field("identifiant", "slug", "slug", required=True, max_length=50),
        Field("titre", "title", "text", required=True, max_length=300),
        Group(
            "periode",
            (
                Field("debut", "period_start", "int", required=True, minimum=2014, maximum=2100),
                Field("fin", "period_end", "int", required=True, minimum=2014, maximum=2100),
            ),
            required=True,
        ),
        Field("edition", "edition", "int", default=1, always=True, minimum=1, maximum=99),
        Field("mutualise", "mutualised", "bool", default=False, always=True),
        Field("date_adoption", "adoption_date", "date", default=None),
        Field("statut", "status", "choice", default=SchemeStatus.DRAFT, always=True, choices=SCHEME_STATUSES),
        Field("url_publication", "public_url", "url", max_length=200),
        Field("presentation", "summary", "multiline"),
        Field("avertissement", "note", "multiline"),
        Group(
            "seuils_statut",
            (
                Field("en_bonne_voie", "on_track_ratio", "decimal", default=Decimal("0.90")),
                Field("a_surveiller", "at_risk_ratio", "decimal", default=Decimal("0.75")),
            ),
        ),
    ),
)
OBJECTIVE = Entity(
    "objective",
    (
        Field("texte", "text", "multiline", required=True),
        Field("echeance", "deadline", "date", default=None),
    ),
)
ACTION = Entity(
    "action",
    (
        Field("titre", "title", "text", required=True, max_length=300),
        Field("description", "description", "multiline"),
        Field("direction", "owner_direction", "direction", default=None),
        Field("echeance", "due_date", "date", default=None),
        Field(
            "statut", "status", "choice", default=ActionStatus.PLANNED, always=True, choices=ACTION_STATUSES
        ),
        Field("avancement", "progress", "int", default=0, always=True, minimum=0, maximum=100),
    ),
)
INDICATOR = Entity(
    "indicator",
    (
        Field("code", "code", "text", required=True, max_length=16),
        Field("nom", "name", "text", required=True, max_length=300),
        Field("definition", "definition", "multiline"),
        Field("unite", "unit", "choice", default=Unit.PERCENT, always=True, choices=UNITS),
        Field(
            "sens", "polarity", "choice", default=Polarity.HIGHER_IS_BETTER, always=True, choices=POLARITIES
        ),
        Field("methode", "method", "text", default="manual", always=True, max_length=64),
        Field("parametres", "params", "params", default=None),
        Field("frequence", "frequency", "choice", default=Frequency.YEARLY, always=True, choices=FREQUENCIES),
        Field("source", "source", "text", max_length=200),
        Field("perimetre", "perimeter_note", "multiline"),
        Field("direction", "owner_direction", "direction", default=None),
        Group(
            "reference",
            (
                Field("annee", "baseline_year", "int", default=None, minimum=2000, maximum=2100),
                Field("valeur", "baseline_value", "decimal", default=None),
            ),
        ),
        Field("cibles", "targets", "targets", default=None),
    ),
)
COMMITMENT = Entity(
    "commitment",
    (
        Field("code", "code", "text", required=True, max_length=16),
        Field("titre", "title", "text", required=True, max_length=300),
        Field("description", "description", "multiline"),
        Children("objectifs", OBJECTIVE),
        Children("actions", ACTION),
        Children("indicateurs", INDICATOR),
    ),
)
AXIS = Entity(
    "axis",
    (
        Field("code", "code", "text", required=True, max_length=16),
        Field("titre", "title", "text", required=True, max_length=300),
        Field("description", "description", "multiline"),
        Children("engagements", COMMITMENT, unique="code"),
    ),
)
ROOT = Entity(
    "root",
    (
        Field("format", "format", "int", default=FORMAT_VERSION, always=True, minimum=1, maximum=1),
        Nested("organisation", ORGANISATION),
        Nested("schema", SCHEME),
        Children("axes", AXIS, unique="code"),
    ),
)
