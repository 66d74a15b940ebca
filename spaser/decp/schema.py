"""Per-record validation against the official schema of the record's own format (copied in schemas/, see its
README): JSON schema 1.5.0 for the 2019 format, 2.0.3 for the 2022 format, the XSDs for XML (xml_stream.py),
the consolidated table schema for tabular rows (types of each column).

Real files rarely conform (domain.md §4), so a failure is a quality flag, never a rejection.
Speed: a compiled yes/no check (fastschema.py) runs first; jsonschema only explains the records that fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import orjson
from jsonschema import Draft4Validator, Draft7Validator

from spaser.decp.fastschema import Unsupported, compile_schema
from spaser.decp.records import Flag

MAX_FLAGS_PER_RECORD = 5  # beyond that the record's raw source says more than a list of errors
SCHEMAS = {
    "2019": ("marches_v1.5.0.json", Draft4Validator, "1.5.0"),
    "2022": ("schema_decp_v2.0.3.json", Draft7Validator, "2.0.3"),
}
DEFINITIONS = {
    "marche": "marche",
    "contrat-concession": "contrat-concession",
    "concession": "contrat-concession",
}
TABLE_SCHEMA_FILE = "decp-processing_tableschema_schema_base.json"


@cache
def _load(file_name: str) -> dict[str, Any]:
    return orjson.loads(resources.files("spaser.decp").joinpath("schemas", file_name).read_bytes())


class SchemaChecker:
    """Validates raw records of one version ("2019" or "2022"); `kind` is marche or contrat-concession."""

    def __init__(self, version: str = "2022") -> None:
        file_name, validator_class, self.label = SCHEMAS[version]
        schema = _load(file_name)
        self._validators = {}
        self._fast = {}
        for name in ("marche", "contrat-concession"):
            # A $ref at the root resolves against the same document, so the definitions come along.
            wrapper = {"$ref": f"#/definitions/{name}", "definitions": schema["definitions"]}
            self._validators[name] = validator_class(wrapper)
            try:
                self._fast[name] = compile_schema(wrapper, draft4=validator_class is Draft4Validator)
            except Unsupported:
                self._fast[name] = None

    def check(self, raw: Any, kind: str) -> list[Flag]:
        name = DEFINITIONS[kind]
        fast = self._fast[name]
        if fast is not None and fast(raw):
            return []
        errors = sorted(self._validators[name].iter_errors(raw), key=lambda error: list(error.absolute_path))
        # "required" yields one error per missing property with the same French message: keep one.
        unique = list(dict.fromkeys((_french(error), _path(error.absolute_path)) for error in errors))
        flags = [
            Flag("schema", f"Non conforme au schéma {self.label} : {message}", where)
            for message, where in unique[:MAX_FLAGS_PER_RECORD]
        ]
        if len(unique) > MAX_FLAGS_PER_RECORD:
            more = len(unique) - MAX_FLAGS_PER_RECORD
            flags.append(Flag("schema", f"… et {more} autre(s) écart(s) au schéma {self.label}.", ""))
        return flags


@cache
def checker_for(version: str) -> SchemaChecker:
    return SchemaChecker(version)


def _french(error: Any) -> str:
    """The usual validator messages in French; the rare others keep jsonschema's English text."""
    instance = error.instance
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in instance]
        return f"propriété obligatoire absente ({', '.join(missing)})"
    if error.validator == "additionalProperties":
        extra = sorted(set(instance) - set(error.schema.get("properties", {})))
        return f"propriété non prévue ({', '.join(extra)})"
    if error.validator == "minItems":
        return "liste vide interdite"
    if error.validator == "enum":
        return f"valeur hors liste : « {instance} »"
    if error.validator == "anyOf":
        return f"valeur ne correspondant à aucune forme prévue : « {str(instance)[:80]} »"
    if error.validator in ("type", "pattern", "maxLength", "minLength", "format", "minimum", "maximum"):
        return f"valeur non conforme ({error.validator}) : « {str(instance)[:80]} »"
    if error.validator == "uniqueItems":
        return "éléments en double dans une liste"
    return error.message


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# -- tabular ---------------------------------------------------------------------------------------------

_INTEGER = re.compile(r"^\s*-?\d+(\.0*)?\s*$")
_NUMBER = re.compile(r"^\s*-?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_BOOLEANS = frozenset({"true", "false", "oui", "non", "0", "1", "vrai", "faux"})
NULLS = frozenset({"", "nan", "null", "none", "nc"})


@cache
def table_fields() -> dict[str, str]:
    """Column name → type ("string", "integer", "number", "date", "boolean") of the consolidated dataset."""
    return {field["name"]: field.get("type", "string") for field in _load(TABLE_SCHEMA_FILE)["fields"]}


def check_row(row: Mapping[str, Any]) -> list[Flag]:
    """Each cell against its column's type in the table schema; unknown columns are the caller's business."""
    fields = table_fields()
    flags: list[Flag] = []
    for column, value in row.items():
        expected = fields.get(column)
        if expected is None or expected == "string" or value is None:
            continue
        if isinstance(value, float) and value != value:  # NaN from Parquet = empty cell
            continue
        if not _conforms(value, expected):
            flags.append(
                Flag(
                    "schema",
                    f"Non conforme au schéma tabulaire : « {str(value)[:60]} » n'est pas de type {expected}.",
                    column,
                )
            )
    return flags[:MAX_FLAGS_PER_RECORD]


def _conforms(value: Any, expected: str) -> bool:
    if isinstance(value, str):
        if value.strip().lower() in NULLS:
            return True
        if expected == "integer":
            return bool(_INTEGER.match(value))
        if expected == "number":
            return bool(_NUMBER.match(value))
        if expected == "date":
            return bool(_DATE.match(value.strip()))
        if expected == "boolean":
            return value.strip().lower() in _BOOLEANS
        return True
    if expected == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if expected == "number":
        return isinstance(value, int | float)
    if expected == "date":
        return isinstance(value, date)
    if expected == "boolean":
        return isinstance(value, bool) or value in (0, 1)
    return True
