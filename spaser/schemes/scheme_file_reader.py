"""Read a scheme file into plain values, checking everything that can be checked without the database.

The YAML is read as a node tree (`yaml.compose`), never constructed into Python objects, so every problem is
reported with its line and field path, and values keep exactly what the pilot typed (`1.10` stays `1.10`).
All problems are collected; the caller raises one `SchemeFileError` carrying them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from spaser.indicators.methods import METHODS, InvalidParams, validate_definition
from spaser.schemes.models import Unit
from spaser.schemes.scheme_file import ROOT, Children, Entity, Field, Group, Nested, Problem
from spaser.schemes.scheme_file_values import CONVERTERS, INT_RE, TRUE_WORDS, Bad, parse_decimal, to_slug

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
YEAR_RE = re.compile(r"^\d{4}$")


@dataclass
class Item:
    """One entity read from the file: model attribute values, where each came from, and its sub-entities."""

    path: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    nested: dict[str, Item] = field(default_factory=dict)
    children: dict[str, list[Item]] = field(default_factory=dict)

    def where(self, attr: str) -> tuple[int, str]:
        return self.lines.get(attr, self.line), self.paths.get(attr, self.path)


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


def plain_value(node: yaml.Node) -> Any:
    """A JSON-compatible Python value for method parameters."""
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise Bad("les clés des paramètres doivent être des mots")
            result[key_node.value] = plain_value(value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [plain_value(child) for child in node.value]
    if node.tag == NULL_TAG:
        return None
    if node.tag == BOOL_TAG:
        return node.value.lower() in TRUE_WORDS
    if node.tag == INT_TAG and INT_RE.match(node.value):
        return int(node.value)
    if node.tag == FLOAT_TAG:
        try:
            return float(node.value)
        except ValueError:
            return node.value
    return node.value


class Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.direction_slugs: set[str] | None = None
        self.period: tuple[int, int] | None = None
        self.indicators: list[Item] = []

    def error(self, line: int | None, path: str, message: str) -> None:
        self.problems.append(Problem(line, path, message))

    # --- entry point ---------------------------------------------------------------------------------------

    def read(self, text: str) -> Item | None:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            self.error(line, "", f"le fichier n'est pas un YAML valide ({exc.problem or exc.context})")
            return None
        except yaml.YAMLError as exc:
            self.error(None, "", f"le fichier n'est pas un YAML valide ({exc})")
            return None
        if node is None:
            self.error(None, "", "le fichier est vide")
            return None
        root = self.read_entity(node, "", ROOT)
        if root is not None:
            self.check_unique(self.indicators, "code", "indicateur", "dans le schéma")
        return root

    # --- generic walk --------------------------------------------------------------------------------------

    def mapping(self, node: yaml.Node, path: str, allowed: list[str]) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(line_of(node), path, "une table de clés (« clé: valeur ») est attendue ici")
            return None
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                self.error(line_of(key_node), path, "une clé doit être un mot")
            elif key in found:
                self.error(line_of(key_node), join(path, key), f"la clé « {key} » apparaît deux fois")
            elif key not in allowed:
                self.error(
                    line_of(key_node),
                    join(path, key),
                    f"clé inconnue « {key} » (clés possibles : {', '.join(allowed)})",
                )
            else:
                found[key] = value_node
        return found

    def read_entity(self, node: yaml.Node, path: str, entity: Entity) -> Item | None:
        found = self.mapping(node, path, entity.keys())
        if found is None:
            return None
        item = Item(path=path, line=line_of(node))
        for spec in entity.items:
            child = found.get(spec.key)
            child_path = join(path, spec.key)
            if isinstance(spec, Field):
                self.read_field(item, spec, child, child_path)
            elif isinstance(spec, Group):
                self.read_group(item, spec, child, child_path)
            elif isinstance(spec, Nested):
                if child is None or is_null(child):
                    self.error(item.line, child_path, "section obligatoire manquante")
                else:
                    sub = self.read_entity(child, child_path, spec.entity)
                    if sub is not None:
                        item.nested[spec.key] = sub
            else:
                if child is not None:
                    item.lines[spec.key] = line_of(child)
                item.children[spec.key] = self.read_children(spec, child, child_path)
        check = getattr(self, f"check_{entity.name}", None)
        if check is not None:
            check(item)
        return item

    def read_children(self, spec: Children, node: yaml.Node | None, path: str) -> list[Item]:
        if node is None or is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(line_of(node), path, "une liste (éléments commençant par « - ») est attendue ici")
            return []
        items = []
        for index, child in enumerate(node.value):
            item = self.read_entity(child, f"{path}[{index}]", spec.entity)
            if item is not None:
                items.append(item)
        if spec.unique:
            self.check_unique(items, spec.unique, spec.key, "dans la liste")
        return items

    def check_unique(self, items: list[Item], attr: str, label: str, scope: str) -> None:
        seen: set[Any] = set()
        for item in items:
            value = item.values.get(attr)
            if value in (None, ""):
                continue
            if value in seen:
                line, path = item.where(attr)
                self.error(line, path, f"« {value} » est déjà utilisé {scope} ({label})")
            seen.add(value)

    def read_group(self, item: Item, spec: Group, node: yaml.Node | None, path: str) -> None:
        if node is None or is_null(node):
            if spec.required:
                self.error(item.line, path, "section obligatoire manquante")
            for sub in spec.fields:
                item.values[sub.attr] = sub.default
            return
        found = self.mapping(node, path, [sub.key for sub in spec.fields]) or {}
        for sub in spec.fields:
            self.read_field(item, sub, found.get(sub.key), join(path, sub.key), line_of(node))

    def read_field(
        self, item: Item, spec: Field, node: yaml.Node | None, path: str, parent_line: int | None = None
    ) -> None:
        item.paths[spec.attr] = path
        item.lines[spec.attr] = line_of(node) if node is not None else (parent_line or item.line)
        item.values[spec.attr] = spec.default
        empty = node is None or is_null(node) or (isinstance(node, yaml.ScalarNode) and node.value == "")
        if empty:
            if spec.required:
                self.error(item.lines[spec.attr], path, "champ obligatoire manquant")
            return
        item.present.add(spec.attr)
        try:
            item.values[spec.attr] = self.convert(spec, node, path, item)
        except Bad as exc:
            item.values[spec.attr] = None  # refused: later checks must not rely on a default in its place
            self.error(line_of(node), path, str(exc))

    # --- values --------------------------------------------------------------------------------------------

    def convert(self, spec: Field, node: yaml.Node, path: str, item: Item) -> Any:
        if spec.kind == "params":
            if not isinstance(node, yaml.MappingNode):
                raise Bad(
                    "les paramètres sont une table (par exemple « {measure: count, condition: has_social} »)"
                )
            return plain_value(node)
        if spec.kind == "targets":
            return self.read_targets(node, path, item.values.get("unit"))
        if not isinstance(node, yaml.ScalarNode):
            raise Bad("une valeur simple est attendue ici, pas une liste ni une table")
        raw = node.value
        converter = self.to_direction if spec.kind == "direction" else CONVERTERS[spec.kind]
        value = converter(raw, spec)
        if spec.max_length and isinstance(value, str) and len(value) > spec.max_length:
            raise Bad(f"texte trop long ({len(value)} caractères, {spec.max_length} au plus)")
        return value

    def to_direction(self, raw: str, spec: Field) -> str:
        slug = to_slug(raw, spec)
        if self.direction_slugs is not None and slug not in self.direction_slugs:
            raise Bad(f"direction « {slug} » inconnue : déclarez-la dans organisation.directions")
        return slug

    def read_targets(self, node: yaml.Node, path: str, unit: str | None) -> dict[int, Decimal]:
        if not isinstance(node, yaml.MappingNode):
            raise Bad("les cibles sont une table « année: valeur » (par exemple « {2024: 18, 2028: 30} »)")
        targets: dict[int, Decimal] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            key_path = f"{path}.{key}"
            if not YEAR_RE.match(key):
                self.error(line_of(key_node), key_path, f"« {key} » n'est pas une année")
                continue
            year = int(key)
            if year in targets:
                self.error(line_of(key_node), key_path, f"l'année {year} apparaît deux fois")
                continue
            if self.period and not self.period[0] <= year <= self.period[1]:
                self.error(
                    line_of(key_node),
                    key_path,
                    f"l'année {year} est hors de la période {self.period[0]}-{self.period[1]}",
                )
                continue
            if not isinstance(value_node, yaml.ScalarNode) or is_null(value_node):
                self.error(line_of(value_node), key_path, "une valeur numérique est attendue")
                continue
            try:
                targets[year] = self.measure(parse_decimal(value_node.value), unit)
            except Bad as exc:
                self.error(line_of(value_node), key_path, str(exc))
        return dict(sorted(targets.items()))

    def measure(self, value: Decimal, unit: str | None) -> Decimal:
        if value < 0:
            raise Bad(f"la valeur {value} est négative")
        if unit == Unit.PERCENT and value > 100:
            raise Bad(f"un pourcentage ne peut dépasser 100 (valeur {value})")
        return value

    # --- cross-field checks, per entity ---------------------------------------------------------------

    def check_organisation(self, item: Item) -> None:
        self.direction_slugs = {
            d.values["slug"] for d in item.children.get("directions", []) if d.values["slug"]
        }

    def check_scheme(self, item: Item) -> None:
        start, end = item.values.get("period_start"), item.values.get("period_end")
        if isinstance(start, int) and isinstance(end, int):
            if end < start:
                line, path = item.where("period_end")
                self.error(line, path, f"la dernière année ({end}) précède la première ({start})")
            else:
                self.period = (start, end)
        on_track, at_risk = item.values.get("on_track_ratio"), item.values.get("at_risk_ratio")
        for name, value in (("on_track_ratio", on_track), ("at_risk_ratio", at_risk)):
            if isinstance(value, Decimal) and not Decimal("0.01") <= value <= 1:
                line, path = item.where(name)
                self.error(line, path, f"un seuil est une part de la cible entre 0,01 et 1 (valeur {value})")
        if isinstance(on_track, Decimal) and isinstance(at_risk, Decimal) and at_risk > on_track:
            line, path = item.where("at_risk_ratio")
            self.error(
                line, path, f"le seuil « à surveiller » ({at_risk}) dépasse « en bonne voie » ({on_track})"
            )

    def check_root(self, item: Item) -> None:
        organisation, scheme = item.nested.get("organisation"), item.nested.get("schema")
        if organisation is None or scheme is None or scheme.values.get("mutualised") is not False:
            return
        siren = organisation.values.get("siren")
        for buyer in organisation.children.get("acheteurs", []):
            identifier = buyer.values.get("identifier") or ""
            if siren and identifier and not identifier.startswith(siren):
                line, path = buyer.where("identifier")
                self.error(
                    line,
                    path,
                    f"l'acheteur {identifier} n'appartient pas au SIREN {siren} : "
                    "un schéma non mutualisé ne couvre que l'organisation (sinon « mutualise: true »)",
                )

    def check_indicator(self, item: Item) -> None:
        self.indicators.append(item)
        method, params = item.values.get("method"), item.values.get("params")
        params_refused = "params" in item.present and params is None
        if method is not None and not params_refused:
            try:
                validate_definition(method, params or {})
            except InvalidParams as exc:
                attr = "params" if method in METHODS and "params" in item.present else "method"
                line, path = item.where(attr)
                self.error(line, path, str(exc))
        baseline = item.values.get("baseline_value")
        if baseline is not None:
            try:
                self.measure(baseline, item.values.get("unit"))
            except Bad as exc:
                line, path = item.where("baseline_value")
                self.error(line, path, str(exc))
        baseline_year = item.values.get("baseline_year")
        if self.period and isinstance(baseline_year, int) and baseline_year > self.period[1]:
            line, path = item.where("baseline_year")
            self.error(line, path, f"l'année de référence {baseline_year} est après la fin du schéma")


def read_scheme_text(text: str) -> tuple[Item | None, list[Problem]]:
    reader = Reader()
    root = reader.read(text)
    return root, reader.problems
