"""The observatory's indicators are the app's: contracts of the database written as the store, `compute_all`
gives, for every buyer SIREN and year, exactly what the SQL engine gives on the same contracts."""

import math
from decimal import Decimal

import polars as pl
import pytest

from spaser.contracts.models import Contract
from spaser.indicators.engine import compute
from spaser.indicators.frames import STORE_COLUMNS, contracts_frame
from spaser.indicators.periods import Period
from spaser.observatory import store
from spaser.observatory.compute import INDICATORS_SCHEMA, compute_all, definitions
from tests.indicators.world import SIREN, YEARS, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(settings, tmp_path, db):
    """The world's contracts as the observatory's store (two Parquet files), and a buyers table."""
    settings.DATA_DIR = tmp_path
    build_world()
    frame = contracts_frame(Contract.objects.all(), suppliers=False).select(STORE_COLUMNS)
    store.contracts_dir().mkdir(parents=True)
    half = frame.height // 2
    frame[:half].write_parquet(store.contracts_dir() / "a.parquet")
    frame[half:].write_parquet(store.contracts_dir() / "b.parquet")
    pl.DataFrame(
        {"buyer_siren": [SIREN], "name": ["Département"], "buyer_type": ["departement"],
         "type_source": ["categorie_juridique"], "contracts": [1]},
    ).write_parquet(store.buyers_path())  # fmt: skip
    return frame


def test_every_buyer_and_year_equals_the_sql_engine(national):
    folder = compute_all()
    assert folder == store.indicators_dir()
    assert sorted(path.name for path in folder.iterdir()) == [f"{year}.parquet" for year in YEARS]
    codes = {definition.code for definition in definitions()}
    assert codes >= {"S1", "S2", "S3a", "E1", "E3b", "C3a", "C3b", "C4a", "C4b", "C6", "C7"}
    computed = codes - {"C1", "C1b", "C4c"}  # SME suppliers: not in national data
    newest = national.select(pl.max("publication_date")).item()
    compared = 0
    for year in YEARS:
        rows = pl.read_parquet(store.indicators_path(year))
        assert rows.schema == INDICATORS_SCHEMA
        assert set(rows["code"]) == computed
        assert set(rows["data_date"]) == {newest}
        types = dict(zip(rows["buyer_siren"], rows["buyer_type"], strict=True))
        assert types.pop(SIREN) == "departement"
        assert set(types.values()) == {None}  # no row in buyers.parquet: type unknown
        for row in rows.iter_rows(named=True):
            contracts = Contract.objects.filter(buyer_siret__startswith=row["buyer_siren"])
            definition = next(d for d in definitions() if d.code == row["code"])
            expected = compute(definition.method, definition.params, contracts, Period(year))
            if expected.value is None:
                assert row["value"] is None
            else:
                assert math.isclose(row["value"], float(expected.value), rel_tol=1e-12), row
            assert Decimal(str(row["numerator"])) == expected.numerator.quantize(Decimal("0.01")), row
            assert row["denominator"] == float(expected.denominator), row
            assert row["unknown"] == expected.unknown, row
            assert row["method_version"] == expected.method_version
            compared += 1
    assert compared == 3 * len(YEARS) * len(computed)


def test_one_year_writes_one_file(national):
    path = compute_all(year=2024)
    assert path == store.indicators_path(2024)
    assert [p.name for p in store.indicators_dir().iterdir()] == ["2024.parquet"]
    rows = pl.read_parquet(path)
    assert set(rows["year"]) == {2024}
    s1 = rows.filter(code="S1", buyer_siren=SIREN).row(0, named=True)
    expected = compute("share", {"measure": "count", "condition": "has_social"},
                       Contract.objects.filter(buyer_siret__startswith=SIREN), Period(2024))  # fmt: skip
    assert (s1["numerator"], s1["denominator"], s1["unknown"]) == (
        float(expected.numerator), float(expected.denominator), expected.unknown,
    )  # fmt: skip


def test_an_empty_store_says_what_to_do(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(store.EmptyStore, match="observatory_ingest"):
        compute_all()
