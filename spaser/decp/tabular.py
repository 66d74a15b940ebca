"""The national consolidated tabular format (decp-processing; CSV or Parquet): one row per contract × supplier
(× modification when the `modification_id` column is there). Rows of one contract become one record.

Grouping. Rows of one `uid` do NOT have to be consecutive: the reader keeps up to `MAX_OPEN_UIDS`
contracts open (the most recently seen) and merges every row of a uid met while it is open. When more
contracts are open, the oldest is emitted. A row whose uid was already emitted (it came more than
`MAX_OPEN_UIDS` contracts later) cannot be merged any more: it becomes a record of its own with the flag
`lignes_non_fusionnees` (an 8 MB Bloom filter remembers the emitted uids, so memory stays bounded whatever
the file size), and the importer's de-duplication chooses between them. Real files: the 8 957 rows /
5 180 uids of the sample all merge (1 880 rows come back to a uid seen earlier, none beyond the window).

Versions. Rows of one uid that disagree on contract-level columns (another notification date, amount…)
are not the same publication (a re-publication, or an id reused by the buyer): each version is a record of
its own, flagged `uid_plusieurs_versions` with the columns that differ — never merged by guess. With a
`modification_id` column, rows 1, 2… are the contract's modifications (new amount, duration, suppliers),
row 0 its initial data.

Values: joined strings ("Critère social, Clause sociale") are split; "Sans objet" is an explicit no; a missing
column or an empty cell is unknown. The raw record is `{"lignes": [row, …]}` (the rows as read).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from spaser.decp.normalise import parse_record
from spaser.decp.records import KIND_CONCESSION, KIND_MARCHE, ContractRecord, Flag, RejectedRecord
from spaser.decp.schema import check_row

MAX_OPEN_UIDS = 20_000
BLOOM_BITS = 1 << 26  # 8 MB

# Columns that describe a supplier (one row each), or the row's place in a contract's history.
ROW_ONLY_PREFIX = "titulaire_"
# "_probleme" is the reader's note on a malformed CSV line, not a column of the file.
HISTORY_COLUMNS = frozenset(
    {"modification_id", "donneesActuelles", "sourceFile", "sourceDataset", "dureeRestanteMois", "_probleme"}
)
MODIFIED_COLUMNS = frozenset({"montant", "dureeMois", "dateNotification", "datePublicationDonnees"})
JOINED_LISTS = {
    "techniques": "technique",
    "modalitesExecution": "modaliteExecution",
    "typesPrix": "typePrix",
    "considerationsSociales": "considerationSociale",
    "considerationsEnvironnementales": "considerationEnvironnementale",
}
SCALARS = (
    "id",
    "nature",
    "objet",
    "montant",
    "codeCPV",
    "procedure",
    "dureeMois",
    "offresRecues",
    "dateNotification",
    "datePublicationDonnees",
    "formePrix",
    "attributionAvance",
    "tauxAvance",
    "marcheInnovant",
    "ccag",
    "sousTraitanceDeclaree",
    "typeGroupementOperateurs",
    "origineUE",
    "origineFrance",
    "idAccordCadre",
)

Row = Mapping[str, Any]


class _Bloom:
    def __init__(self, bits: int = BLOOM_BITS):
        self.bits = bits
        self.array = bytearray(bits // 8)

    def _indexes(self, key: str) -> Iterator[int]:
        first, second = hash(key), hash((key, 1)) | 1
        for index in range(4):
            yield (first + index * second) % self.bits

    def add(self, key: str) -> None:
        for bit in self._indexes(key):
            self.array[bit >> 3] |= 1 << (bit & 7)

    def __contains__(self, key: str) -> bool:
        # `all(… for bit in self._indexes(key))`, inlined: asked once per contract.
        first, second = hash(key), hash((key, 1)) | 1
        bits, array = self.bits, self.array
        for index in range(4):
            bit = (first + index * second) % bits
            if not array[bit >> 3] & (1 << (bit & 7)):
                return False
        return True


def group_rows(
    rows: Iterable[tuple[int, Row]], *, source_format: str, validate_schema: bool = True
) -> Iterator[ContractRecord | RejectedRecord]:
    """(position, row) pairs in file order → records, in bounded memory (see the module docstring)."""
    open_groups: OrderedDict[str, list[tuple[int, Row]]] = OrderedDict()
    late: set[str] = set()
    emitted = _Bloom()
    for position, row in rows:
        uid = _text(row.get("uid")) or _text(row.get("acheteur_id")) + _text(row.get("id"))
        group = open_groups.get(uid)
        if group is not None:
            group.append((position, row))
            continue
        if uid in emitted:
            late.add(uid)  # bounded: only uids that really came back
        open_groups[uid] = [(position, row)]
        if len(open_groups) > MAX_OPEN_UIDS:
            old_uid, old_rows = open_groups.popitem(last=False)
            emitted.add(old_uid)
            yield from records_from_rows(
                old_rows, source_format=source_format, validate_schema=validate_schema, late=old_uid in late
            )
    for uid, group in open_groups.items():
        yield from records_from_rows(
            group, source_format=source_format, validate_schema=validate_schema, late=uid in late
        )


def records_from_rows(
    rows: list[tuple[int, Row]], *, source_format: str, validate_schema: bool = True, late: bool = False
) -> Iterator[ContractRecord | RejectedRecord]:
    """All rows of one uid → one record per version (usually one)."""
    versions: dict[tuple, list[tuple[int, Row]]] = {}
    if len(rows) == 1:  # most contracts: one version, whose key is never looked at
        versions[()] = rows
    else:
        with_history = any(_text(row.get("modification_id")) not in ("", "0") for _, row in rows)
        for position, row in rows:
            versions.setdefault(_version_key(row, with_history), []).append((position, row))
    differing = _differing_columns(list(versions)) if len(versions) > 1 else []
    for version_rows in versions.values():
        flags: list[Flag] = []
        if late:
            flags.append(
                Flag(
                    "lignes_non_fusionnees",
                    "D'autres lignes de ce marché apparaissent bien plus loin dans le fichier : "
                    "elles n'ont pas pu être fusionnées avec celles-ci "
                    "(trier le fichier par uid évite ce cas).",
                    "uid",
                )
            )
        if differing:
            flags.append(
                Flag(
                    "uid_plusieurs_versions",
                    f"{len(versions)} versions différentes de ce marché dans le fichier "
                    "(colonnes qui diffèrent : "
                    f"{', '.join(differing[:6])}) : chacune est lue à part.",
                    "uid",
                )
            )
        yield record_from_version(
            version_rows, source_format=source_format, validate_schema=validate_schema, flags=flags
        )


def record_from_version(
    rows: list[tuple[int, Row]],
    *,
    source_format: str,
    validate_schema: bool = True,
    flags: list[Flag] | None = None,
) -> ContractRecord | RejectedRecord:
    flags = list(flags or ())
    position = rows[0][0]
    raw = {"lignes": [_json_row(row) for _, row in rows]}
    if validate_schema:
        for _, row in rows:
            flags.extend(check_row(row))
        flags = list(dict.fromkeys(flags))
    by_modification: dict[int, list[Row]] = {}
    for _, row in rows:
        text = _text(row.get("modification_id"))
        by_modification.setdefault(int(text) if text.isdigit() else 0, []).append(row)
    base = by_modification.pop(0, None) or by_modification.pop(min(by_modification))
    first = base[0]
    record: dict[str, Any] = {}
    for key in SCALARS:
        if key in first:
            value = first[key]  # `_cell(value)`, its common case inlined
            record[key] = (value.strip() or None) if type(value) is str else _cell(value)
    for column, item in JOINED_LISTS.items():
        if column in first and _cell(first.get(column)) is not None:
            record[column] = {item: _split(first.get(column))}
    record["acheteur"] = {"id": _cell(first.get("acheteur_id")), "nom": _cell(first.get("acheteur_nom"))}
    if "lieuExecution_code" in first or "lieuExecution_typeCode" in first:
        record["lieuExecution"] = {
            "code": _cell(first.get("lieuExecution_code")),
            "typeCode": _cell(first.get("lieuExecution_typeCode")),
        }
    record["titulaires"] = _suppliers(base)
    if by_modification:
        record["modifications"] = [
            {
                "id": str(number),
                "montant": _cell(modification_rows[0].get("montant")),
                "dureeMois": _cell(modification_rows[0].get("dureeMois")),
                "dateNotificationModification": _cell(modification_rows[0].get("dateNotification")),
                "datePublicationDonneesModification": _cell(
                    modification_rows[0].get("datePublicationDonnees")
                ),
                "titulaires": _suppliers(modification_rows),
            }
            for number, modification_rows in sorted(by_modification.items())
        ]
    kind = KIND_MARCHE
    if _text(record.get("nature")).lower().startswith(("concession", "délégation", "delegation")):
        kind = KIND_CONCESSION
        record = _as_concession(record)
    parsed = parse_record(record, position=position, kind=kind, source_format=source_format, flags=flags)
    if isinstance(parsed, RejectedRecord):
        return RejectedRecord(position=position, reasons=parsed.reasons, raw=raw, source_format=source_format)
    return _with_raw(parsed, raw)


def _with_raw(record: ContractRecord, raw: dict[str, Any]) -> ContractRecord:
    """`replace(record, raw=raw)` without building a second record: `record` was made just now by
    `parse_record` and nothing else holds it yet, so its field is set in place (once, before anyone sees
    it; the record is frozen from then on)."""
    object.__setattr__(record, "raw", raw)
    return record


def _as_concession(record: dict[str, Any]) -> dict[str, Any]:
    renames = {
        "acheteur": "autoriteConcedante",
        "titulaires": "concessionnaires",
        "montant": "valeurGlobale",
        "dateNotification": "dateSignature",
    }
    return {renames.get(key, key): value for key, value in record.items()}


def _suppliers(rows: list[Row]) -> list[dict[str, Any]]:
    suppliers = []
    for row in rows:
        if "titulaire_id" not in row:
            continue
        suppliers.append(
            {
                "id": _cell(row.get("titulaire_id")),
                "typeIdentifiant": _cell(row.get("titulaire_typeIdentifiant")),
                "denominationSociale": _cell(row.get("titulaire_nom")),
            }
        )
    return suppliers


def _version_key(row: Row, with_history: bool) -> tuple:
    """(column, text) of the contract-level columns, in column order."""
    return tuple((column, _text(row[column])) for column in _version_columns(tuple(row), with_history))


@lru_cache(maxsize=256)
def _version_columns(columns: tuple[str, ...], with_history: bool) -> tuple[str, ...]:
    """The contract-level columns among a row's, sorted: every row of a file has the same columns."""
    return tuple(
        sorted(
            column
            for column in columns
            if not column.startswith(ROW_ONLY_PREFIX)
            and column not in HISTORY_COLUMNS
            and not (with_history and column in MODIFIED_COLUMNS)
        )
    )


def _differing_columns(keys: list[tuple]) -> list[str]:
    columns = [dict(key) for key in keys]
    names = sorted({name for values in columns for name in values})
    return [name for name in names if len({values.get(name) for values in columns}) > 1]


def _text(value: Any) -> str:
    if type(value) is str:  # the common case, as below
        return value.strip()
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(value: Any) -> Any:
    """An empty cell is unknown (None); other values are kept for the cleaners (strings, numbers, dates)."""
    if type(value) is str:  # the common case, as below
        return value.strip() or None
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _split(value: Any) -> list[str]:
    return list(_split_text(value if type(value) is str else str(value)))


@lru_cache(maxsize=4096)
def _split_text(text: str) -> tuple[str, ...]:
    """The same few joined values recur on every row ("Sans objet", "Clause sociale, Critère social")."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


_AS_IS = frozenset({int, float, bool, type(None)})  # kept as they are (None: as `_cell` gives it)


def _json_row(row: Row) -> dict[str, Any]:
    """The row as JSON for the raw record: numbers and booleans as they are, other cells as `_cell` gives."""
    json_row = {}
    for key, value in row.items():
        kind = type(value)
        if kind is str:
            json_row[key if type(key) is str else str(key)] = value.strip() or None
        elif kind in _AS_IS:
            json_row[key if type(key) is str else str(key)] = value
        else:
            json_row[str(key)] = _cell(value) if not isinstance(value, int | float | bool) else value
    return json_row
