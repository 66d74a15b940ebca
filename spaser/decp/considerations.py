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
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, to be a key of the decisions' cache
class _Side:
    """What tells the social side from the environmental one."""

    wrapper: str
    table: dict[str, str]
    no_value: str
    build: Callable[[tuple[str, ...], bool], Considerations]


UNKNOWN = Considerations()  # frozen: one instance serves every record


def _considerations(raw: Any, side: _Side, field: str, flags: list[Flag]) -> Considerations:
    items = unwrap_list(raw, side.wrapper)
    if items and all(type(item) is str for item in items):
        # Nearly every record holds one of a few lists of texts: each list is decided once.
        decided, found = _decide_texts(tuple(items), side, field)
        if found:
            flags.extend(found)
        return decided
    return _decide(items, side, field, flags)


@lru_cache(maxsize=4096)
def _decide_texts(texts: tuple[str, ...], side: _Side, field: str) -> tuple[Considerations, tuple[Flag, ...]]:
    found: list[Flag] = []
    return _decide(list(texts), side, field, found), tuple(found)


def _decide(items: list[Any] | None, side: _Side, field: str, flags: list[Flag]) -> Considerations:
    if not items:
        if items == []:
            flags.append(Flag("considerations_vides", "Liste de considérations vide : inconnu.", field))
        return UNKNOWN
    canonical: list[str] = []
    for part in _split(items):
        value = side.table.get(_key(part))
        if value is None:
            flags.append(
                Flag("consideration_inconnue", f"Considération inconnue : « {part.strip()} ».", field)
            )
        elif value not in canonical:
            canonical.append(value)
    if not canonical:
        return UNKNOWN
    positive = [value for value in canonical if value != side.no_value]
    if positive and side.no_value in canonical:
        flags.append(
            Flag("considerations_contradictoires", "« Pas de considération » avec des considérations.", field)
        )
    return side.build(tuple(canonical), bool(positive))


def _social(values: tuple[str, ...], has_any: bool) -> Considerations:
    return Considerations(
        values=values,
        has_any=has_any,
        clause=SOCIAL_CLAUSE in values,
        criterion=SOCIAL_CRITERION in values,
        reserved=RESERVED in values,
    )


def _environmental(values: tuple[str, ...], has_any: bool) -> Considerations:
    return Considerations(
        values=values, has_any=has_any, clause=ENV_CLAUSE in values, criterion=ENV_CRITERION in values
    )


_SOCIAL_SIDE = _Side("considerationSociale", _SOCIAL, NO_SOCIAL, _social)
_ENVIRONMENTAL_SIDE = _Side("considerationEnvironnementale", _ENVIRONMENTAL, NO_ENVIRONMENTAL, _environmental)


def social_considerations(raw: Any, field: str, flags: list[Flag]) -> Considerations:
    return _considerations(raw, _SOCIAL_SIDE, field, flags)


def environmental_considerations(raw: Any, field: str, flags: list[Flag]) -> Considerations:
    return _considerations(raw, _ENVIRONMENTAL_SIDE, field, flags)
