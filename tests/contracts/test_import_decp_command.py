"""The `spaser import_decp` command: what a user sees."""

import csv
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from spaser.contracts.models import Contract, ImportBatch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


FIXTURES = Path(__file__).parent.parent / "fixtures" / "decp"
MEGALIS = FIXTURES / "megalis_decp-59920013600241-2024-07-09-01.json"
DIRTY = FIXTURES / "dirty_2022.json"


def run(*args):
    out = StringIO()
    call_command("import_decp", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def test_json_output_for_one_file():
    result = json.loads(run(MEGALIS, "--json"))
    assert {
        key: result[key] for key in ("read", "created", "updated", "unchanged", "duplicates", "quarantined")
    } == {
        "read": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 0,
        "quarantined": 0,
    }
    assert result["source"] == MEGALIS.name
    assert result["format"] == "decp-2022"
    assert result["batch"] == ImportBatch.objects.get().pk
    assert result["attributed"] == 0  # no attribution rule for this buyer
    assert result["warnings"] == 5  # the Mégalis sample fails the official schema: kept, with alerts
    assert result["dry_run"] is False
    assert "touched_ids" not in result


def test_json_output_for_several_files_is_a_list():
    result = json.loads(run(MEGALIS, DIRTY, "--json"))
    assert [(item["source"], item["created"], item["quarantined"]) for item in result] == [
        (MEGALIS.name, 5, 0),
        (DIRTY.name, 10, 3),
    ]


def test_french_summary_by_default():
    run(MEGALIS)
    output = run(MEGALIS, DIRTY)
    assert "Import de « megalis_decp-59920013600241-2024-07-09-01.json »" in output
    assert "5 inchangé(s)" in output
    assert "1 doublon(s) écarté(s)" in output
    assert "3 en quarantaine" in output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("absent.json", "Fichier introuvable"),
        ("broken.json", "broken.json.*ligne"),
        ("binaire.json", "binaire.json"),
    ],
)
def test_unreadable_file_is_a_clear_error_and_nothing_is_written(name, message, tmp_path, settings):
    (tmp_path / "binaire.json").write_bytes(bytes(range(256)) * 8)
    path = FIXTURES / name if (FIXTURES / name).exists() or name == "absent.json" else tmp_path / name
    with pytest.raises(CommandError, match=message):
        run(MEGALIS, path)  # a good file first: it must be rolled back too
    assert Contract.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    reports = Path(settings.MEDIA_ROOT) / "imports" / "reports"
    assert not reports.exists() or not any(reports.iterdir())  # no report of an import that did not happen


def test_json_invariant_and_idempotence_on_the_dirty_file():
    first = json.loads(run(DIRTY, "--json"))
    counted = ("created", "updated", "unchanged", "duplicates", "quarantined")
    assert first["read"] == sum(first[key] for key in counted) == 14
    second = json.loads(run(DIRTY, "--json"))
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 10)
    assert second["read"] == sum(second[key] for key in counted)


def test_dry_run_says_so_and_writes_nothing():
    output = run(DIRTY, "--dry-run")
    assert "Essai à blanc" in output
    assert "rien n'a été enregistré" in output
    assert "10 marché(s) créé(s)" in output
    assert Contract.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    result = json.loads(run(DIRTY, "--dry-run", "--json"))
    assert (result["dry_run"], result["batch"], result["created"]) == (True, None, 10)


def test_report_file_for_excel_one_row_per_record_of_every_file(tmp_path):
    report = tmp_path / "rapport.csv"
    output = run(MEGALIS, DIRTY, "--report", report)
    assert f"Rapport ligne à ligne : {report}" in output
    raw = report.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["fichier", "position", "uid", "sort", "motifs", "alertes qualité"]
    assert len(rows) == 1 + 5 + 14
    assert {row[0] for row in rows[1:]} == {MEGALIS.name, DIRTY.name}
    assert [row[3] for row in rows[1:6]] == ["créé"] * 5
    assert sorted({row[3] for row in rows[6:]}) == ["créé", "doublon", "en quarantaine"]


def test_dry_run_report_is_written_too(tmp_path):
    report = tmp_path / "essai.csv"
    run(DIRTY, "--dry-run", "--report", report)
    assert len(report.read_text(encoding="utf-8-sig").splitlines()) == 15
    assert Contract.objects.count() == 0


def test_source_name_is_kept_on_the_batch_and_the_contracts():
    result = json.loads(run(MEGALIS, "--source", "Mégalis Bretagne", "--json"))
    assert result["source_label"] == "Mégalis Bretagne"
    assert ImportBatch.objects.get().source_label == "Mégalis Bretagne"
    assert {tuple(sources) for sources in Contract.objects.values_list("sources", flat=True)} == {
        ("Mégalis Bretagne",)
    }


def test_help_states_the_duplicate_rule():
    from spaser.contracts.management.commands.import_decp import Command

    assert "une source plus ancienne n'écrase jamais" in Command.help
    assert "lus = créés + mis à jour + inchangés + doublons + en quarantaine" in Command.help


def test_user_option_files_the_import_under_that_account():
    pilot = get_user_model().objects.create_user("pilote", password="un-mot-de-passe-long")
    run(MEGALIS, "--user", "pilote")
    assert ImportBatch.objects.get().user == pilot
    with pytest.raises(CommandError, match="aucun compte « inconnu »"):
        run(MEGALIS, "--user", "inconnu")
