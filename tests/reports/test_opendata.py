"""Open data of a report: CSV (both separators, parsed back), JSON, XLSX (typed); same content, same bytes."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from spaser.reports import opendata
from spaser.reports.content import build_report_content
from tests.reports.conftest import TODAY, YEAR


@pytest.fixture
def content(world):
    content = build_report_content(scheme=world.scheme, year=YEAR, today=TODAY)
    content.update(version=2, status="published", published_on="2026-03-01", erratum="S1 corrigé.")
    return content


def _by_code(rows, key="code"):
    return {row[key]: row for row in rows}


def test_csv_with_commas_parses_back_with_decimal_points(content):
    data = opendata.to_csv(content)
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = _by_code(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows) == ["S1", "E1", "T1"]
    s1 = rows["S1"]
    assert (s1["value"], s1["target"], s1["unknown"], s1["unknown_share"]) == ("18", "22.5", "5", "10")
    assert (s1["report_version"], s1["published_on"], s1["year"]) == ("2", "2026-03-01", "2025")
    assert s1["organisation_siren"] == content["organisation"]["siren"]
    assert s1["national_target"] == "30"
    # No value: an empty cell and the status, never 0.
    assert rows["T1"]["value"] == ""
    assert rows["T1"]["status"] == "Pas de données"


def test_csv_for_french_excel_has_a_bom_semicolons_and_decimal_commas(content):
    data = opendata.to_csv(content, separator=";")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _by_code(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows["S1"]["target"] == "22,5"
    assert rows["S1"]["published_on"] == "01/03/2026"
    with pytest.raises(ValueError, match="Séparateur invalide"):
        opendata.to_csv(content, separator="|")


def test_json_has_the_report_meta_and_exact_numbers(content):
    document = json.loads(opendata.to_json(content), parse_float=Decimal)
    assert document["report"]["version"] == 2
    assert document["report"]["erratum"] == "S1 corrigé."
    values = _by_code(document["values"])
    assert values["S1"]["target"] == Decimal("22.5")
    assert values["S1"]["value"] == 18
    assert values["T1"]["value"] is None


def test_xlsx_explains_the_columns_and_types_the_cells(content):
    book = load_workbook(io.BytesIO(opendata.to_xlsx(content)))
    assert book.sheetnames == ["Lisez-moi", "Valeurs"]
    readme = list(book["Lisez-moi"].iter_rows(values_only=True))
    assert ("Erratum", "S1 corrigé.") in readme
    assert any(row[0] == "Part d'inconnus (%)" for row in readme)
    sheet = book["Valeurs"]
    header = [cell.value for cell in sheet[1]]
    s1 = dict(zip(header, list(sheet[2]), strict=True))
    assert s1["Valeur"].value == 18
    assert s1["Valeur"].number_format.endswith('" %"')
    assert s1["Cible"].value == 22.5
    assert s1["Date des données"].value.date() == date(2026, 1, 12)
    assert s1["Inconnus"].value == 5
    t1 = dict(zip(header, [cell.value for cell in sheet[4]], strict=True))
    assert t1["Valeur"] is None
    assert t1["Statut"] == "Pas de données"


def test_same_content_same_bytes(content):
    for render in (opendata.to_csv, opendata.to_json, opendata.to_xlsx):
        assert render(content) == render(json.loads(json.dumps(content)))
