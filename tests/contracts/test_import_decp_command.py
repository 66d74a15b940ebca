"""The `spaser import_decp` command: what a user sees."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from spaser.contracts.models import Contract, ImportBatch

pytestmark = pytest.mark.django_db

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
        ("broken.json", "JSON invalide dans .*broken.json.*ligne 2"),
        ("v2019_small.json", "v2019_small.json.*format DECP 2019"),
    ],
)
def test_unreadable_file_is_a_clear_error_and_nothing_is_written(name, message):
    with pytest.raises(CommandError, match=message):
        run(MEGALIS, FIXTURES / name)  # a good file first: it must be rolled back too
    assert Contract.objects.count() == 0
    assert ImportBatch.objects.count() == 0
