"""The engine's second backend: contract-based indicators over a columnar frame of contracts (polars), for
the observatory's national data — the same plans, conditions and counting rules as the SQL engine.

- `compute_frame(frame, indicators, group_by=[…])`: every contract-based indicator (methods share, total,
  mean) for every group, in one grouped pass: the predicates the plans build (`conditions.Pred`) become
  boolean columns, each distinct one once, and one `group_by().agg()` takes every count and sum the plans
  asked for (`FrameSums`, the counterpart of `plans.Sums`); each plan's unchanged `finish(get)` makes the
  Results.
- `figures_frame(frame, indicators, group_by=[…])`: the same pass, then each plan's `finish_columns` over all
  the groups at once — value, numerator, denominator, unknowns in a long frame, no Python per group, no
  details (the observatory: 100 000 buyers × 14 indicators in about a second).
- `contracts_frame(queryset)`: contracts of the database as such a frame (the store's columns, and by default
  the suppliers' facts), so that both backends can be compared on the same contracts.

A frame holds the columns of `FRAME_SCHEMA` it has (the observatory's store: see spaser/observatory/store.py);
an indicator reading a column the frame lacks — supplier facts, absent from national data — is not computed
but reported (`FrameResults.not_computable`): a share of « unknown » everywhere would read as 0 %.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db.models import Count, QuerySet

from .conditions import ALWAYS, Pred
from .errors import InvalidParams, NotComputable
from .plans import ContractPlan, plan_for

AMOUNT = pl.Decimal(18, 2)
SUPPLIER = pl.Struct(
    {
        "inclusive_kind": pl.String,
        "is_ess": pl.Boolean,
        "size_category": pl.String,
        "departement_code": pl.String,
        "region_code": pl.String,
    }
)
FLAG_COLUMNS = (
    "has_social",
    "social_clause",
    "social_criterion",
    "reserved",
    "has_environmental",
    "environmental_clause",
    "environmental_criterion",
    "innovative",
    "subcontracting_declared",
    "advance_granted",
)
# The store's columns (store.CONTRACT_SCHEMA; a test checks they agree), then what only the database has.
FRAME_SCHEMA = pl.Schema(
    {
        "uid": pl.String,
        "buyer_siret": pl.String,
        "buyer_siren": pl.String,
        "kind": pl.String,
        "nature": pl.String,
        "procedure": pl.String,
        "cpv": pl.String,
        "cpv_division": pl.String,
        "notification_date": pl.Date,
        "notification_year": pl.Int16,
        "publication_date": pl.Date,
        "amount": AMOUNT,
        "current_amount": AMOUNT,
        "duration_months": pl.Int32,
        "current_duration_months": pl.Int32,
        "bids_received": pl.Int32,
        "advance_rate": pl.Float64,
        "is_framework": pl.Boolean,
        **dict.fromkeys(FLAG_COLUMNS, pl.Boolean),
        "supplier_count": pl.Int16,
        "source": pl.String,
        # database only
        "reserved_article": pl.String,
        "estimated_spend": AMOUNT,
        "suppliers": pl.List(SUPPLIER),
    }
)
STORE_COLUMNS = tuple(FRAME_SCHEMA)[: tuple(FRAME_SCHEMA).index("source") + 1]
COLUMN_LABELS = {"suppliers": "titulaires (taille, ESS, listes inclusives, localisation)"}


class FrameSums:
    """The aggregates the plans ask for (`plans.Sums`' interface), as polars expressions: each distinct
    predicate becomes one boolean column (`predicates`), each distinct count or sum one aggregate
    (`expressions`), whatever the number of plans asking."""

    def __init__(self):
        self.predicates: dict[str, pl.Expr] = {}
        self.expressions: dict[str, pl.Expr] = {}
        self.columns: set[str] = set()
        self._names: dict[tuple, str] = {}
        self._aliases: dict[tuple, str] = {}

    def count(self, condition: Pred) -> str:
        if condition is ALWAYS:
            return self._add(("count", "always"), pl.len)
        column = self._predicate(condition)
        return self._add(("count", column), lambda: pl.col(column).sum())

    def sum(self, field: str, condition: Pred) -> str:
        self.columns.add(field)
        if condition is ALWAYS:
            return self._add(("sum", field, "always"), lambda: pl.col(field).sum())
        column = self._predicate(condition)
        return self._add(("sum", field, column), lambda: pl.col(field).filter(pl.col(column)).sum())

    def _predicate(self, condition: Pred) -> str:
        if not isinstance(condition, Pred):
            raise NotComputable("ne se calcule pas sur un tableau de marchés")
        name = self._names.get(condition.key)
        if name is None:
            name = self._names[condition.key] = f"_p{len(self._names)}"
            self.predicates[name] = condition.expr
            self.columns |= condition.columns
        return name

    def _add(self, key: tuple, make) -> str:
        alias = self._aliases.get(key)
        if alias is None:
            alias = self._aliases[key] = f"s{len(self._aliases)}"
            self.expressions[alias] = make()
        return alias


class FrameResults(dict):
    """group key (tuple of the `group_by` values) → {indicator code → Result}; `not_computable`: code → why
    (French), for the indicators left out."""

    def __init__(self, *args, not_computable: dict[str, str] | None = None):
        super().__init__(*args)
        self.not_computable: dict[str, str] = not_computable or {}


def frame_plans(indicators: Iterable, columns: Iterable[str]) -> tuple[list[tuple[str, ContractPlan]], dict]:
    """The contract plans of `indicators` (anything with `code`, `method`, `params`) computable over a frame
    with `columns`, and code → reason for the others."""
    available = set(columns)
    plans: list[tuple[str, ContractPlan]] = []
    left_out: dict[str, str] = {}
    for indicator in indicators:
        try:
            plan = plan_for(indicator.method, indicator.params)
        except (NotComputable, InvalidParams) as error:
            left_out[indicator.code] = str(error)
            continue
        if not isinstance(plan, ContractPlan):
            left_out[indicator.code] = "ne se calcule pas sur les marchés seuls (heures, personnes, objets)"
            continue
        probe = FrameSums()
        plan.request(probe)
        missing = sorted(probe.columns - available)
        if missing:
            names = ", ".join(COLUMN_LABELS.get(name, name) for name in missing)
            left_out[indicator.code] = f"données absentes de la source : {names}"
            continue
        plans.append((indicator.code, plan))
    return plans, left_out


def compute_frame(
    frame: pl.LazyFrame | pl.DataFrame, indicators: Iterable, *, group_by: list[str]
) -> FrameResults:
    """Every contract-based indicator of `indicators` for every group of `frame` (see the module docstring),
    in one grouped pass; only the columns needed are read. Groups without any contract are absent.
    `finish` is a pure function of a plan's sums, so groups with the same sums share one Result: read, never
    modify, its details."""
    results = FrameResults()
    rows, plans = _aggregate(frame, indicators, group_by, results.not_computable)
    finishing = [(code, plan, tuple(plan.a.values()), {}) for code, plan in plans]
    for row in rows.iter_rows(named=True) if plans else ():
        figures = {}
        for code, plan, aliases, done in finishing:
            inputs = tuple(row[alias] for alias in aliases)
            result = done.get(inputs)
            if result is None:
                result = done[inputs] = plan.finish(row.get)
            figures[code] = result
        results[tuple(row[name] for name in group_by)] = figures
    return results


FIGURES_SCHEMA = pl.Schema(
    {
        "code": pl.String,
        "value": pl.Float64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "unknown": pl.Int64,
        "method_version": pl.String,
    }
)


def figures_frame(
    frame: pl.LazyFrame | pl.DataFrame,
    indicators: Iterable,
    *,
    group_by: list[str],
    left_out: dict[str, str] | None = None,
) -> pl.DataFrame:
    """Every figure of every group as one long frame — the `group_by` columns, then `FIGURES_SCHEMA` (one row
    per group × indicator code), without the details: the same grouped pass as `compute_frame`, then each
    plan's `finish_columns` over all the groups at once instead of `finish` group by group (what the
    observatory needs for 100 000 buyers: no Python per group)."""
    rows, plans = _aggregate(frame, indicators, group_by, left_out)
    keys = [pl.col(name) for name in group_by]
    if not plans:
        return pl.DataFrame(schema={**rows.select(keys).schema, **FIGURES_SCHEMA})
    exact = {alias: _fixed(alias, dtype) for alias, dtype in rows.schema.items() if alias not in group_by}
    sums = rows.lazy()
    figures = [
        sums.select(
            *keys,
            code=pl.lit(code, dtype=pl.String),
            **plan.finish_columns(exact.__getitem__),
            method_version=pl.lit(plan.version, dtype=pl.String),
        ).cast(dict(FIGURES_SCHEMA))
        for code, plan in plans
    ]
    return pl.concat(figures).collect()  # the plans' columns side by side on every core


def _fixed(alias: str, dtype: pl.DataType) -> tuple[pl.Expr, int]:
    """A sum as an exact integer and its decimal places, as plans' `_exact` reads it: decimals at their
    scale (cents), floats to six places (half to even), counts as they are; no rows summed → 0."""
    column = pl.col(alias).fill_null(0)
    if isinstance(dtype, pl.Decimal):
        return (column * 10**dtype.scale).cast(pl.Int128), dtype.scale
    if dtype.is_float():
        # whole part apart: a product by 10^6 of a float beyond 2^53 / 10^6 would lose its last digits
        whole = column.floor()
        return whole.cast(pl.Int128) * 1_000_000 + ((column - whole) * 1_000_000).round(0).cast(pl.Int128), 6
    return column.cast(pl.Int128), 0


def _aggregate(
    frame: pl.LazyFrame | pl.DataFrame,
    indicators: Iterable,
    group_by: list[str],
    left_out: dict[str, str] | None,
) -> tuple[pl.DataFrame, list[tuple[str, ContractPlan]]]:
    """The one grouped pass: each group's sums (columns named by `FrameSums`' aliases), and the plans."""
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    unknown_keys = [name for name in group_by if name not in schema]
    if unknown_keys:
        raise ValueError(f"Colonnes de regroupement absentes du tableau : {', '.join(unknown_keys)}.")
    plans, reasons = frame_plans(indicators, schema.names())
    if left_out is not None:
        left_out.update(reasons)
    if not plans:
        return lazy.select(group_by).head(0).collect(), []
    sums = FrameSums()
    for _code, plan in plans:
        plan.request(sums)
    needed = [name for name in schema.names() if name in sums.columns and name not in group_by]
    rows = (
        lazy.select(*group_by, *needed)
        .with_columns(**sums.predicates)
        .group_by(group_by)
        .agg(**sums.expressions)
        .collect()
    )
    return rows, plans


# -- the database's contracts as a frame -----------------------------------------------------------------

_MODEL_COLUMNS = [name for name in FRAME_SCHEMA if name not in ("buyer_siren", "supplier_count", "source",
                                                                  "suppliers")]  # fmt: skip
_SUPPLIER_FIELDS = list(SUPPLIER.to_schema())


def contracts_frame(contracts: QuerySet, *, suppliers: bool = True) -> pl.DataFrame:
    """The contracts of `contracts` as a frame of `FRAME_SCHEMA`: the store's columns (`buyer_siren` = the
    SIRET's first 9 digits, `source` = the file it was read from), the database-only condition fields, and
    with `suppliers` their suppliers' facts (without: as the observatory sees national data)."""
    data: dict[str, list] = defaultdict(list)
    ids: list[int] = []
    rows = contracts.annotate(_suppliers=Count("contract_suppliers")).values_list(
        "pk", *_MODEL_COLUMNS, "source_name", "_suppliers"
    )
    for pk, *values, source, supplier_count in rows.order_by("pk").iterator(chunk_size=5_000):
        ids.append(pk)
        for name, value in zip(_MODEL_COLUMNS, values, strict=True):
            data[name].append(value)
        data["source"].append(source)
        data["supplier_count"].append(supplier_count)
    data["buyer_siren"] = [siret[:9] for siret in data["buyer_siret"]]
    data["advance_rate"] = [None if rate is None else float(rate) for rate in data["advance_rate"]]
    schema = pl.Schema({k: v for k, v in FRAME_SCHEMA.items() if suppliers or k != "suppliers"})
    if suppliers:
        facts: dict[int, list[dict[str, Any]]] = defaultdict(list)
        links = (
            contracts.model.suppliers.through.objects.filter(contract__in=contracts)
            .order_by("contract_id", "position")
            .values_list("contract_id", *(f"supplier__{name}" for name in _SUPPLIER_FIELDS))
        )
        for contract_id, *values in links:
            facts[contract_id].append(dict(zip(_SUPPLIER_FIELDS, values, strict=True)))
        data["suppliers"] = [facts.get(pk, []) for pk in ids]
    return pl.DataFrame({name: data.get(name, []) for name in schema}, schema=schema)
