"""The compiled schema check agrees with jsonschema on every real record (so no error goes unreported)."""

from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft7Validator

from spaser.decp import json_stream
from spaser.decp.fastschema import compile_schema
from spaser.decp.normalise import kind_of_2019
from spaser.decp.schema import SCHEMAS, _load
from spaser.decp.source import open_source
from tests.decp.generated import record

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "decp"
FILES = sorted((SHARED / "real").glob("v*/*.json")) + sorted((SHARED / "schema").glob("exemples_*/*.json"))


def _raw_records(path):
    source = open_source(path)
    with source.open() as stream:
        for container, raw in json_stream.iter_json(stream, encoding="utf-8", name=path.name):
            if container != "layout":
                yield container, raw


@cache
def _validators(version):
    file_name, validator_class, _ = SCHEMAS[version]
    schema = _load(file_name)
    result = {}
    for name in ("marche", "contrat-concession"):
        wrapper = {"$ref": f"#/definitions/{name}", "definitions": schema["definitions"]}
        result[name] = (
            validator_class(wrapper),
            compile_schema(wrapper, draft4=validator_class is Draft4Validator),
        )
    return result


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_compiled_check_agrees_with_jsonschema(path):
    checked = 0
    for container, raw in _raw_records(path):
        if not isinstance(raw, dict):
            continue
        version = "2019" if container == "marches" else "2022"
        concession = container == "contrat-concession" or kind_of_2019(raw, []) == "concession"
        slow, fast = _validators(version)["contrat-concession" if concession else "marche"]
        assert fast(raw) == slow.is_valid(raw), raw.get("id")
        checked += 1
    assert checked


def test_generated_records_are_valid_for_both():
    slow, fast = _validators("2022")["marche"]
    assert isinstance(slow, Draft7Validator)
    for index in range(50):
        assert fast(record(index))
        assert slow.is_valid(record(index))
