"""The observatory's indicators: every buyer SIREN's figures, year by year, from the national contracts of the
store — computed by the app's engine on its polars backend (spaser.indicators.frames), from the catalogue's
definitions: one code path, the same counting rules as a buyer's own dashboard.

`compute_all(year=None)` writes `indicators/<year>.parquet` (docs/observatory.md): one row per buyer ×
indicator code. The indicators are the catalogue's contract-based ones of `FAMILIES` (S1-S3, E1-E3, C1,
C3, C4, C6, C7) that national data allows: those needing supplier facts (C1, C4c: SME suppliers) are left
out and said so.
Fast and bounded: a lazy scan of the needed columns, one grouped pass (the plans' sums per buyer and year),
then each plan's `finish_columns` over all the groups at once — no Python per buyer (frames.figures_frame).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import polars as pl

from spaser.indicators.catalogue import COMPUTED, Definition
from spaser.indicators.frames import figures_frame

from . import store

logger = logging.getLogger(__name__)

FAMILIES = ("S1", "S2", "S3", "E1", "E2", "E3", "C1", "C3", "C4", "C6", "C7")
GROUP_BY = ["buyer_siren", "notification_year"]
INDICATORS_SCHEMA = pl.Schema(
    {
        "buyer_siren": pl.String,
        "buyer_type": pl.String,
        "year": pl.Int16,
        "code": pl.String,
        "value": pl.Float64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "unknown": pl.Int64,
        "method_version": pl.String,
        "data_date": pl.Date,
    }
)


def definitions() -> list[Definition]:
    """The catalogue's definitions the observatory computes (its families, contract-based methods)."""
    return [
        definition
        for definition in COMPUTED
        if definition.method in ("share", "total", "mean")
        and re.match(r"[A-Z]\d+", definition.code).group() in FAMILIES
    ]


def compute_all(*, year: int | None = None) -> Path:
    """Compute the observatory's indicators of every buyer for `year` (every year of the store when None) and
    write `indicators/<year>.parquet`; returns that file, or the indicators folder for every year. Raises
    store.EmptyStore (French message) when nothing was ingested."""
    contracts = store.scan()
    if year is not None:
        contracts = contracts.filter(pl.col("notification_year") == year)
    else:
        contracts = contracts.filter(pl.col("notification_year").is_not_null())
    newest = store.scan().select(pl.max("publication_date"), pl.max("notification_date")).collect().row(0)
    data_date = max((day for day in newest if day is not None), default=None)
    left_out: dict[str, str] = {}
    figures = figures_frame(contracts, definitions(), group_by=GROUP_BY, left_out=left_out)
    for code, reason in sorted(left_out.items()):
        logger.info("Observatoire : %s non calculé (%s).", code, reason)
    types = _buyer_types()
    if types is not None:
        figures = figures.join(types, on="buyer_siren", how="left")
    else:
        figures = figures.with_columns(buyer_type=pl.lit(None, dtype=pl.String))
    figures = (
        figures.rename({"notification_year": "year"})
        .with_columns(data_date=pl.lit(data_date, dtype=pl.Date))
        .select(INDICATORS_SCHEMA.names())
        .cast(dict(INDICATORS_SCHEMA))
        .sort("buyer_siren", "code")
    )
    target = store.indicators_dir()
    target.mkdir(parents=True, exist_ok=True)
    written_years = [year] if year is not None else sorted(figures["year"].unique())
    for one_year in written_years:
        path = store.indicators_path(one_year)
        temporary = path.with_suffix(".parquet.tmp")
        figures.filter(pl.col("year") == one_year).write_parquet(temporary)
        temporary.replace(path)  # readers never see half a file
    return store.indicators_path(year) if year is not None else target


def _buyer_types() -> pl.DataFrame | None:
    if not store.buyers_path().exists():
        return None
    return store.scan_buyers().select("buyer_siren", "buyer_type").unique("buyer_siren").collect()
