"""Peer comparison read from the observatory's store: rank, ties, percentile, unknowns, quartiles, histogram,
empty states. The store is written here as small Parquet files with exactly the columns of the contract
(docs/observatory-pages.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from spaser.observatory import selectors

DATA_DATE = date(2025, 3, 1)


def write_indicators(root: Path, year: int, rows: list[tuple]) -> Path:
    """rows: (siren, buyer_type, code, value or None[, numerator, denominator, unknown])."""
    directory = root / "indicators"
    directory.mkdir(parents=True, exist_ok=True)
    records = []
    for row in rows:
        siren, buyer_type, code, value, *counts = row
        numerator, denominator, unknown = counts or (
            (value or 0.0) if value is not None else 0.0,
            100.0 if value is not None else 0.0,
            0,
        )
        records.append(
            {
                "buyer_siren": siren,
                "buyer_type": buyer_type,
                "year": year,
                "code": code,
                "value": value,
                "numerator": float(numerator),
                "denominator": float(denominator),
                "unknown": unknown,
                "method_version": "share-1",
                "data_date": DATA_DATE,
            }
        )
    frame = pl.DataFrame(
        records,
        schema={
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
        },
    )
    path = directory / f"{year}.parquet"
    frame.write_parquet(path)
    return path


def write_buyers(root: Path, rows: list[tuple]) -> Path:
    """rows: (siren, name, buyer_type)."""
    root.mkdir(parents=True, exist_ok=True)
    frame = pl.DataFrame(
        {
            "buyer_siren": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "buyer_type": [r[2] for r in rows],
            "type_source": ["categorie_juridique"] * len(rows),
            "contracts": [10] * len(rows),
        }
    )
    path = root / "buyers.parquet"
    frame.write_parquet(path)
    return path


SSD = "229300082"  # Département de la Seine-Saint-Denis


def departements(values: dict[str, float | None], code: str = "S1") -> list[tuple]:
    return [(siren, "departement", code, value) for siren, value in values.items()]


@pytest.fixture
def root(tmp_path):
    return tmp_path / "observatory"


def test_rank_and_percentile_among_the_same_type(root):
    values = {SSD: 18.0, "221000011": 40.0, "222000010": 25.0, "223000019": 10.0, "224000018": 5.0}
    rows = [*departements(values), ("200000001", "region", "S1", 90.0)]  # another type: not a peer
    write_indicators(root, 2024, rows)
    position = selectors.buyer_position(SSD, 2024, root=root)
    s1 = next(p for p in position.positions if p.code == "S1")
    assert position.buyer_type == "departement"
    assert (s1.rank, s1.peers, s1.ties) == (3, 5, 0)
    assert s1.rank_label == "3e sur 5 départements"
    assert s1.percentile == pytest.approx(50.0)  # better than 2 of the 4 others
    assert s1.distribution.median == pytest.approx(18.0)
    assert (s1.distribution.q1, s1.distribution.q3) == (pytest.approx(10.0), pytest.approx(25.0))
    assert s1.national_target.value == 30


def test_ties_share_the_best_rank_and_count_half(root):
    values = {SSD: 20.0, "221000011": 20.0, "222000010": 30.0, "223000019": 10.0}
    write_indicators(root, 2024, departements(values))
    s1 = selectors.buyer_position(SSD, 2024, root=root).positions[0]
    assert (s1.rank, s1.ties) == (2, 1)
    assert s1.rank_label == "2e sur 4 départements (ex aequo)"
    assert s1.percentile == pytest.approx(100 * (1 + 0.5) / 3)


def test_unknown_values_are_excluded_and_counted_apart(root):
    values = {SSD: 50.0, "221000011": None, "222000010": 30.0, "223000019": None}
    write_indicators(root, 2024, departements(values))
    s1 = selectors.buyer_position(SSD, 2024, root=root).positions[0]
    assert (s1.rank, s1.peers, s1.distribution.unknown) == (1, 2, 2)
    assert s1.rank_label == "1er sur 2 départements"
    assert s1.percentile == pytest.approx(100.0)


def test_a_buyer_without_value_has_no_rank_never_zero(root):
    values = {SSD: None, "221000011": 12.0, "222000010": 30.0}
    write_indicators(root, 2024, departements(values))
    s1 = selectors.buyer_position(SSD, 2024, root=root).positions[0]
    assert (s1.value, s1.rank, s1.percentile) == (None, None, None)
    assert s1.rank_label == "pas de données"
    assert s1.peers == 2


def test_lower_is_better_for_single_bid_contracts(root):
    values = {SSD: 10.0, "221000011": 40.0, "222000010": 5.0}
    write_indicators(root, 2024, departements(values, code="C3b"))
    c3b = selectors.buyer_position(SSD, 2024, root=root).positions[0]
    assert c3b.rank == 2
    assert c3b.percentile == pytest.approx(50.0)


def test_histogram_bins_cover_every_known_value(root):
    values = {f"22{i:07d}": float(i * 10) for i in range(11)}  # 0, 10, …, 100
    values[SSD] = None
    write_indicators(root, 2024, departements(values))
    dist = selectors.distribution(2024, "S1", "departement", root=root)
    assert [b.count for b in dist.bins] == [1] * 9 + [2]  # 100 % falls in the last bin, with 90 %
    assert sum(b.count for b in dist.bins) == dist.count == 11
    assert dist.unknown == 1
    assert (dist.bins[0].low, dist.bins[-1].high) == (0.0, 100.0)


def test_histogram_of_a_mean_uses_its_own_scale(root):
    values = {"221000011": 1.0, "222000010": 2.5, "223000019": 7.3}
    write_indicators(root, 2024, departements(values, code="C3a"))
    dist = selectors.distribution(2024, "C3a", "departement", root=root)
    assert dist.bins[0].low == 0.0
    assert dist.bins[-1].high >= 7.3
    assert sum(b.count for b in dist.bins) == 3


def test_type_from_buyers_file_or_the_organisation_kind(root):
    write_indicators(root, 2024, departements({"221000011": 12.0, "222000010": 30.0}))
    # not in the indicators file, but buyers.parquet knows it
    write_buyers(root, [(SSD, "Département de la Seine-Saint-Denis", "departement")])
    position = selectors.buyer_position(SSD, 2024, root=root)
    assert (position.found, position.buyer_type, position.name) == (False, "departement", position.name)
    assert position.positions[0].peers == 2
    assert position.positions[0].rank is None
    # unknown to the store: the organisation's kind gives its peers
    other = selectors.buyer_position("999999999", 2024, fallback_type="departement", root=root)
    assert (other.buyer_type, other.type_source) == ("departement", "organisation")
    assert selectors.buyer_position("999999999", 2024, root=root).positions == []


def test_no_store_or_no_year_is_no_data_not_a_crash(root):
    assert selectors.available_years(root) == []
    assert selectors.buyer_position(SSD, root=root) is None
    assert selectors.national_summary(root=root) is None
    write_indicators(root, 2023, departements({SSD: 10.0}))
    assert selectors.buyer_position(SSD, 2024, root=root) is None
    assert selectors.national_summary(2024, root=root) is None
    assert selectors.buyer_position(SSD, root=root).year == 2023  # the latest year by default


def test_national_summary_per_type_and_cache_sees_a_new_file(root):
    rows = [
        *departements({SSD: 18.0, "221000011": 40.0}),
        ("200000001", "region", "S1", 30.0),
        ("200000001", "region", "E1", None),
        ("210000002", "commune", "S1", 2.0),
    ]
    write_indicators(root, 2024, rows)
    summary = selectors.national_summary(2024, root=root)
    assert [t.buyer_type for t in summary.types] == ["departement", "region", "commune"]
    assert summary.buyers == 4
    assert summary.data_date == DATA_DATE
    region = summary.type("region")
    assert [(d.code, d.count, d.unknown) for d in region.distributions] == [("S1", 1, 0), ("E1", 0, 1)]
    by_indicator = {i.code: i for i in summary.indicators}
    assert [d.buyer_type for d in by_indicator["S1"].distributions] == ["departement", "region", "commune"]
    # the file is rewritten (a new computation): the next read sees it
    write_indicators(root, 2024, [*rows, ("221500001", "departement", "S1", 1.0)])
    assert selectors.national_summary(2024, root=root).type("departement").distributions[0].count == 3
