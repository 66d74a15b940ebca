"""Buyer types: the INSEE legal category when known (suppliers' SIRENE data, SIRENE files), else the numbering
rule of public bodies' SIRENs, else unknown — and `type_source` always says which."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from spaser.observatory import buyer_types, store
from spaser.observatory.ingest import IngestError, ingest
from spaser.suppliers.models import Supplier

REFERENCE = Path(__file__).parents[2].parent / "shared" / "data" / "reference" / "categories_juridiques.csv"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("siren", "expected"),
    [
        ("229300082", ("departement", "prefixe_siren")),  # the demo Département (Seine-Saint-Denis)
        ("222400012", ("departement", "prefixe_siren")),  # Dordogne: 22 + its code
        ("237500079", ("region", "prefixe_siren")),  # Île-de-France
        ("217500016", ("commune", "prefixe_siren")),  # Paris
        ("243300316", ("intercommunalite", "prefixe_siren")),  # Bordeaux Métropole
        ("200053403", ("autre_public", "prefixe_siren")),  # Normandie: 2016 regions are 20…, not readable
        ("267500452", ("autre_public", "prefixe_siren")),  # AP-HP: 26… is not asserted to be a hospital
        ("110044013", ("etat", "prefixe_siren")),
        ("552100554", ("autre", "prefixe_siren")),  # a company
        ("", ("autre", "inconnu")),
        ("22930008", ("autre", "inconnu")),
        ("2293000AB", ("autre", "inconnu")),
    ],
)
def test_type_from_the_siren_alone(siren, expected):
    assert buyer_types.buyer_type(siren) == expected


def test_the_legal_category_wins_over_the_prefix():
    assert buyer_types.buyer_type("200053403", "7230") == ("region", "categorie_juridique")
    assert buyer_types.buyer_type("267500452", "7364") == ("hopital", "categorie_juridique")
    assert buyer_types.buyer_type("200054781", "7344") == ("intercommunalite", "categorie_juridique")
    assert buyer_types.buyer_type("130005481", "7389") == ("etat", "categorie_juridique")
    assert buyer_types.buyer_type("228850019", "7372") == ("autre_public", "categorie_juridique")  # a SDIS
    assert buyer_types.buyer_type("552100554", "5710") == ("autre", "categorie_juridique")


def test_the_reference_table_matches_the_insee_nomenclature():
    table = buyer_types.category_types()
    assert set(table.values()) <= set(store.BUYER_TYPES)
    expected = {"7210": "commune", "7220": "departement", "7230": "region", "7364": "hopital"}
    assert {code: table[code] for code in expected} == expected
    assert table["7343"] == table["7344"] == table["7346"] == table["7348"] == "intercommunalite"
    assert all(table[code] == "etat" for code in table if code.startswith("71"))
    if REFERENCE.exists():  # beside the clone, as in CI
        with REFERENCE.open(encoding="utf-8") as handle:
            labels = {row["code"]: row["libelle"] for row in csv.DictReader(handle)}
        with buyer_types.DATA.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert labels[row["code"]] == row["libelle"]
        public = {code for code in labels if code.startswith("7")}
        assert public <= set(table)  # every public category has a type


@pytest.mark.django_db
def test_ingest_types_buyers_from_suppliers_sirene_data_and_files(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    # The Mégalis buyer (SIREN 599200136, not a public numbering): its category from the suppliers' data.
    Supplier.objects.create(identifier="59920013600241", siren="599200136", legal_category="7354")
    megalis = FIXTURES / "megalis_decp-59920013600241-2024-07-09-01.json"
    ingest([megalis, FIXTURES / "e-marchespublics_2019-04-03_40.json"])
    buyers = {row["buyer_siren"]: row for row in pl.read_parquet(store.buyers_path()).iter_rows(named=True)}
    assert buyers["599200136"]["buyer_type"] == "intercommunalite"
    assert buyers["599200136"]["type_source"] == "categorie_juridique"
    sdis = buyers["288500010"]  # SDIS de la Vendée (2019 file): a public numbering, kind not readable
    assert (sdis["buyer_type"], sdis["type_source"]) == ("autre_public", "prefixe_siren")
    assert sdis["name"] == "SDIS de la Vendée"

    sirene = tmp_path / "StockUniteLegale_extrait.csv"
    sirene.write_text(
        "siren,denominationUniteLegale,categorieJuridiqueUniteLegale\n"
        "288500010,SDIS DE LA VENDEE,7372\n599200136,SYNDICAT MEGALIS BRETAGNE,7355\n",
        encoding="utf-8",
    )
    ingest([], sirene_files=[sirene])  # types only: the contracts stay
    buyers = {row["buyer_siren"]: row for row in pl.read_parquet(store.buyers_path()).iter_rows(named=True)}
    assert (buyers["288500010"]["buyer_type"], buyers["288500010"]["type_source"]) == (
        "autre_public",
        "categorie_juridique",
    )
    assert buyers["599200136"]["type_source"] == "categorie_juridique"
    assert sum(row["contracts"] for row in buyers.values()) == 5 + 39

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("siret,categorie\n28850001000013,7372\n", encoding="utf-8")
    before = store.buyers_path().read_bytes()
    with pytest.raises(IngestError, match="colonne\\(s\\) absente\\(s\\) : siren"):
        ingest([], sirene_files=[wrong])
    assert store.buyers_path().read_bytes() == before
