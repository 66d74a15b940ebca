"""`spaser generate_report`: each format, published / --version / --draft, French errors writing nothing."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from spaser.reports import services
from tests.reports.conftest import TODAY, YEAR, store

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def report(world, django_capture_on_commit_callbacks):
    report = services.report_generate(scheme=world.scheme, year=YEAR, user=world.pilot, today=TODAY)
    report = services.report_validate(report=report, decision=world.decision, user=world.pilot)
    with django_capture_on_commit_callbacks(execute=True):
        return services.report_publish(report=report, user=world.pilot, today=date(2026, 3, 1))


def test_published_version_by_default_in_each_format(world, report, tmp_path):
    store(world.s1, YEAR, "29", numerator="29", denominator="100")  # after publication: not in the report
    out, _err = run("--year", str(YEAR), "--format", "json")
    document = json.loads(out)
    assert document["report"]["version"] == 1
    assert next(v for v in document["values"] if v["code"] == "S1")["value"] == 18
    out, _err = run("--year", str(YEAR), "--format", "csv", "--separator", ";")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    assert rows[0]["code"] == "S1"
    assert rows[0]["target"] == "22,5"
    out, _err = run("--year", str(YEAR), "--format", "html", "--scheme", world.scheme.slug)
    assert out.lstrip().lower().startswith("<!doctype html")
    assert "2025" in out
    path = tmp_path / "rapport.xlsx"
    out, _err = run("--year", str(YEAR), "--format", "xlsx", "--output", str(path))
    assert "version 1" in out
    assert load_workbook(path).sheetnames == ["Lisez-moi", "Valeurs"]
    path = tmp_path / "rapport.pdf"
    run("--year", str(YEAR), "--format", "pdf", "--output", str(path), "--version", "1")
    assert path.read_bytes().startswith(b"%PDF")


def test_draft_is_the_live_content(world, report):
    store(world.s1, YEAR, "29", numerator="29", denominator="100")
    out, _err = run("--year", str(YEAR), "--format", "json", "--draft")
    document = json.loads(out)
    assert document["report"]["version"] is None
    assert next(v for v in document["values"] if v["code"] == "S1")["value"] == 29


def test_nothing_published_says_so_on_stderr(world):
    out, err = run("--year", str(YEAR), "--format", "csv")
    assert "Aucun rapport 2025 publié" in err
    assert out.startswith("organisation_siren,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheme", "inconnu"], "Schéma inconnu"),
        (["--year", "2019"], "hors de la période"),
        (["--version", "3"], "pas de version 3 publiée"),
        (["--format", "pdf"], "indiquez le fichier"),
        (["--separator", "|"], "Séparateur invalide"),
    ],
)
def test_errors_write_nothing(world, report, tmp_path, args, message):
    options = {"--year": str(YEAR), "--format": "csv", "--output": str(tmp_path / "out.csv")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        options[flag] = value
    if "--format" in args and "pdf" in args:
        options.pop("--output")
    with pytest.raises(CommandError, match=message):
        run(*[part for pair in options.items() for part in pair])
    assert not (tmp_path / "out.csv").exists()
