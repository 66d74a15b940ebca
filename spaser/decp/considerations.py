"""Social and environmental considerations, decided once (domain.md §5 rule 4).

- has a consideration = the list holds a clause, a criterion (or, social side, a reserved contract);
- explicit no = the list is present and holds only "Pas de considération…" / "Sans objet";
- unknown (None) = the field is absent or the list is empty. Unknown is never counted as no.

Spellings are compared without case, accents or extra spaces: real files say "CLAUSE SOCIALE",
"critere social", "Sans objet"; the national tabular file joins several values with commas.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from spaser.decp.records import Considerations, Flag
from spaser.decp.values import unwrap_list

SOCIAL_CLAUSE = "Clause sociale"
SOCIAL_CRITERION = "Critère social"
RESERVED = "Marché réservé"
NO_SOCIAL = "Pas de considération sociale"
ENV_CLAUSE = "Clause environnementale"
ENV_CRITERION = "Critère environnemental"
NO_ENVIRONMENTAL = "Pas de considération environnementale"


@lru_cache(maxsize=4096)  # few distinct spellings, met on every record
def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\s_’']+", " ", without_accents).strip().lower()


_SOCIAL = {
    "clause sociale": SOCIAL_CLAUSE,
    "clauses sociales": SOCIAL_CLAUSE,
    "critere social": SOCIAL_CRITERION,
    "criteres sociaux": SOCIAL_CRITERION,
    "marche reserve": RESERVED,
    "concession reservee": RESERVED,  # the concession schema's name for the same thing
    "pas de consideration sociale": NO_SOCIAL,
    "sans objet": NO_SOCIAL,  # the national tabular file's spelling of "no"
    "aucune": NO_SOCIAL,
}
_ENVIRONMENTAL = {
    "clause environnementale": ENV_CLAUSE,
    "clauses environnementales": ENV_CLAUSE,
    "critere environnemental": ENV_CRITERION,
    "criteres environnementaux": ENV_CRITERION,
    "pas de consideration environnementale": NO_ENVIRONMENTAL,
    "sans objet": NO_ENVIRONMENTAL,
    "aucune": NO_ENVIRONMENTAL,
}


def _split(values: list[Any]) -> list[str]:
    """Flatten items, splitting joined strings ("Critère social, Clause sociale")."""
    parts: list[str] = []
    for value in values:
        if value is None:
            continue
        parts.extend(_split_text(str(value)))
    return parts


@lru_cache(maxsize=4096)  # the same few spellings on every record
def _split_text(text: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[,;|]", text) if part.strip())


def _decide(raw: Any, wrapper: str, table: dict[str, str], no_value: str, field: str, flags: list[Flag]):
    items = unwrap_list(raw, wrapper)
    if not items:
        if items == []:
            flags.append(Flag("considerations_vides", "Liste de considérations vide : inconnu.", field))
        return None
    canonical: list[str] = []
    for part in _split(items):
        value = table.get(_key(part))
        if value is None:
            flags.append(
                Flag("consideration_inconnue", f"Considération inconnue : « {part.strip()} ».", field)
            )
        elif value not in canonical:
            canonical.append(value)
    if not canonical:
        return None
    positive = [value for value in canonical if value != no_value]
    if positive and no_value in canonical:
        flags.append(
            Flag("considerations_contradictoires", "« Pas de considération » avec des considérations.", field)
        )
    return tuple(canonical), bool(positive)


def social_considerations(raw: Any, field: str, flags: list[Flag]) -> Considerations:
    decided = _decide(raw, "considerationSociale", _SOCIAL, NO_SOCIAL, field, flags)
    if decided is None:
        return Considerations()
    values, has_any = decided
    return Considerations(
        values=values,
        has_any=has_any,
        clause=SOCIAL_CLAUSE in values,
        criterion=SOCIAL_CRITERION in values,
        reserved=RESERVED in values,
    )


def environmental_considerations(raw: Any, field: str, flags: list[Flag]) -> Considerations:
    decided = _decide(raw, "considerationEnvironnementale", _ENVIRONMENTAL, NO_ENVIRONMENTAL, field, flags)
    if decided is None:
        return Considerations()
    values, has_any = decided
    return Considerations(
        values=values, has_any=has_any, clause=ENV_CLAUSE in values, criterion=ENV_CRITERION in values
    )
