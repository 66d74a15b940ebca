"""Optional per-record validation against the official schema 2.0.3 (copied in schemas/, see its README).

Real files rarely conform (domain.md §4), so a failure is a quality flag, never a rejection.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import orjson
from jsonschema import Draft7Validator

from spaser.decp.records import Flag

SCHEMA_FILE = "schema_decp_v2.0.3.json"
MAX_FLAGS_PER_RECORD = 5  # beyond that the record's raw source says more than a list of errors
DEFINITIONS = {"marche": "marche", "contrat-concession": "contrat-concession"}


@cache
def _schema() -> dict[str, Any]:
    return orjson.loads(resources.files("spaser.decp").joinpath("schemas", SCHEMA_FILE).read_bytes())


class SchemaChecker:
    def __init__(self) -> None:
        schema = _schema()
        # A $ref at the root resolves against the same document, so the definitions come along.
        self._validators = {
            kind: Draft7Validator({"$ref": f"#/definitions/{name}", "definitions": schema["definitions"]})
            for kind, name in DEFINITIONS.items()
        }

    def check(self, raw: Any, kind: str) -> list[Flag]:
        errors = sorted(self._validators[kind].iter_errors(raw), key=lambda error: list(error.absolute_path))
        # "required" yields one error per missing property with the same French message: keep one.
        unique = list(dict.fromkeys((_french(error), _path(error.absolute_path)) for error in errors))
        flags = [
            Flag("schema", f"Non conforme au schéma 2.0.3 : {message}", where)
            for message, where in unique[:MAX_FLAGS_PER_RECORD]
        ]
        if len(unique) > MAX_FLAGS_PER_RECORD:
            more = len(unique) - MAX_FLAGS_PER_RECORD
            flags.append(Flag("schema", f"… et {more} autre(s) écart(s) au schéma 2.0.3.", ""))
        return flags


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
    if error.validator in ("type", "pattern", "maxLength", "minLength", "format"):
        return f"valeur non conforme ({error.validator}) : « {str(instance)[:80]} »"
    return error.message


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
