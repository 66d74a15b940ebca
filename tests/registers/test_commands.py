"""`spaser import_register` and `spaser import_insertion`: French summaries, JSON, result file, saved
mappings, and a clear error that leaves the database unchanged."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from spaser.contracts.models import Contract, ImportBatch
from spaser.registers.models import ColumnMapping, InsertionHours

from .conftest import BUYER, REGISTERS

CP1252 = REGISTERS / "registre_marches_cp1252.csv"


@pytest.fixture
def run(register):
    """Runs a command for the test organisation (build_register makes two: --organisation is required)."""

    def call(*args):
        out = StringIO()
        call_command(*args, "--organisation", register.organisation.slug, stdout=out)
        return out.getvalue()

    return call


def test_import_register_json_is_idempotent(run, register, decp):
    first = json.loads(run("import_register", str(CP1252), "--json"))
    assert {k: first[k] for k in ("read", "created", "updated", "unchanged", "rejected")} == {
        "read": 7,
        "created": 1,
        "updated": 3,
        "unchanged": 0,
        "rejected": 3,
    }
    second = json.loads(run("import_register", str(CP1252), "--json"))
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 4)


def test_import_register_french_summary_and_report(run, register, decp, tmp_path):
    report = tmp_path / "resultat.csv"
    output = run("import_register", str(CP1252), "--dry-run", "--report", str(report))
    assert output.startswith("Essai à blanc (rien n'est enregistré) — registre_marches_cp1252.csv : ")
    assert "7 ligne(s) lue(s)" in output
    assert "ligne 9, colonne « Date de notification » : « 31/02/2024 » n'est pas une date" in output
    assert not Contract.objects.filter(contract_id="REG-2024-001").exists()
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["ligne", "résultat", "marché", "message"]
    assert len(rows) == 8


def test_saved_mapping_is_used_by_name(run, register, decp, tmp_path):
    path = tmp_path / "export_achat.csv"
    path.write_text("Code;Fin prévue\nH9O2024T0000356;31/12/2024\n", encoding="utf-8")
    with pytest.raises(CommandError, match="numéro de marché"):
        run("import_register", str(path))
    ColumnMapping.objects.create(
        organisation=register.organisation,
        kind="contracts",
        name="Export du système d'achat",
        mapping={"contract_id": "Code", "end_date": "Fin prévue"},
    )
    output = run("import_register", str(path), "--mapping", "Export du système d'achat")
    assert "1 mis à jour" in output
    assert str(Contract.objects.get(uid=f"{BUYER}H9O2024T0000356").end_date) == "2024-12-31"
    with pytest.raises(CommandError, match="Correspondance « Autre » inconnue"):
        run("import_register", str(path), "--mapping", "Autre")


def test_invalid_file_is_a_command_error_and_nothing_changes(run, register, decp, tmp_path):
    path = tmp_path / "registre.xlsx"
    path.write_bytes(b"PK\x03\x04tronque")
    before = (Contract.objects.count(), ImportBatch.objects.count())
    with pytest.raises(CommandError) as error:
        run("import_register", str(path))
    assert "« registre.xlsx » n'est pas un classeur Excel lisible" in str(error.value)
    assert "Rien n'a été enregistré." in str(error.value)
    assert (Contract.objects.count(), ImportBatch.objects.count()) == before


def test_import_insertion_command(run, register, decp):
    output = run("import_insertion", str(REGISTERS / "insertion_facilitateur.csv"))
    assert "7 ligne(s) lue(s)" in output
    assert "ligne 7 : marché inconnu" in output
    assert InsertionHours.objects.count() == 3


def test_organisation_must_be_named_when_there_are_several(register):
    with pytest.raises(CommandError, match="Indiquez l'organisation avec --organisation SLUG"):
        call_command("import_register", str(CP1252), stdout=StringIO())
