"""Enumerated values (nature, procedure, place type, record type) in the official spelling.

Real files use old spellings from schemas before 1.5 ("Marché négocié sans publicité…"), capitals
("ACCORD-CADRE", "CODE DEPARTEMENT") and missing accents. Values are compared without case, accents or extra
spaces; a value that was respelled gets an `enumeration_corrigee` flag (the raw record keeps the original), a
value that matches nothing is kept as published with a `valeur_hors_liste` flag.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from spaser.decp.records import Flag

NATURES = (
    "Marché",
    "Marché de partenariat",
    "Marché de défense ou de sécurité",
    "Accord-cadre",  # 2019 format
    "Marché subséquent",  # 2019 format
    "Concession de travaux",
    "Concession de service",
    "Concession de service public",
    "Délégation de service public",
)
NATURE_ALIASES = {
    "marche de securite": "Marché de défense ou de sécurité",
    "marche de defense et de securite": "Marché de défense ou de sécurité",
    "accord cadre": "Accord-cadre",
    "marche subsequent d'accord cadre": "Marché subséquent",
}
FRAMEWORK_NATURES = frozenset({"Accord-cadre", "Marché subséquent"})

PROCEDURES = (
    "Procédure adaptée",
    "Appel d'offres ouvert",
    "Appel d'offres restreint",
    "Procédure avec négociation",
    "Marché passé sans publicité ni mise en concurrence préalable",
    "Dialogue compétitif",
    "Procédure négociée ouverte",
    "Procédure non négociée ouverte",
    "Procédure négociée restreinte",
    "Procédure non négociée restreinte",
)
PROCEDURE_ALIASES = {
    "marche negocie sans publicite ni mise en concurrence prealable": (
        "Marché passé sans publicité ni mise en concurrence préalable"
    ),
    "marche public negocie sans publicite ni mise en concurrence prealable": (
        "Marché passé sans publicité ni mise en concurrence préalable"
    ),
    "procedure concurrentielle avec negociation": "Procédure avec négociation",
    "procedure negociee avec mise en concurrence prealable": "Procédure avec négociation",
    "mapa": "Procédure adaptée",
    "aoo": "Appel d'offres ouvert",
    "aor": "Appel d'offres restreint",
}

PLACE_TYPES = (
    "Code postal",
    "Code commune",
    "Code arrondissement",
    "Code canton",
    "Code département",
    "Code région",
    "Code pays",
)
PLACE_TYPE_ALIASES = {"code insee": "Code commune", "code departemental": "Code département"}

RECORD_TYPES = {"marche": "marche", "contrat de concession": "concession", "concession": "concession"}


@lru_cache(maxsize=4096)  # few distinct spellings, met on every record
def key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\s_\-’']+", " ", without_accents.replace("’", "'")).strip().lower().replace(" ' ", "'")


@cache
def _table(values: tuple[str, ...], aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    table = {key(value): value for value in values}
    table.update({key(alias): value for alias, value in aliases})
    return table


def canonical(
    value: str, values: tuple[str, ...], aliases: dict[str, str], field: str, flags: list[Flag]
) -> str:
    """The official spelling of `value`, flagged when respelled or unknown. Empty stays empty."""
    if not value or value in values:
        return value
    found = _table(values, tuple(aliases.items())).get(key(value))
    if found is None:
        flags.append(Flag("valeur_hors_liste", f"Valeur hors de la liste officielle : « {value} ».", field))
        return value
    flags.append(Flag("enumeration_corrigee", f"« {value} » lu comme « {found} ».", field))
    return found


def nature(value: str, field: str, flags: list[Flag]) -> str:
    return canonical(value, NATURES, NATURE_ALIASES, field, flags)


def procedure(value: str, field: str, flags: list[Flag]) -> str:
    return canonical(value, PROCEDURES, PROCEDURE_ALIASES, field, flags)


def place_type(value: str, field: str, flags: list[Flag]) -> str:
    return canonical(value, PLACE_TYPES, PLACE_TYPE_ALIASES, field, flags)
