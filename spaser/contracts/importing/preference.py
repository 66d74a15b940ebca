"""Which version of a contract wins when several records carry the same uid (ADR 0004).

The same rule decides inside a file, across files and platforms, and against what is already stored:
1. the version published last wins — the record's `datePublicationDonnees` or, when later, the publication
   date of its last modification (a re-publication corrects or extends the earlier one);
2. then the one with more modifications (a modification is never un-published);
3. then the most complete (more of the facts indicators use are given);
4. on a full tie, the later one: later in the file, and a new import over what is stored (a corrected file
   re-sent with the same dates replaces the earlier one).
Keys are computed from the stored columns as well as from a new record, with one function, so a stored
contract and an incoming record are always compared on the same terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spaser.decp import ContractRecord

Preference = tuple[str, int, int]

# The facts counted by `completeness`: the ones indicators and the contract page use.
COMPLETENESS_FIELDS = (
    "object",
    "cpv",
    "amount",
    "notification_date",
    "publication_date",
    "duration_months",
    "social_considerations",
    "environmental_considerations",
    "bids_received",
    "procedure",
)
# The stored columns `preference` needs (plus whether the contract has suppliers).
PREFERENCE_COLUMNS = (*COMPLETENESS_FIELDS, "modifications")


def preference(fields: Mapping[str, Any], *, has_suppliers: bool) -> Preference:
    """The key of a version: compare two keys with `>=` (the new one wins a tie)."""
    modifications = fields.get("modifications") or []
    return (
        _latest_publication(fields.get("publication_date"), modifications),
        len(modifications),
        completeness(fields, has_suppliers=has_suppliers),
    )


# A fact is not given when None, or an empty text, list or tuple (and counted otherwise, 0 included).
_SIZED = (str, list, tuple)
# The same facts on a ContractRecord (its `social_considerations`… properties give the values the mapping
# stores, as tuples instead of lists: given or not alike).
_record_facts = attrgetter(*COMPLETENESS_FIELDS)


def record_preference(record: ContractRecord) -> Preference:
    """`preference(contract_fields(record), has_suppliers=bool(record.suppliers))`, read from the record
    itself without mapping it first (the observatory keys every record of the national files)."""
    latest = _iso(record.publication_date)
    for modification in record.modifications:
        published = _iso(modification.publication_date)
        if published > latest:
            latest = published
    given = 1 if record.suppliers else 0
    for value in _record_facts(record):
        if value is not None and (value or not isinstance(value, _SIZED)):
            given += 1
    return latest, len(record.modifications), given


def completeness(fields: Mapping[str, Any], *, has_suppliers: bool) -> int:
    given = 1 if has_suppliers else 0
    get = fields.get
    for name in COMPLETENESS_FIELDS:
        value = get(name)
        if value is not None and (value or not isinstance(value, _SIZED)):
            given += 1
    return given


def _latest_publication(publication: date | str | None, modifications: list[dict[str, Any]]) -> str:
    """ISO dates compare as text; "" (no date) loses against any date."""
    latest = _iso(publication)
    for modification in modifications:
        if isinstance(modification, dict):
            published = _iso(modification.get("publication_date"))
            if published > latest:
                latest = published
    return latest


def _iso(value: date | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()


def why_preferred(winner: Preference, loser: Preference) -> str:
    """In French, why `winner` was kept over `loser` (for the import report)."""
    if winner[0] != loser[0]:
        return (
            f"publiée plus récemment ({_french_date(winner[0])})" if winner[0] else "publiée plus récemment"
        )
    if winner[1] != loser[1]:
        return "elle compte plus de modifications"
    if winner[2] != loser[2]:
        return "elle est plus complète"
    return "à égalité, la dernière lue l'emporte"


def _french_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
