"""Which column holds which field: the fields of each layout, their header synonyms, the proposed mapping.

A mapping is a dict {field key: header as written in the file}. `propose_mapping` recognises headers by
their synonyms (accents, case, punctuation and little words ignored: « N° de marché » = « Numéro marché »);
the pilot corrects it on the mapping page and may save it under a name (`ColumnMapping`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import values
from .models import RegisterKind


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    parse: Callable[[Any], Any]
    synonyms: tuple[str, ...]
    help: str = ""


CONTRACT_KEY_FIELDS = (
    FieldSpec(
        "uid",
        "Identifiant national (uid)",
        values.parse_text,
        ("uid", "identifiant national", "identifiant unique", "identifiant decp", "uid decp"),
        "SIRET de l'acheteur suivi du numéro de marché, comme dans les DECP.",
    ),
    FieldSpec(
        "buyer_siret",
        "SIRET de l'acheteur",
        values.parse_siret,
        ("siret acheteur", "siret de l acheteur", "acheteur siret", "siret pouvoir adjudicateur"),
        "Par défaut, l'acheteur unique de l'organisation.",
    ),
    FieldSpec(
        "contract_id",
        "Numéro de marché",
        values.parse_text,
        (
            "n de marche",
            "numero marche",
            "numero de marche",
            "n marche",
            "identifiant",
            "identifiant marche",
            "id marche",
            "reference marche",
            "reference du marche",
            "code marche",
            "numero",
        ),
        "Le numéro que l'acheteur publie dans les DECP (champ « id »).",
    ),
)

CONTRACT_FIELDS = (
    *CONTRACT_KEY_FIELDS,
    FieldSpec("object", "Objet", values.parse_text, ("objet", "objet du marche", "intitule", "libelle")),
    FieldSpec(
        "direction",
        "Direction",
        values.parse_text,
        ("direction", "direction prescriptrice", "direction gestionnaire", "service", "service prescripteur"),
        "Nom, sigle ou identifiant court d'une direction de l'organisation.",
    ),
    FieldSpec(
        "notification_date",
        "Date de notification",
        values.parse_date,
        ("date de notification", "notification", "date notification", "notifie le"),
    ),
    FieldSpec(
        "duration_months",
        "Durée (mois)",
        values.parse_months,
        ("duree mois", "duree en mois", "duree", "duree initiale mois"),
    ),
    FieldSpec(
        "amount",
        "Montant notifié (€ HT)",
        values.parse_amount,
        ("montant", "montant notifie", "montant ht", "montant initial", "montant notifie ht"),
    ),
    FieldSpec("cpv", "Code CPV", values.parse_cpv, ("cpv", "code cpv")),
    FieldSpec(
        "end_date",
        "Date de fin",
        values.parse_date,
        (
            "date de fin",
            "date fin",
            "fin",
            "fin du marche",
            "echeance",
            "date d echeance",
            "date de fin du marche",
        ),
    ),
    FieldSpec(
        "renewal_deadline",
        "Date limite de reconduction",
        values.parse_date,
        (
            "date limite de reconduction",
            "date limite reconduction",
            "date de reconduction",
            "reconduction avant le",
            "date limite de denonciation",
        ),
    ),
    FieldSpec(
        "insertion_hours_planned",
        "Heures d'insertion prévues",
        values.parse_hours,
        (
            "heures d insertion prevues",
            "heures insertion prevues",
            "heures d insertion",
            "nombre d heures d insertion",
            "heures insertion",
        ),
    ),
    FieldSpec(
        "reserved_article",
        "Article du marché réservé",
        values.parse_reserved_article,
        (
            "article marche reserve",
            "article du marche reserve",
            "marche reserve",
            "article reserve",
            "reserve",
        ),
        "L2113-12, L2113-13 ou L2113-15 ; « non » si le marché n'est pas réservé.",
    ),
    FieldSpec(
        "estimated_spend",
        "Montant estimé (€ HT)",
        values.parse_amount,
        ("montant estime", "depense estimee", "estimation", "montant estimatif", "montant previsionnel"),
    ),
)

INSERTION_FIELDS = (
    *CONTRACT_KEY_FIELDS,
    FieldSpec(
        "period_start",
        "Début de période",
        values.parse_date,
        ("debut de periode", "debut periode", "periode du", "date de debut"),
    ),
    FieldSpec(
        "period_end",
        "Fin de période",
        values.parse_date,
        ("fin de periode", "fin periode", "periode au", "date de fin"),
    ),
    FieldSpec(
        "hours_planned",
        "Heures prévues",
        values.parse_hours,
        ("heures prevues", "heures d insertion prevues", "nombre d heures prevues", "objectif d heures"),
    ),
    FieldSpec(
        "hours_realised",
        "Heures réalisées",
        values.parse_hours,
        (
            "heures realisees",
            "heures effectuees",
            "nombre d heures realisees",
            "heures d insertion realisees",
        ),
    ),
    FieldSpec(
        "person_ref",
        "Référence du participant",
        values.parse_person_ref,
        (
            "participant",
            "reference participant",
            "ref participant",
            "identifiant participant",
            "reference personne",
            "reference du participant",
        ),
        "Référence pseudonyme (jamais le nom de la personne).",
    ),
    FieldSpec("gender", "Genre", values.parse_gender, ("genre", "sexe")),
    FieldSpec(
        "resident",
        "Résident du territoire",
        values.parse_yes_no_unknown,
        ("resident du territoire", "resident", "residence sur le territoire", "habite le territoire"),
    ),
    FieldSpec(
        "participant_hours",
        "Heures du participant",
        values.parse_hours,
        ("heures du participant", "heures participant", "heures effectuees par le participant"),
    ),
)

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    RegisterKind.CONTRACTS: CONTRACT_FIELDS,
    RegisterKind.INSERTION: INSERTION_FIELDS,
}
REQUIRED: dict[str, tuple[str, ...]] = {
    RegisterKind.CONTRACTS: (),
    RegisterKind.INSERTION: ("period_start", "period_end"),
}

_LITTLE_WORDS = {
    "de",
    "du",
    "des",
    "d",
    "l",
    "la",
    "le",
    "les",
    "en",
    "a",
    "par",
    "pour",
    "ht",
    "eur",
    "euros",
}
_NUMERO = {"n", "no", "num", "numero", "nr"}


def header_key(header: str) -> str:
    """« N° de marché » → "numero marche"; « Heures d'insertion prévues » → "heures insertion prevues"."""
    words = values.fold(re.sub(r"n\s*[°º]", "numero ", str(header), flags=re.IGNORECASE)).split()
    words = ["numero" if word in _NUMERO else word for word in words]
    return " ".join(word for word in words if word not in _LITTLE_WORDS)


def _synonym_keys(spec: FieldSpec) -> list[str]:
    return [header_key(synonym) for synonym in spec.synonyms]


def field_specs(kind: str) -> tuple[FieldSpec, ...]:
    return FIELDS[kind]


def propose_mapping(headers: list[str], *, kind: str) -> dict[str, str]:
    """Each field gets the first header equal to one of its synonyms (in the synonyms' order of preference);
    a header is given to one field only."""
    keyed = [(header, header_key(header)) for header in headers]
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for spec in FIELDS[kind]:
        for synonym in _synonym_keys(spec):
            match = next((h for h, key in keyed if key == synonym and h not in taken), None)
            if match is not None:
                mapping[spec.key] = match
                taken.add(match)
                break
    return mapping


def header_score(kind: str) -> Callable[[list[str]], int]:
    """For the header-row detection: how many cells of a row are known headers of this layout."""
    known = {key for spec in FIELDS[kind] for key in _synonym_keys(spec)}
    return lambda cells: sum(1 for cell in cells if header_key(cell) in known)


def mapping_errors(
    mapping: dict[str, str], *, headers: list[str], kind: str, has_default_buyer: bool
) -> list[str]:
    """What makes a mapping unusable for this file, in French (empty list = usable)."""
    labels = {spec.key: spec.label for spec in FIELDS[kind]}
    errors = [
        f"« {labels.get(key, key)} » : la colonne « {header} » n'existe pas dans ce fichier."
        for key, header in mapping.items()
        if header and header not in headers
    ]
    if not mapping.get("uid") and not mapping.get("contract_id"):
        errors.append(
            "Indiquez la colonne du numéro de marché (ou de l'identifiant national) : sans elle, "
            "aucune ligne ne peut être rattachée à un marché."
        )
    needs_buyer = mapping.get("contract_id") and not mapping.get("uid") and not mapping.get("buyer_siret")
    if needs_buyer and not has_default_buyer:
        errors.append(
            "L'organisation compte plusieurs acheteurs : indiquez la colonne du SIRET de l'acheteur."
        )
    errors.extend(f"Indiquez la colonne « {labels[key]} »." for key in REQUIRED[kind] if not mapping.get(key))
    return errors


def clean_mapping(raw: dict[str, Any], *, kind: str) -> dict[str, str]:
    """Keep only known fields with a header (a saved mapping may come from an older version)."""
    known = {spec.key for spec in FIELDS[kind]}
    return {key: str(header) for key, header in raw.items() if key in known and header}
