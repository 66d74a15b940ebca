"""Issue 8's « done when », end to end through the commands and the pages:

1. the demo organisation's dashboard shows its position among départements from an ingested generated national
   file, with the demo's own contracts (its DECP file, which `load_demo` writes) — rank and count recomputed
   here from the indicators file, its figures equal to the demo's own dashboard values;
2. for one buyer, the observatory's figures equal `spaser compute_indicators --buyer` on the same contracts.
"""

from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import orjson
import polars as pl
import pytest
from django.core.management import call_command

from spaser.contracts.models import Contract, ContractOrigin
from spaser.demo.users import DEMO_PASSWORD
from spaser.indicators.models import IndicatorValue
from spaser.observatory import store
from spaser.organisations.models import Organisation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate_national import DEMO_SIREN, write_national

FIXTURES = Path(__file__).parent / "fixtures"
DIRTY = Path(__file__).parents[1] / "fixtures" / "decp" / "dirty_2022.json"
DEMO_FILE = "decp-2022-seine-saint-denis-demo.json"  # written by load_demo in DATA_DIR/demo
NATIONAL_CONTRACTS = 4_000  # enough départements with 2024 contracts to rank among (about 30)


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def shown(value: float) -> str:
    """A rate as every page of Spaser writes it: one decimal, decimal comma, narrow space, « % »."""
    return f"{Decimal(repr(value)):.1f}".replace(".", ",") + "\u202f%"


# -- 1. the demo's dashboard among the départements --------------------------------------------------------


def test_generated_national_file_can_leave_out_the_buyers_with_their_own_file(tmp_path):
    written = write_national(tmp_path, 600, seed=5, tabular=False, exclude_sirens=[DEMO_SIREN])
    records = orjson.loads(Path(written["json"]).read_bytes())["marches"]
    buyers = {r["acheteur"]["id"][:9] for r in records["marche"]}
    buyers |= {r["autoriteConcedante"]["id"][:9] for r in records["contrat-concession"]}
    assert DEMO_SIREN not in buyers
    assert written["contracts"] == 600  # the same count, drawn from the other buyers
    assert any(siren.startswith("22") for siren in buyers)  # other départements are still there
    with_demo = write_national(tmp_path / "all", 600, seed=5, tabular=False)
    assert with_demo["buyers"] == written["buyers"] + 1


@pytest.fixture
def demo_among_the_nation(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    run("load_demo")
    national = write_national(
        tmp_path / "national", NATIONAL_CONTRACTS, seed=2024, tabular=False, exclude_sirens=[DEMO_SIREN]
    )
    demo_file = settings.DATA_DIR / "demo" / DEMO_FILE
    output = run("observatory_ingest", str(demo_file), national["json"])
    return output


def test_the_demo_dashboard_shows_its_position_among_departements(demo_among_the_nation, client):
    assert "Indicateurs de tous les acheteurs recalculés" in demo_among_the_nation
    # The demo's contracts come from its own file only.
    sources = store.scan().filter(pl.col("buyer_siren") == DEMO_SIREN).select("source").unique().collect()
    assert sources["source"].to_list() == [DEMO_FILE]

    year, code = 2024, "S1"
    figures = pl.read_parquet(store.indicators_path(year))
    organisation = Organisation.objects.get(siren=DEMO_SIREN)
    own_values = {
        value.indicator.code: value
        for value in IndicatorValue.objects.filter(
            indicator__commitment__axis__scheme__organisation=organisation,
            year=year,
            period="A",
            scope="organisation",
        ).select_related("indicator")
    }
    own = {row["code"]: row for row in figures.filter(pl.col("buyer_siren") == DEMO_SIREN).to_dicts()}
    assert own[code]["buyer_type"] == "departement"

    # Same contracts, same rules: every figure the observatory computes for the demo equals its dashboard's.
    assert {"S1", "S2", "E1", "E2", "C3a", "C6"} <= set(own)
    for indicator, row in own.items():
        app = own_values[indicator]
        assert (app.numerator, app.denominator, app.unknown) == (
            Decimal(repr(row["numerator"])),
            Decimal(repr(row["denominator"])),
            row["unknown"],
        ), indicator
        assert app.value == Decimal(repr(row["value"])).quantize(app.value), indicator

    # Rank and count recomputed from the indicators file: the départements with a known value.
    peers = figures.filter(
        (pl.col("code") == code)
        & (pl.col("buyer_type") == "departement")
        & pl.col("value").is_not_null()
        & pl.col("value").is_not_nan()
    )
    value = own[code]["value"]
    others = peers.filter(pl.col("buyer_siren") != DEMO_SIREN)["value"]
    rank = int((others > value).sum()) + 1
    tied = int((others == value).sum())
    count = peers.height
    assert count >= 20, count  # enough départements to be ranked among
    label = f"{rank}{'er' if rank == 1 else 'e'} sur {count} départements" + (" (ex aequo)" if tied else "")

    client.login(username="pilote", password=DEMO_PASSWORD)
    page = client.get(f"/tableau-de-bord/?annee={year}").content.decode()
    block = page[page.index('class="observatory-position"') :]
    block = block[: block.index("</table>")]
    assert f"parmi les départements, {year}" in block
    row = block[block.index(f'<th scope="row">{code} — ') :]
    row = row[: row.index("</tr>")]
    assert label in row, (label, re.sub(r"\s+", " ", row))
    assert shown(value) in row
    assert shown(float(own_values[code].value)) in row  # the dashboard's own figure, the same

    # 2025 differs by one contract: the app also counts the organisation's internal register (contracts under
    # the DECP threshold, never published), which national data cannot see — the only difference.
    unpublished = Contract.objects.for_organisation(organisation).filter(notification_year=2025)
    unpublished = unpublished.exclude(origin=ContractOrigin.DECP).count()
    assert unpublished == 1
    later = pl.read_parquet(store.indicators_path(2025)).filter(pl.col("buyer_siren") == DEMO_SIREN)
    for row in later.filter(pl.col("code").is_in(["S1", "E1", "C6"])).to_dicts():
        app = IndicatorValue.objects.get(
            indicator__code=row["code"], year=2025, period="A", scope="organisation"
        )
        assert app.denominator - Decimal(repr(row["denominator"])) == unpublished, row["code"]
        assert app.numerator == Decimal(repr(row["numerator"])), row["code"]


# -- 2. one buyer: the observatory equals compute_indicators --buyer ---------------------------------------

# (file, SIREN, year): the Région Normandie's 2019 contracts in a real 2019-format file (50 of its 55 records
# notified that year; no considerations in that format: unknown), and the Seine-Saint-Denis' hand-made 2022
# file with the traps of real data (considerations absent vs explicit no, duplicates, odd spellings).
BUYERS = [
    (FIXTURES / "e-marchespublics_2019-04-03.json", "200053403", 2019),
    (DIRTY, "229300082", 2024),
]


@pytest.mark.parametrize(("path", "siren", "year"), BUYERS, ids=["region-normandie-2019", "dirty-2022"])
def test_observatory_figures_equal_compute_indicators_for_one_buyer(
    db, settings, tmp_path, path, siren, year
):
    settings.DATA_DIR = tmp_path / "data"
    run("import_decp", str(path))
    app = {
        row["code"]: row
        for row in json.loads(run("compute_indicators", "--buyer", siren, "--year", str(year), "--json"))
    }
    run("observatory_ingest", str(path))
    national = json.loads(run("observatory_indicators", "--siren", siren, "--year", str(year), "--json"))
    observed = {item["code"]: item for item in national["indicators"] if item["denominator"] is not None}

    common = set(app) & set(observed)
    assert {"S1", "E1", "C3a", "C6"} <= common, sorted(common)
    for code in sorted(common):
        mine, theirs = app[code], observed[code]
        assert (mine["numerator"], mine["denominator"], mine["unknown"]) == (
            theirs["numerator"],
            theirs["denominator"],
            theirs["unknown"],
        ), code
        assert mine["value"] == theirs["value"], code
