"""Write a scheme (with its organisation, buyers and directions) as a scheme file.

The output is canonical: keys in the order the format declares, lists in a stable order, numbers without float
noise (`30`, `12.5`), ISO dates, multi-line text as block scalars, fields equal to their default left out. So
export → import → export gives the same bytes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from spaser.organisations.models import DirectionKind
from spaser.schemes.models import Scheme
from spaser.schemes.scheme_file import FORMAT_VERSION, ROOT, Children, Entity, Field, Group, Nested

HEADER = (
    "# Schéma SPASER : fichier du registre (format {version}).\n"
    "# Se relit avec « spaser import_scheme FICHIER » ; format décrit dans docs/scheme-file.md.\n"
)
# Parameters and conditions are written in a fixed key order, at every depth: the database hands JSON back in
# its own order (PostgreSQL's jsonb sorts keys by length), and the file must not depend on it.
PARAM_ORDER = ("measure", "field", "object", "condition", "base", "include_frameworks", "amount")
CONDITION_ORDER = (
    "flag", "field", "supplier", "known", "published_within_days", "in", "prefix", "equals", "min", "max",
    "departement", "region", "all", "any", "not",
)  # fmt: skip


class Literal(str):
    """Multi-line text, written as a block scalar (`|`)."""


class Quoted(str):
    """Text with characters YAML would fold into spaces (NEL), written double-quoted with escapes."""


class Flow(dict):
    """A small mapping written on one line (`{debut: 2024, fin: 2028}`)."""


class Number(str):
    """A decimal already formatted without float noise."""


class Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them.
        return super().increase_indent(flow, False)


Dumper.add_representer(
    Literal, lambda d, data: d.represent_scalar("tag:yaml.org,2002:str", str(data), style="|")
)
Dumper.add_representer(
    Quoted, lambda d, data: d.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')
)
Dumper.add_representer(
    Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", list(data.items()), flow_style=True)
)
Dumper.add_representer(
    Number,
    lambda d, data: d.represent_scalar(
        "tag:yaml.org,2002:float" if "." in data else "tag:yaml.org,2002:int", str(data)
    ),
)


def format_decimal(value: Decimal) -> Number:
    text = format(value.normalize(), "f")
    return Number("0" if text in {"-0", ""} else text)


def ordered_params(params: dict) -> Flow:
    return _ordered(params, PARAM_ORDER)


def _ordered(value: Any, order: tuple[str, ...]) -> Any:
    if isinstance(value, list):
        return [_ordered(item, CONDITION_ORDER) for item in value]
    if not isinstance(value, dict):
        return value
    keys = [k for k in order if k in value] + sorted(k for k in value if k not in order)
    return Flow((key, _ordered(value[key], CONDITION_ORDER)) for key in keys)


def children_of(entity: Entity, key: str, obj: Any) -> list[Any]:
    if key == "acheteurs":
        return list(obj.buyers.order_by("identifier"))
    if key == "directions":
        return sorted(obj.directions.all(), key=lambda d: (d.kind != DirectionKind.RESOURCE, d.slug))
    if key == "axes":
        return list(obj.axes.order_by("position", "code", "pk"))
    if key == "engagements":
        return list(obj.commitments.order_by("position", "code", "pk"))
    if key == "objectifs":
        return list(obj.objectives.order_by("position", "pk"))
    if key == "actions":
        return list(obj.actions.select_related("owner_direction").order_by("position", "pk"))
    if key == "indicateurs":
        return list(obj.indicators.select_related("owner_direction").order_by("position", "code", "pk"))
    raise KeyError(key)  # pragma: no cover - the format declares no other list


def nested_of(key: str, scheme: Scheme) -> Any:
    return scheme.organisation if key == "organisation" else scheme


def model_value(spec: Field, obj: Any) -> Any:
    if spec.attr == "format":
        return FORMAT_VERSION
    if spec.kind == "direction":
        direction = getattr(obj, spec.attr)
        return direction.slug if direction else None
    if spec.kind == "targets":
        return {target.year: target.value for target in obj.targets.order_by("year")} or None
    if spec.kind == "params":
        return getattr(obj, spec.attr) or None
    return getattr(obj, spec.attr)


def file_value(spec: Field, value: Any) -> Any:
    if spec.kind == "choice":
        assert spec.choices is not None
        return next(key for key, stored in spec.choices.items() if stored == value)
    if spec.kind == "decimal":
        return format_decimal(value)
    if spec.kind == "targets":
        return Flow((year, format_decimal(amount)) for year, amount in value.items())
    if spec.kind == "params":
        return ordered_params(value)
    if spec.kind == "multiline":
        # Line ends are normalised first, so a quoted text (below) does not keep Windows line ends either.
        value = value.replace("\r\n", "\n")
    if isinstance(value, str) and "\x85" in value:
        return Quoted(value)
    if spec.kind == "multiline":
        return Literal(value) if "\n" in value else value
    return value


def is_default(spec: Field, value: Any) -> bool:
    return value == spec.default or (value in (None, "") and spec.default in (None, ""))


def entity_mapping(entity: Entity, obj: Any) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for spec in entity.items:
        if isinstance(spec, Field):
            value = model_value(spec, obj)
            if spec.required or spec.always or not is_default(spec, value):
                mapping[spec.key] = file_value(spec, value)
        elif isinstance(spec, Group):
            group = Flow()
            for sub in spec.fields:
                value = model_value(sub, obj)
                if sub.required or sub.always or not is_default(sub, value):
                    group[sub.key] = file_value(sub, value)
            if group or spec.required:
                mapping[spec.key] = group
        elif isinstance(spec, Nested):
            mapping[spec.key] = entity_mapping(spec.entity, nested_of(spec.key, obj))
        elif isinstance(spec, Children):
            items = [entity_mapping(spec.entity, child) for child in children_of(entity, spec.key, obj)]
            if items:
                mapping[spec.key] = items
    return mapping


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100_000,
        indent=2,
    )


def write_scheme_text(scheme: Scheme) -> str:
    return HEADER.format(version=FORMAT_VERSION) + dump_yaml(entity_mapping(ROOT, scheme))
