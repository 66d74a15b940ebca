"""From a normalised DECP record (spaser.decp) to the values of a Contract row, and its content hash."""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from typing import Any

import orjson

from spaser.decp import ContractRecord, ModificationRecord, SupplierRecord
from spaser.decp.version import READER_VERSION

FIELD_NAMES = (  # the keys of `contract_fields`, in its order (the writer's column order)
    "uid", "buyer_siret", "contract_id", "kind", "object", "nature", "procedure", "cpv", "cpv_division",
    "techniques", "is_framework", "framework_id", "amount", "current_amount", "modifications",
    "duration_months", "current_duration_months", "notification_date", "notification_year",
    "publication_date", "place_code", "social_considerations", "has_social", "social_clause",
    "social_criterion", "reserved", "environmental_considerations", "has_environmental",
    "environmental_clause", "environmental_criterion", "bids_received", "advance_granted", "advance_rate",
    "innovative", "subcontracting_declared", "source_format", "quality_flags",
)  # fmt: skip


def contract_fields(record: ContractRecord) -> dict[str, Any]:
    """Every Contract column the importer owns but `raw` (see `raw_json`). Attribution (direction) is not
    here: a re-import keeps it."""
    social, environmental = record.social, record.environmental
    notification = record.notification_date
    return {
        "uid": record.uid,
        "buyer_siret": record.buyer_siret,
        "contract_id": record.contract_id,
        "kind": record.kind,
        "object": record.object,
        "nature": record.nature,
        "procedure": record.procedure,
        "cpv": record.cpv,
        "cpv_division": record.cpv[:2],
        "techniques": list(record.techniques),
        "is_framework": record.is_framework,
        "framework_id": record.framework_id,
        "amount": record.amount,
        "current_amount": record.current_amount,
        "modifications": [_modification(modification) for modification in record.modifications],
        "duration_months": record.duration_months,
        "current_duration_months": record.current_duration_months,
        "notification_date": notification,
        "notification_year": notification.year if notification else None,
        "publication_date": record.publication_date,
        "place_code": record.place_code,
        "social_considerations": list(social.values) if social.values is not None else None,
        "has_social": social.has_any,
        "social_clause": social.clause,
        "social_criterion": social.criterion,
        "reserved": social.reserved,
        "environmental_considerations": list(environmental.values)
        if environmental.values is not None
        else None,
        "has_environmental": environmental.has_any,
        "environmental_clause": environmental.clause,
        "environmental_criterion": environmental.criterion,
        "bids_received": record.bids_received,
        "advance_granted": record.advance_granted,
        "advance_rate": record.advance_rate,
        "innovative": record.innovative,
        "subcontracting_declared": record.subcontracting_declared,
        "source_format": record.source_format,
        "quality_flags": [flag.as_dict() for flag in record.flags],
    }


def supplier_key(supplier: SupplierRecord) -> tuple[str, str]:
    return supplier.identifier_type, supplier.identifier


class RawJson:
    """The `raw` column of one record, serialised once: its JSON bytes, which serve the NaN check, the
    content hash and the column itself, and the value (NaN and infinities kept as text, see `json_safe`).
    Pickled (to cross from the reading process to the writing one, see importing/pipeline.py) as its bytes
    alone: the value is read back from them only if asked for."""

    __slots__ = ("_value", "data")

    def __init__(self, value: Any, data: bytes | None):
        self._value = value
        self.data = data  # None: not JSON-native (e.g. a Decimal); the column serialises `value` as before

    @property
    def value(self) -> Any:
        if self._value is None and self.data is not None:
            self._value = orjson.loads(self.data)
        return self._value

    def __getstate__(self) -> tuple[Any, bytes | None]:
        return (None if self.data is not None else self._value, self.data)

    def __setstate__(self, state: tuple[Any, bytes | None]) -> None:
        self._value, self.data = state


def raw_json(raw: Any) -> RawJson:
    """orjson writes NaN and infinities as `null`, so a record whose JSON has no `null` at all holds none
    (the common case: its bytes are kept as they are); otherwise `json_safe` walks it, serialised again."""
    try:
        data = orjson.dumps(raw)
    except TypeError:  # not JSON-native: the walk below keeps what it can
        return RawJson(json_safe(raw), None)
    if b"null" not in data:
        return RawJson(raw, data)
    safe = json_safe(raw)
    try:
        return RawJson(safe, orjson.dumps(safe))
    except TypeError:
        return RawJson(safe, None)


def content_hash(record: ContractRecord, raw: RawJson) -> str:
    """Same source and same reading → same hash. What the reader makes of a record (every column, the
    suppliers, the flags) follows from its raw record, its format and kind, the reader's version and the
    file-level flags (an encoding guessed, the schema checked or not): those go in, not the columns again
    (READER_VERSION must change with the reader's output, see spaser/decp/version.py). The file name is
    left out on purpose: the same record re-published in another file is unchanged. `raw` goes in as its
    own bytes (the same record read the same way gives the same bytes), after a separator no JSON holds."""
    flags = ",".join(flag.code for flag in record.flags)
    digest = hashlib.sha256(
        f"{READER_VERSION}\x00{record.source_format}\x00{record.kind}\x00{flags}\x00".encode()
    )
    if raw.data is not None:
        digest.update(raw.data)
    else:
        options = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
        digest.update(orjson.dumps(raw.value, option=options, default=_default))
    return digest.hexdigest()


def json_safe(value: Any) -> Any:
    """NaN and infinities (read by the lenient JSON fallback) are not JSON: keep them as text, not lost."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


def _modification(modification: ModificationRecord) -> dict[str, Any]:
    suppliers = modification.suppliers
    return {
        "id": modification.id,
        "amount": str(modification.amount) if modification.amount is not None else None,
        "duration_months": modification.duration_months,
        "notification_date": modification.notification_date.isoformat()
        if modification.notification_date
        else None,
        "publication_date": modification.publication_date.isoformat()
        if modification.publication_date
        else None,
        "suppliers": None
        if suppliers is None
        else [{"identifier_type": s.identifier_type, "identifier": s.identifier} for s in suppliers],
    }


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)
