"""SIRENE stock files: what a pilot sees on suppliers after `spaser import_sirene`."""

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from spaser.suppliers.models import Supplier
from spaser.suppliers.services import import_sirene_files

from .helpers import ESTABLISHMENTS, FCR, POSE, SMABTP, SPIE, SPIE_SAINT_DENIS, UNITS, supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def known():
    return [supplier(siret) for siret in (SPIE, SPIE_SAINT_DENIS, SMABTP, FCR, POSE)]


def test_stock_files_fill_name_category_ess_and_location(known):
    summary = import_sirene_files(paths=[UNITS, ESTABLISHMENTS])

    spie = Supplier.objects.get(identifier=SPIE)
    assert (spie.name, spie.size_category, spie.legal_category) == ("SPIE BATIGNOLLES OUTAREX", "GE", "5710")
    assert spie.is_ess is False  # "N": an explicit no
    assert (spie.commune_code, spie.departement_code, spie.region_code) == ("94028", "94", "11")
    assert spie.enrichment_source.startswith("SIRENE")
    assert spie.enriched_at is not None
    # Another establishment of the same legal unit: same facts, its own location.
    saint_denis = Supplier.objects.get(identifier=SPIE_SAINT_DENIS)
    assert (saint_denis.name, saint_denis.departement_code, saint_denis.commune_name) == (
        "SPIE BATIGNOLLES OUTAREX",
        "93",
        "Saint-Denis",
    )
    smabtp = Supplier.objects.get(identifier=SMABTP)
    assert smabtp.is_ess is True
    assert (smabtp.commune_code, smabtp.departement_code) == ("75108", "75")  # Paris arrondissement → 75
    assert Supplier.objects.get(identifier=POSE).is_ess is None  # column empty: unknown, never "no"
    assert Supplier.objects.get(identifier=FCR).size_category == "PME"

    # Only the known suppliers' rows are kept, and no supplier is created from a national file.
    assert [f.matched for f in summary.files] == [5, 4]  # establishments first, then legal units
    assert summary.created == 0
    assert Supplier.objects.count() == 5


def test_parquet_stock_files_give_the_same_result(known, tmp_path):
    for source in (UNITS, ESTABLISHMENTS):
        codes = {"siren": pa.string(), "siret": pa.string(), "nic": pa.string()}  # INSEE types codes as text
        options = pacsv.ConvertOptions(column_types=codes, strings_can_be_null=True)
        table = pacsv.read_csv(source, convert_options=options)
        pq.write_table(table, tmp_path / f"{source.stem}.parquet")

    import_sirene_files(paths=sorted(tmp_path.glob("*.parquet")))

    spie = Supplier.objects.get(identifier=SPIE)
    assert (spie.name, spie.size_category, spie.departement_code) == ("SPIE BATIGNOLLES OUTAREX", "GE", "94")
    assert Supplier.objects.get(identifier=POSE).is_ess is None
    assert Supplier.objects.get(identifier=SMABTP).is_ess is True


def test_a_silent_source_never_erases_a_known_value(known, tmp_path):
    import_sirene_files(paths=[UNITS])
    assert Supplier.objects.get(identifier=SPIE).size_category == "GE"
    blank = tmp_path / "StockUniteLegale_vide.csv"
    lines = UNITS.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = dict.fromkeys(header, "")
    row["siren"] = SPIE[:9]
    blank.write_text(lines[0] + "\n" + ",".join(row[c] for c in header) + "\n", encoding="utf-8")

    import_sirene_files(paths=[blank])

    spie = Supplier.objects.get(identifier=SPIE)
    assert (spie.name, spie.size_category, spie.is_ess) == ("SPIE BATIGNOLLES OUTAREX", "GE", False)


def test_all_creates_the_suppliers_of_an_extract_and_names_individuals(tmp_path):
    import_sirene_files(paths=[UNITS, ESTABLISHMENTS], only_known=False)

    assert Supplier.objects.count() == 21  # every establishment of the extract
    assert Supplier.objects.get(identifier="21930047200194").legal_category == "7210"


def test_individual_name_and_hidden_name(tmp_path):
    supplier("00032517500065")
    supplier("90123456700011")
    import_sirene_files(paths=[UNITS])
    assert Supplier.objects.get(identifier="00032517500065").name == "THIERRY JANOYER"
    hidden = Supplier.objects.get(identifier="90123456700011")
    assert hidden.name == ""
    assert hidden.size_category == "PME"


def test_command_reports_in_french_and_refuses_other_files(known, tmp_path, capsys):
    call_command("import_sirene", str(UNITS), str(ESTABLISHMENTS))
    out = capsys.readouterr().out
    assert "StockEtablissement) : 5 ligne(s) retenue(s)" in out
    assert "titulaire(s) mis à jour" in out

    other = tmp_path / "marches.csv"
    other.write_text("uid,montant\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="ce n'est pas un fichier stock SIRENE"):
        call_command("import_sirene", str(other))


def test_a_national_size_file_is_streamed_in_flat_memory(tmp_path):
    """100 000 legal units (about 12 MB): reading keeps one row at a time, whatever the file size."""
    import tracemalloc

    from spaser.suppliers.sirene import read_stock

    header = UNITS.read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")
    big = tmp_path / "StockUniteLegale_utf8.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        for number in range(100_000):
            row = dict.fromkeys(columns, "")
            row.update(
                siren=f"{number:09d}", denominationUniteLegale=f"SOCIETE {number}", categorieEntreprise="PME"
            )
            handle.write(",".join(row[c] for c in columns) + "\n")
    tracemalloc.start()
    _kind, rows = read_stock(big, wanted={"000054321"})
    found = list(rows)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [facts.name for _siren, facts in found] == ["SOCIETE 54321"]
    assert peak < 2_000_000  # bytes: far below the file's size
