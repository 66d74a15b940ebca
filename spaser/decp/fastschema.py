"""A JSON Schema compiled to Python closures: a fast yes/no for the keywords the DECP schemas use.

`jsonschema` walks the schema for every record (≈ 0.3 ms per DECP record); a compiled check costs a few
microseconds. It only answers "valid or not": when a record is not valid, `jsonschema` is asked for the
errors (the French messages), so both agree by construction on what is reported. A schema using a keyword
this compiler does not know raises `Unsupported` at compile time, and the caller falls back to jsonschema.
Draft-04 semantics for "integer" (2.0 is not an integer) are kept apart from later drafts (2.0 is one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

Check = Callable[[Any], bool]

IGNORED = frozenset(
    {
        "title",
        "description",
        "$schema",
        "id",
        "$id",
        "definitions",
        "$comment",
        "default",
        "examples",
        "format",
    }
)


class Unsupported(Exception):
    pass


def compile_schema(
    schema: dict[str, Any], *, root: dict[str, Any] | None = None, draft4: bool = False
) -> Check:
    compiler = _Compiler(root if root is not None else schema, draft4=draft4)
    return compiler.compile(schema)


class _Compiler:
    def __init__(self, root: dict[str, Any], *, draft4: bool):
        self.root = root
        self.draft4 = draft4
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        if "$ref" in schema:
            return self._ref(schema["$ref"])  # draft-04 to 7: siblings of $ref are ignored
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in IGNORED:
                continue
            builder = getattr(self, "_" + keyword, None)
            if builder is None or keyword in ("compile",):
                raise Unsupported(keyword)
            checks.append(builder(value, schema))
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        checks_tuple = tuple(checks)

        def every(instance: Any) -> bool:
            # A plain loop: all() over a generator costs twice as much on this hot path.
            for check in checks_tuple:  # noqa: SIM110
                if not check(instance):
                    return False
            return True

        return every

    def _ref(self, pointer: str) -> Check:
        if pointer in self.refs:
            return self.refs[pointer]
        if not pointer.startswith("#"):
            raise Unsupported(pointer)
        target: Any = self.root
        for part in pointer[1:].split("/"):
            if part:
                target = target[part.replace("~1", "/").replace("~0", "~")]
        compiled: list[Check] = []
        self.refs[pointer] = lambda instance: compiled[0](instance)  # recursion-safe placeholder
        compiled.append(self.compile(target))
        self.refs[pointer] = compiled[0]
        return compiled[0]

    # -- keywords ---------------------------------------------------------------------------------------
    def _type(self, value: Any, schema: dict) -> Check:
        names = value if isinstance(value, list) else [value]
        tests = [self._type_test(name) for name in names]
        if len(tests) == 1:
            return tests[0]
        return lambda instance: any(test(instance) for test in tests)

    def _type_test(self, name: str) -> Check:
        if name == "string":
            return lambda instance: isinstance(instance, str)
        if name == "object":
            return lambda instance: isinstance(instance, dict)
        if name == "array":
            return lambda instance: isinstance(instance, list)
        if name == "boolean":
            return lambda instance: isinstance(instance, bool)
        if name == "null":
            return lambda instance: instance is None
        if name == "number":
            return lambda instance: isinstance(instance, int | float) and not isinstance(instance, bool)
        if name == "integer":
            if self.draft4:
                return lambda instance: isinstance(instance, int) and not isinstance(instance, bool)
            return lambda instance: (
                (isinstance(instance, int) and not isinstance(instance, bool))
                or (isinstance(instance, float) and instance.is_integer())
            )
        raise Unsupported(name)

    def _enum(self, value: list, schema: dict) -> Check:
        options = list(value)
        if all(isinstance(option, str) for option in options):
            strings = frozenset(options)
            return lambda instance: isinstance(instance, str) and instance in strings
        return lambda instance: any(_equal(instance, option) for option in options)

    def _const(self, value: Any, schema: dict) -> Check:
        return lambda instance: _equal(instance, value)

    def _pattern(self, value: str, schema: dict) -> Check:
        search = re.compile(value).search
        return lambda instance: not isinstance(instance, str) or search(instance) is not None

    def _minLength(self, value: int, schema: dict) -> Check:
        return lambda instance: not isinstance(instance, str) or len(instance) >= value

    def _maxLength(self, value: int, schema: dict) -> Check:
        return lambda instance: not isinstance(instance, str) or len(instance) <= value

    def _minimum(self, value: float, schema: dict) -> Check:
        exclusive = self.draft4 and schema.get("exclusiveMinimum") is True
        if exclusive:
            return lambda instance: not _is_number(instance) or instance > value
        return lambda instance: not _is_number(instance) or instance >= value

    def _maximum(self, value: float, schema: dict) -> Check:
        exclusive = self.draft4 and schema.get("exclusiveMaximum") is True
        if exclusive:
            return lambda instance: not _is_number(instance) or instance < value
        return lambda instance: not _is_number(instance) or instance <= value

    def _minItems(self, value: int, schema: dict) -> Check:
        return lambda instance: not isinstance(instance, list) or len(instance) >= value

    def _maxItems(self, value: int, schema: dict) -> Check:
        return lambda instance: not isinstance(instance, list) or len(instance) <= value

    def _uniqueItems(self, value: bool, schema: dict) -> Check:
        if not value:
            return _always
        return lambda instance: not isinstance(instance, list) or len(instance) < 2 or _unique(instance)

    def _required(self, value: list, schema: dict) -> Check:
        names = frozenset(value)
        return lambda instance: not isinstance(instance, dict) or names <= instance.keys()

    def _properties(self, value: dict, schema: dict) -> Check:
        checks = {name: self.compile(sub) for name, sub in value.items()}

        def check(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            for name, item in instance.items():  # records have fewer keys than the schema has properties
                sub = checks.get(name)
                if sub is not None and not sub(item):
                    return False
            return True

        return check

    def _additionalProperties(self, value: Any, schema: dict) -> Check:
        known = frozenset(schema.get("properties", {}))
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        extra_check = self.compile(value)
        return lambda instance: (
            not isinstance(instance, dict)
            or all(extra_check(item) for name, item in instance.items() if name not in known)
        )

    def _items(self, value: Any, schema: dict) -> Check:
        if isinstance(value, list):
            checks = [self.compile(sub) for sub in value]
            return lambda instance: (
                not isinstance(instance, list)
                or all(check(item) for check, item in zip(checks, instance, strict=False))
            )
        item_check = self.compile(value)

        def check(instance: Any) -> bool:
            if not isinstance(instance, list):
                return True
            for item in instance:  # noqa: SIM110 (hot path, see every())
                if not item_check(item):
                    return False
            return True

        return check

    def _anyOf(self, value: list, schema: dict) -> Check:
        checks = [self.compile(sub) for sub in value]
        return lambda instance: any(check(instance) for check in checks)

    def _allOf(self, value: list, schema: dict) -> Check:
        checks = [self.compile(sub) for sub in value]
        return lambda instance: all(check(instance) for check in checks)

    def _oneOf(self, value: list, schema: dict) -> Check:
        checks = [self.compile(sub) for sub in value]
        return lambda instance: sum(1 for check in checks if check(instance)) == 1

    def _not(self, value: Any, schema: dict) -> Check:
        check = self.compile(value)
        return lambda instance: not check(instance)

    def _exclusiveMinimum(self, value: Any, schema: dict) -> Check:
        if isinstance(value, bool):
            return _always  # draft-04: a modifier of "minimum", handled there
        return lambda instance: not _is_number(instance) or instance > value

    def _exclusiveMaximum(self, value: Any, schema: dict) -> Check:
        if isinstance(value, bool):
            return _always
        return lambda instance: not _is_number(instance) or instance < value


def _always(instance: Any) -> bool:
    return True


def _never(instance: Any) -> bool:
    return False


def _is_number(instance: Any) -> bool:
    return isinstance(instance, int | float) and not isinstance(instance, bool)


def _equal(one: Any, other: Any) -> bool:
    """JSON equality: True is not 1 (jsonschema's rule)."""
    if isinstance(one, bool) or isinstance(other, bool):
        return isinstance(one, bool) and isinstance(other, bool) and one == other
    return one == other


def _unique(items: list) -> bool:
    try:
        keys = [orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in items]
    except TypeError:  # NaN and other values orjson cannot write: say "not sure", jsonschema decides
        return False
    return len(set(keys)) == len(keys)
