"""Reads of the observatory's store for the pages, the dashboard block and `observatory_indicators`.

Input (docs/observatory-pages.md): `DATA_DIR/observatory/indicators/<year>.parquet` (one row per buyer ×
indicator code, written by `compute_all`) and `DATA_DIR/observatory/buyers.parquet`. Only the columns needed
are read, once per file version: the frames are cached on (path, modification time, size), so a new
computation is seen at the next request without restarting the server.

Counting rules:
- peers are the buyers of the same type with a known value for the indicator; buyers whose value is unknown
  (nothing to measure: a denominator of 0) are left out of the ranking and counted apart;
- rank: 1 is the best; ties share the best rank of their group (« 3e ex aequo »); for most indicators the best
  is the highest value, for the few where less is better (single-bid contracts) the lowest;
- percentile: the share of the other peers the buyer does better than, ties counting half
  (100 = better than every other peer, 0 = worse than all); none when the buyer is alone;
- quartiles are linear interpolations between the ordered values (numpy's default, as in pandas).
No store, no file for the year, no row for the SIREN: « pas de données », never a crash, never 0.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from spaser.indicators.catalogue import BY_CODE
from spaser.indicators.targets import NATIONAL_TARGETS

from . import store

# Buyer types of the store, in display order: their label (store.BUYER_TYPES) and the plural of
# « 12e sur 101 départements ».
TYPE_PLURALS = {
    "departement": "départements",
    "region": "régions",
    "commune": "communes",
    "intercommunalite": "intercommunalités",
    "hopital": "établissements publics de santé",
    "etat": "services et établissements de l'État",
    "autre_public": "autres organismes publics",
    "autre": "autres acheteurs",
}
BUYER_TYPES = {key: (label, TYPE_PLURALS.get(key, label)) for key, label in store.BUYER_TYPES.items()}
# Organisation.kind → buyer type, when the store does not know the organisation's SIREN.
KIND_TO_TYPE = {
    "departement": "departement",
    "region": "region",
    "commune": "commune",
    "intercommunalite": "intercommunalite",
    "hopital": "hopital",
    "etat": "etat",
    "etablissement_public": "autre_public",
    "groupement": "autre",
    "autre": "autre",
}
LOWER_IS_BETTER = {"C3b"}  # share of single-bid contracts: fewer is better
INDICATOR_COLUMNS = ["buyer_siren", "buyer_type", "code", "value", "numerator", "denominator", "unknown"]
HISTOGRAM_BINS = 10
NO_DATA = "pas de données"


def store_dir() -> Path:
    return store.root()


def type_label(buyer_type: str) -> str:
    return BUYER_TYPES.get(buyer_type, (buyer_type, buyer_type))[0]


def type_plural(buyer_type: str) -> str:
    return BUYER_TYPES.get(buyer_type, (buyer_type, buyer_type))[1]


def indicator_name(code: str) -> str:
    definition = BY_CODE.get(code)
    return definition.name if definition else code


def indicator_unit(code: str) -> str:
    definition = BY_CODE.get(code)
    return definition.unit if definition else "count"


def _code_key(code: str) -> tuple:
    """Catalogue order: S before E before C before T, then the number, then the letter (S3a < S3b < S10)."""
    match = re.fullmatch(r"([A-Z]+)(\d+)(.*)", code)
    if not match:
        return (9, code, 0, "")
    family = {"S": 0, "E": 1, "C": 2, "T": 3}.get(match[1], 8)
    return (family, match[1], int(match[2]), match[3])


def _type_key(buyer_type: str) -> int:
    order = list(BUYER_TYPES)
    return order.index(buyer_type) if buyer_type in order else len(order)


# --- reading the store ------------------------------------------------------------------------------------


def available_years(root: Path | None = None) -> list[int]:
    """The years with an indicators file, most recent first."""
    directory = (root or store_dir()) / "indicators"
    if not directory.is_dir():
        return []
    years = [int(path.stem) for path in directory.glob("*.parquet") if path.stem.isdigit()]
    return sorted(years, reverse=True)


def _version(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), stat.st_mtime_ns, stat.st_size


@dataclass(frozen=True)
class YearFrame:
    year: int
    frame: pl.DataFrame  # INDICATOR_COLUMNS, value null = unknown
    data_date: date | None
    method_version: str


@functools.lru_cache(maxsize=4)
def _read_year(path: str, mtime_ns: int, size: int, year: int) -> YearFrame:
    schema = pl.read_parquet_schema(path)
    frame = pl.read_parquet(path, columns=INDICATOR_COLUMNS).with_columns(
        pl.col("value").cast(pl.Float64), pl.col("buyer_siren").cast(pl.String)
    )
    data_date, method_version = None, ""
    extra = [column for column in ("data_date", "method_version") if column in schema]
    if extra:
        head = pl.read_parquet(path, columns=extra, n_rows=1)
        if head.height:
            data_date = head["data_date"][0] if "data_date" in extra else None
            method_version = head["method_version"][0] or "" if "method_version" in extra else ""
    return YearFrame(year, frame, data_date, method_version)


def year_frame(year: int, root: Path | None = None) -> YearFrame | None:
    version = _version((root or store_dir()) / "indicators" / f"{year}.parquet")
    return _read_year(*version, year) if version else None


@functools.lru_cache(maxsize=2)
def _read_buyers(path: str, mtime_ns: int, size: int) -> pl.DataFrame:
    columns = [c for c in ("buyer_siren", "name", "buyer_type") if c in pl.read_parquet_schema(path)]
    return pl.read_parquet(path, columns=columns)


def buyer_row(siren: str, root: Path | None = None) -> dict | None:
    """The buyer's row of buyers.parquet (name, buyer_type), None when unknown or without the file."""
    version = _version((root or store_dir()) / "buyers.parquet")
    if version is None:
        return None
    rows = _read_buyers(*version).filter(pl.col("buyer_siren") == siren).head(1).to_dicts()
    return rows[0] if rows else None


# --- the figures ------------------------------------------------------------------------------------------


class IndicatorFacts:
    """What a figure of indicator `code` shows beside it: its name, unit and national target."""

    code: str

    @property
    def name(self) -> str:
        return indicator_name(self.code)

    @property
    def unit(self) -> str:
        return indicator_unit(self.code)

    @property
    def national_target(self):
        return NATIONAL_TARGETS.get(self.code)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    last: bool = False  # the last bin includes its upper bound

    @property
    def label(self) -> str:
        return f"{_short(self.low)} à {_short(self.high)}"


def _short(number: float) -> str:
    text = f"{number:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


@dataclass(frozen=True)
class Distribution(IndicatorFacts):
    """The known values of one indicator among the buyers of one type."""

    code: str
    buyer_type: str
    count: int  # buyers with a known value
    unknown: int  # buyers of the type without a value (nothing to measure)
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None
    bins: list[Bin] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return type_label(self.buyer_type)


def _bins(values: pl.Series, unit: str) -> list[Bin]:
    if values.is_empty():
        return []
    low, high = float(values.min()), float(values.max())
    if unit == "percent" and low >= 0 and high <= 100:
        low, high = 0.0, 100.0
    else:
        low = min(low, 0.0)
        span = high - low
        if span <= 0:
            high = low + 1
        else:
            step = 10 ** math.floor(math.log10(span / HISTOGRAM_BINS))
            high = low + math.ceil(span / HISTOGRAM_BINS / step) * step * HISTOGRAM_BINS
    width = (high - low) / HISTOGRAM_BINS
    index = ((values - low) / width).floor().clip(0, HISTOGRAM_BINS - 1).cast(pl.Int32)
    counts = index.value_counts()
    by_bin = dict(zip(counts[index.name].to_list(), counts["count"].to_list(), strict=True))
    return [
        Bin(low + i * width, low + (i + 1) * width, by_bin.get(i, 0), last=i == HISTOGRAM_BINS - 1)
        for i in range(HISTOGRAM_BINS)
    ]


def _distribution(code: str, buyer_type: str, group: pl.DataFrame) -> Distribution:
    known = group["value"].drop_nulls().drop_nans().sort()
    unknown = group.height - known.len()
    if known.is_empty():
        return Distribution(code, buyer_type, 0, unknown, None, None, None, None, None)
    return Distribution(
        code,
        buyer_type,
        known.len(),
        unknown,
        float(known[0]),
        float(known.quantile(0.25, "linear")),
        float(known.quantile(0.5, "linear")),
        float(known.quantile(0.75, "linear")),
        float(known[-1]),
        _bins(known, indicator_unit(code)),
    )


@functools.lru_cache(maxsize=64)
def _distribution_cached(path: str, mtime_ns: int, size: int, year: int, code: str, buyer_type: str):
    frame = _read_year(path, mtime_ns, size, year).frame
    group = frame.filter((pl.col("code") == code) & (pl.col("buyer_type") == buyer_type))
    return _distribution(code, buyer_type, group)


def distribution(year: int, code: str, buyer_type: str, root: Path | None = None) -> Distribution | None:
    version = _version((root or store_dir()) / "indicators" / f"{year}.parquet")
    return _distribution_cached(*version, year, code, buyer_type) if version else None


@dataclass(frozen=True)
class Position(IndicatorFacts):
    """One indicator of one buyer among the buyers of its type."""

    code: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unknown: int | None  # contracts whose fact is unknown, in the buyer's own figure
    rank: int | None
    ties: int  # other peers with the same value
    peers: int  # buyers of the type with a known value (the buyer included when it has one)
    percentile: float | None
    distribution: Distribution

    @property
    def rank_label(self) -> str:
        """« 12e sur 101 départements », « 1er sur 13 régions (ex aequo) », or « pas de données »."""
        if self.rank is None:
            return NO_DATA
        suffix = "er" if self.rank == 1 else "e"
        tie = " (ex aequo)" if self.ties else ""
        plural = type_plural(self.distribution.buyer_type)
        return f"{self.rank}{suffix} sur {self.peers} {plural}{tie}"

    @property
    def lower_is_better(self) -> bool:
        return self.code in LOWER_IS_BETTER


def rank_of(
    value: float, others: pl.Series, *, lower_is_better: bool = False
) -> tuple[int, int, float | None]:
    """(rank, ties, percentile) of `value` among `others` (the other peers' known values)."""
    if lower_is_better:
        better = int((others < value).sum())
        worse = int((others > value).sum())
    else:
        better = int((others > value).sum())
        worse = int((others < value).sum())
    ties = others.len() - better - worse
    percentile = 100 * (worse + ties / 2) / others.len() if others.len() else None
    return better + 1, ties, percentile


def _position(code: str, row: dict | None, peers: pl.DataFrame, buyer_type: str, siren: str) -> Position:
    dist = _distribution(code, buyer_type, peers)
    value = row["value"] if row else None
    if value is not None and math.isnan(value):
        value = None
    rank = ties = percentile = None
    if value is not None:
        others = peers.filter(pl.col("buyer_siren") != siren)["value"].drop_nulls().drop_nans()
        rank, ties, percentile = rank_of(value, others, lower_is_better=code in LOWER_IS_BETTER)
    return Position(
        code=code,
        value=value,
        numerator=row["numerator"] if row else None,
        denominator=row["denominator"] if row else None,
        unknown=row["unknown"] if row else None,
        rank=rank,
        ties=ties or 0,
        peers=dist.count,
        percentile=percentile,
        distribution=dist,
    )


@dataclass(frozen=True)
class BuyerPosition:
    """Every indicator of one buyer in one year, among the buyers of its type."""

    siren: str
    year: int
    buyer_type: str | None
    type_source: str  # "observatoire" (the store) or "organisation" (the organisation's own kind) or ""
    name: str | None
    found: bool  # the SIREN has rows in the year's file
    positions: list[Position]
    data_date: date | None
    method_version: str
    years: list[int]

    @property
    def type_label(self) -> str:
        return type_label(self.buyer_type) if self.buyer_type else ""

    @property
    def type_plural(self) -> str:
        return type_plural(self.buyer_type) if self.buyer_type else ""


def buyer_position(
    siren: str, year: int | None = None, *, fallback_type: str | None = None, root: Path | None = None
) -> BuyerPosition | None:
    """The buyer's position for `year` (the latest year of the store by default); None when the store has no
    file for that year. `fallback_type` (from the organisation's kind) is used when the store does not know
    the SIREN, so the distribution of its peers is still shown.

    Kept per process for the versions (path, modification time, size) of the files it reads: the dashboard
    shows it on every request, and a new ingest is read at once."""
    root = root or store_dir()
    years = available_years(root)
    if year is None:
        year = years[0] if years else None
    version = _version(root / "indicators" / f"{year}.parquet") if year is not None else None
    if version is None:
        return None
    buyers_version = _version(root / "buyers.parquet")
    return _position_cached(siren, year, fallback_type, root, version, buyers_version, tuple(years))


@functools.lru_cache(maxsize=32)
def _position_cached(
    siren: str,
    year: int,
    fallback_type: str | None,
    root: Path,
    version: tuple[str, int, int],
    buyers_version: tuple[str, int, int] | None,
    years: tuple[int, ...],
) -> BuyerPosition:
    loaded = _read_year(*version, year)
    frame = loaded.frame
    own = frame.filter(pl.col("buyer_siren") == siren)
    buyer = buyer_row(siren, root)
    if own.height:
        buyer_type, source = own["buyer_type"][0], "observatoire"
    elif buyer and buyer.get("buyer_type"):
        buyer_type, source = buyer["buyer_type"], "observatoire"
    else:
        buyer_type, source = fallback_type, "organisation" if fallback_type else ""
    positions = []
    if buyer_type:
        peers = frame.filter(pl.col("buyer_type") == buyer_type)
        own_rows = {row["code"]: row for row in own.to_dicts()}
        codes = sorted(set(peers["code"].unique().to_list()) | set(own_rows), key=_code_key)
        for code in codes:
            group = peers.filter(pl.col("code") == code)
            positions.append(_position(code, own_rows.get(code), group, buyer_type, siren))
    return BuyerPosition(
        siren=siren,
        year=year,
        buyer_type=buyer_type,
        type_source=source,
        name=(buyer or {}).get("name"),
        found=bool(own.height),
        positions=positions,
        data_date=loaded.data_date,
        method_version=loaded.method_version,
        years=list(years),
    )


def position_for(organisation, year: int | None = None, root: Path | None = None) -> BuyerPosition | None:
    """The organisation's position among the buyers of its type (the dashboard block, the position page)."""
    return buyer_position(
        organisation.siren, year, fallback_type=KIND_TO_TYPE.get(organisation.kind), root=root
    )


@dataclass(frozen=True)
class TypeSummary:
    buyer_type: str
    buyers: int  # buyers of the type in the year's file
    distributions: list[Distribution]

    @property
    def label(self) -> str:
        return type_label(self.buyer_type)


@dataclass(frozen=True)
class IndicatorSummary(IndicatorFacts):
    code: str
    distributions: list[Distribution]  # one per buyer type


@dataclass(frozen=True)
class NationalSummary:
    year: int
    years: list[int]
    buyers: int
    types: list[TypeSummary]
    data_date: date | None
    method_version: str

    @property
    def indicators(self) -> list[IndicatorSummary]:
        """The same figures by indicator (the national page: one chart per indicator, a row per type)."""
        codes: dict[str, list[Distribution]] = {}
        for summary in self.types:
            for dist in summary.distributions:
                codes.setdefault(dist.code, []).append(dist)
        return [IndicatorSummary(code, codes[code]) for code in sorted(codes, key=_code_key)]

    def type(self, buyer_type: str) -> TypeSummary | None:
        return next((t for t in self.types if t.buyer_type == buyer_type), None)


@functools.lru_cache(maxsize=4)
def _summary_cached(path: str, mtime_ns: int, size: int, year: int) -> tuple[int, list[TypeSummary]]:
    frame = _read_year(path, mtime_ns, size, year).frame
    types = []
    for (buyer_type,), group in sorted(
        frame.group_by(["buyer_type"]), key=lambda item: _type_key(item[0][0] or "")
    ):
        if buyer_type is None:
            continue
        distributions = [
            _distribution(code, buyer_type, by_code)
            for (code,), by_code in sorted(group.group_by(["code"]), key=lambda item: _code_key(item[0][0]))
        ]
        types.append(TypeSummary(buyer_type, group["buyer_siren"].n_unique(), distributions))
    return frame["buyer_siren"].n_unique(), types


def national_summary(year: int | None = None, root: Path | None = None) -> NationalSummary | None:
    """Per buyer type: how many buyers, and for each indicator its count, unknowns, quartiles and histogram.
    None when the store has no file for the year."""
    years = available_years(root)
    if year is None:
        year = years[0] if years else None
    if year is None:
        return None
    version = _version((root or store_dir()) / "indicators" / f"{year}.parquet")
    if version is None:
        return None
    buyers, types = _summary_cached(*version, year)
    loaded = _read_year(*version, year)
    return NationalSummary(year, years, buyers, types, loaded.data_date, loaded.method_version)


def as_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 4)))
