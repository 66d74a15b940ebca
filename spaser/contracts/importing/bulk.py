"""INSERT and UPDATE many rows with one prepared statement, without building model instances.

`bulk_create` compiles every value of every row through the ORM (about 0.8 ms per 50-column contract on
SQLite, most of an import's database time); here each column gets one converter chosen once, and the
driver's `executemany` does the rest. Values are converted as Django's fields do for this database
(`connection.ops.adapt_*`), so the ORM reads the rows back unchanged. JSON columns are written as JSON
text (cast to jsonb on PostgreSQL): converted values are plain data, which can be computed in the reading
process and sent to the writing one (importing/pipeline.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone

from spaser.contracts.decp_mapping import RawJson

Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Converters:
    """How to make the values of some columns database parameters: `size` columns, of which `converted`
    (index, function) need a conversion (the others are parameters as they are)."""

    size: int
    converted: tuple[tuple[int, Converter], ...]


def converters(model: type[models.Model], names: Sequence[str]) -> Converters:
    fields = {field.attname: field for field in model._meta.concrete_fields}
    functions = [_converter(fields[name]) for name in names]
    return Converters(len(names), tuple((i, f) for i, f in enumerate(functions) if f is not None))


def convert(values: Iterable[Any], functions: Converters) -> tuple[Any, ...]:
    """The values (in the columns' order) as database parameters."""
    row = list(values)
    if len(row) != functions.size:
        raise ValueError(f"{len(row)} valeurs pour {functions.size} colonnes")
    for index, function in functions.converted:
        row[index] = function(row[index])
    return tuple(row)


def insert_values(model: type[models.Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> int:
    """Insert converted `rows` (values in the order of `names`; the other columns take their default).
    Primary keys are left to the database: read them back by a unique key."""
    if not rows:
        return 0
    fields = _insertable(model)
    given = set(names)
    now = timezone.now()
    rest = [field for field in fields if field.attname not in given]
    defaults = convert(
        (_python_default(field, now) for field in rest), converters(model, [f.attname for f in rest])
    )
    columns = [*names, *(field.attname for field in rest)]
    params = [row + defaults for row in rows] if defaults else rows
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, model, columns, params)
        else:
            cursor.executemany(_insert_sql(model, columns), params)
    return len(rows)


def _copy(cursor, model: type[models.Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY … FROM STDIN, several times faster than an INSERT per row (each pays a round trip and
    its own parsing). The values are the same parameters: text for JSON, dates and decimals, cast by the
    server to the column's type."""
    quote = connection.ops.quote_name
    fields = {field.attname: field for field in model._meta.concrete_fields}
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(fields[name].column) for name in names)
    )
    with cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert `rows` (attribute name → Python value; missing ones take the field's default)."""
    fields = _insertable(model)
    now = timezone.now()
    names = [field.attname for field in fields]
    functions = converters(model, names)
    defaults = {field.attname: _python_default(field, now) for field in fields}
    params = [convert(({**defaults, **row}[name] for name in names), functions) for row in rows]
    return insert_values(model, names, params)


def update_values(model: type[models.Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE by primary key: each row is its converted values in the order of `names`, then the pk."""
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    fields = {field.attname: field for field in meta.concrete_fields}
    assignments = ", ".join(f"{quote(fields[name].column)} = {_placeholder(fields[name])}" for name in names)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insertable(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _insert_sql(model: type[models.Model], names: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(fields[name].column) for name in names),
        ", ".join(_placeholder(fields[name]) for name in names),
    )


def _placeholder(field: models.Field) -> str:
    if isinstance(field, models.JSONField) and connection.vendor == "postgresql":
        return "%s::jsonb"
    return "%s"


def _converter(field: models.Field) -> Converter | None:
    """Text for JSON, dates and decimals (ISO dates, decimals as written): what SQLite stores for them
    through Django's adapters, and what PostgreSQL casts to the column's type. Plain text also crosses
    from the reading process cheaply (importing/pipeline.py)."""
    if isinstance(field, models.JSONField):
        return _json_text
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField | models.DecimalField):
        return _text
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _python_default(field: models.Field, now) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _json_text(value: Any) -> str | None:
    # Same JSON as Django's json.dumps for these values (native JSON types), written ten times faster. A
    # RawJson (a record's `raw`) brings its bytes, serialised once for the hash and the NaN check.
    if value is None:
        return None
    if type(value) is RawJson:
        return (value.data if value.data is not None else orjson.dumps(value.value)).decode()
    return orjson.dumps(value).decode()
