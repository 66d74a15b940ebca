"""Exports of indicator values: the rows on the hand-computed perimeter (tests/perimeter.py), the three
formats, and their agreement with `spaser compute_indicators --json` on the random world."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from spaser.indicators.catalogue import CATALOGUE
from spaser.indicators.export_formats import COLUMNS, HEADERS, csv_lines, json_chunks, sheet_title
from spaser.indicators.exports import FilterError, Filters, export_rows, parse_filters, scope_labels
from spaser.schemes.models import Frequency

from .world import add_catalogue, build_world

FREQUENCIES = [Frequency.YEARLY, Frequency.QUARTERLY, Frequency.MONTHLY, Frequency.SEMIANNUAL]


def compute(*args) -> list[dict]:
    out = io.StringIO()
    call_command("compute_indicators", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def export(*args) -> str:
    out = io.StringIO()
    call_command("export_indicators", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def rows_of(scheme, **filters):
    return list(export_rows(scheme=scheme, filters=Filters(**filters)))


# -- the hand-computed perimeter -----------------------------------------------------------------------


def test_the_exported_s1_row_is_the_hand_computed_value_with_its_provenance(perimeter):
    compute("--year", "2024")
    rows = {(r.code, r.scope): r for r in rows_of(perimeter, years=(2024,), periods=("A",))}
    s1 = rows[("S1", "organisation")]
    assert (s1.value, s1.numerator, s1.denominator, s1.unknown) == (40, 2, 5, 1)
    assert s1.unknown_share == 20  # 1 unknown among the 5 contracts measured
    assert (s1.target, s1.target_kind, s1.status_label) == (30, "cible de l'année", "Atteint")
    assert s1.national_target == 30
    assert "PNAD" in s1.national_target_source
    assert (s1.year, s1.period, s1.period_label) == (2024, "A", "2024")
    assert s1.scope_label == "Département test"
    assert "notifiés en 2024" in s1.perimeter
    assert s1.data_date is not None
    assert s1.computed_at is not None
    assert (s1.method, s1.method_version) == ("share", "share/1")
    assert s1.params == {"measure": "count", "condition": "has_social"}
    assert s1.axis == "I — Social"
    assert s1.commitment == "I.1 — Clauses"
    s2 = rows[("S2", "organisation")]
    assert s2.value == Decimal("16.6667")
    assert (s2.numerator, s2.denominator) == (100_000, 600_000)
    assert s2.counts_in_euros
    assert not s1.counts_in_euros
    assert s2.unknown_share == Decimal(
        "33.3333"
    )  # contract 3 among the 3 with a usable amount, frameworks apart
    assert s2.status_label == "En retard"  # 16.67 / 25 = 67 % of the target
    assert rows[("S1", "direction:a")].value == 50
    assert rows[("S1", "direction:a")].scope_label == "Direction A"


def test_an_indicator_without_value_appears_once_as_pas_de_donnees(perimeter):
    compute("--year", "2024")
    rows = rows_of(perimeter, years=(2024,))
    s5 = [r for r in rows if r.code == "S5"]
    assert len(s5) == 1
    assert s5[0].value is None
    assert s5[0].numerator is None
    assert s5[0].status_label == "Pas de données"
    assert s5[0].note.startswith("pas de données")
    # Computed indicators before any computation: one « pas de données » row each, never 0.
    fresh = rows_of(perimeter, years=(2027,))
    assert [r.code for r in fresh] == [i.code for i in perimeter.indicators()]  # S5: position 0, like S1
    assert all(r.value is None and r.status == "no_data" for r in fresh)
    assert "compute_indicators" in fresh[0].note


def test_a_year_without_contracts_exports_no_value_not_zero(perimeter):
    compute("--year", "2025")
    s1 = next(r for r in rows_of(perimeter, years=(2025,)) if r.code == "S1")
    assert s1.value is None
    assert s1.denominator == 0
    assert s1.status_label == "Pas de données"
    assert "pas de données" in next(csv.reader(io.StringIO(_csv(perimeter, years=(2025,))[1]), delimiter=";"))


def _csv(scheme, sep=";", **filters) -> list[str]:
    return list(csv_lines(export_rows(scheme=scheme, filters=Filters(**filters)), sep=sep))


def test_csv_french_and_international_variants(perimeter):
    compute("--year", "2024")
    french = _csv(perimeter, years=(2024,), periods=("A",), scopes=("organisation",))
    assert french[0].startswith("\ufeffAxe;Engagement;Code;Indicateur;Unité;Année;Période")
    table = list(csv.DictReader(io.StringIO("".join(french).lstrip("\ufeff")), delimiter=";"))
    s2 = next(row for row in table if row["Code"] == "S2")
    assert s2["Valeur"] == "16,6667"
    assert s2["Numérateur"] == "100000"
    assert s2["Unité"] == "%"
    assert s2["Date des données"].count("/") == 2  # dd/mm/yyyy
    assert next(row for row in table if row["Code"] == "S5")["Valeur"] == "pas de données"
    international = _csv(perimeter, sep=",", years=(2024,), periods=("A",), scopes=("organisation",))
    table = list(csv.DictReader(io.StringIO("".join(international).lstrip("\ufeff"))))
    s2 = next(row for row in table if row["Code"] == "S2")
    assert s2["Valeur"] == "16.6667"
    assert date.fromisoformat(s2["Date des données"])
    assert json.loads(s2["Paramètres de la méthode (JSON)"]) == {
        "condition": "has_social",
        "measure": "amount",
    }
    assert len(table) == 5  # 4 values and the manual S5


def test_json_numbers_are_the_stored_decimals_exactly(perimeter):
    compute("--year", "2024")
    filters = Filters(years=(2024,), scopes=("organisation",))
    text = "".join(
        json_chunks(export_rows(scheme=perimeter, filters=filters), scheme=perimeter, filters=filters)
    )
    assert '"value": 16.6667' in text
    assert '"numerator": 100000' in text
    document = json.loads(text, parse_float=Decimal)
    assert document["scheme"]["slug"] == "spaser-test"
    assert document["filters"] == {"years": [2024], "periods": [], "scopes": ["organisation"]}
    assert datetime.fromisoformat(document["generated_at"]).tzinfo is not None
    s2 = next(v for v in document["values"] if v["code"] == "S2")
    assert s2["value"] == Decimal("16.6667")
    assert s2["target"] == 25
    assert s2["status"] == "off_track"
    assert s2["details"]["accords_cadres"] == 1
    assert s2["unit"] == "percent"
    s5 = next(v for v in document["values"] if v["code"] == "S5")
    assert s5["value"] is None
    assert s5["status"] == "no_data"


def test_xlsx_has_a_readme_then_a_sheet_per_axis_with_formats(perimeter, tmp_path):
    compute("--year", "2024")
    path = tmp_path / "valeurs.xlsx"
    export("--format", "xlsx", "--year", "2024", "--output", str(path))
    book = load_workbook(path)
    assert book.sheetnames == ["Lisez-moi", "I Social"]
    readme = [row[0] for row in book["Lisez-moi"].iter_rows(values_only=True)]
    assert "Schéma" in readme
    assert "Règles de comptage" in readme
    assert "Pourcentages" in readme
    sheet = book["I Social"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "E2"
    assert sheet.auto_filter.ref == f"A1:AB{sheet.max_row}"
    header = {cell.value: cell.column - 1 for cell in sheet[1]}
    rows = list(sheet.iter_rows(min_row=2))
    s2 = next(
        r for r in rows if r[header["Code"]].value == "S2" and r[header["Périmètre"]].value == "organisation"
    )
    assert s2[header["Valeur"]].value == pytest.approx(16.6667)
    assert s2[header["Valeur"]].number_format == '0.0" %"'
    assert s2[header["Numérateur"]].number_format == '#,##0" €"'
    assert isinstance(s2[header["Date des données"]].value, datetime)
    assert isinstance(s2[header["Calculé le"]].value, datetime)
    s5 = next(r for r in rows if r[header["Code"]].value == "S5")
    assert s5[header["Valeur"]].value == "pas de données"


def test_sheet_titles_fit_excel_rules():
    taken = {"lisez-moi"}
    first = sheet_title("II", "Achats [verts] : réemploi/recyclage * des biens ?", taken)
    assert len(first) <= 31
    assert not set(first) & set("[]:*?/\\")
    second = sheet_title("II", "Achats [verts] : réemploi/recyclage * des biens ?", taken)
    assert second != first
    assert len(second) <= 31


# -- filters -------------------------------------------------------------------------------------------


def test_filters_are_checked_in_french(perimeter):
    labels = scope_labels(perimeter)

    def parse(**kwargs):
        return parse_filters(scheme=perimeter, labels=labels, **kwargs)

    assert parse(years=["all"], periods=[""], scopes=[]) == Filters()
    assert parse(periods=["2025-T2"]) == Filters(years=(2025,), periods=("T2",))
    assert parse(periods=["T2", "A"]).periods == ("A", "T2")
    cases = [
        ({"years": ["20x4"]}, 400, "Année invalide"),
        ({"years": ["2031"]}, 404, "hors de la période du schéma"),
        ({"periods": ["T5"]}, 400, "Période invalide"),
        ({"scopes": ["direction:inconnue"]}, 404, "Périmètre inconnu"),
    ]
    for kwargs, status, message in cases:
        with pytest.raises(FilterError, match=message) as raised:
            parse(**kwargs)
        assert raised.value.status == status
    with pytest.raises(FilterError, match="ne donne pas accès") as raised:
        parse(scopes=["direction:a"], allowed_scopes={"organisation"})
    assert raised.value.status == 403
    assert parse(allowed_scopes={"organisation"}).scopes == ("organisation",)


def test_command_refuses_bad_arguments_in_french(perimeter):
    with pytest.raises(CommandError, match="--output est obligatoire"):
        export("--format", "xlsx")
    with pytest.raises(CommandError, match="Séparateur invalide"):
        export("--format", "csv", "--sep", "|")
    with pytest.raises(CommandError, match="Aucun schéma « absent »"):
        export("--format", "csv", "--scheme", "absent")
    with pytest.raises(CommandError, match="Période invalide"):
        export("--format", "json", "--period", "Q1")


# -- the dashboard's figures, the CSV, the JSON, the XLSX and the command line agree -------------------


@pytest.fixture
def world(db):
    return add_catalogue(build_world())


KEY = ("code", "year", "period", "scope")


def test_csv_json_xlsx_and_the_command_line_agree(world, tmp_path):
    cli = compute("--scheme", "monde", "--year", "2024", "--period", "all")
    expected = {tuple(r[k] for k in KEY): r for r in cli}
    manual = {d.code for d in CATALOGUE if not d.computed}

    document = json.loads(export("--format", "json", "--scheme", "monde", "--year", "2024"))
    values = [v for v in document["values"] if v["period"]]
    assert len(values) == len(cli)
    assert sorted(v["code"] for v in document["values"] if not v["period"]) == sorted(manual)
    for value in values:
        figure = expected[tuple(value[k] for k in KEY)]
        for name in (
            "value",
            "numerator",
            "denominator",
            "unknown",
            "method_version",
            "data_date",
            "details",
        ):
            assert value[name] == figure[name], (value["code"], value["period"], value["scope"], name)
        assert value["perimeter"] == figure["perimeter"]

    text = export("--format", "csv", "--scheme", "monde", "--year", "2024", "--sep", ",")
    table = [row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))) if row["Période"]]
    assert len(table) == len(cli)
    for row in table:
        figure = expected[(row["Code"], int(row["Année"]), row["Période"], row["Périmètre"])]
        shown = None if row["Valeur"] == "pas de données" else float(row["Valeur"])
        assert shown == figure["value"]
        assert (float(row["Numérateur"]), float(row["Dénominateur"]), int(row["Inconnus"])) == (
            figure["numerator"], figure["denominator"], figure["unknown"],
        )  # fmt: skip

    path = tmp_path / "monde.xlsx"
    export("--format", "xlsx", "--scheme", "monde", "--year", "2024", "--output", str(path))
    book = load_workbook(path, read_only=True)
    lines = list(book["I Axe"].iter_rows(values_only=True))
    book.close()  # a read-only workbook keeps its file open until closed
    index = {header: n for n, header in enumerate(lines[0])}
    cells = [line for line in lines[1:] if line[index["Période"]]]
    assert len(cells) == len(cli)
    for line in cells:
        figure = expected[tuple(line[index[h]] for h in ("Code", "Année", "Période", "Périmètre"))]
        shown = None if line[index["Valeur"]] == "pas de données" else line[index["Valeur"]]
        assert shown == figure["value"]


def test_values_come_out_in_register_then_period_then_scope_order(world):
    compute("--scheme", "monde", "--year", "2024", "--period", "all")
    rows = rows_of(world, years=(2024,))
    codes = list(dict.fromkeys(r.code for r in rows))
    assert codes == [i.code for i in world.indicators()]
    quarterly = [r for r in rows if r.code == CATALOGUE[1].code and r.scope == "organisation"]
    assert [r.period for r in quarterly][:5] == ["A", "T1", "T2", "T3", "T4"]
    first = [r.scope for r in rows if r.code == "S1" and r.period == "A"]
    assert first[0] == "organisation"
    assert first[1].startswith("buyer:")
    assert first[-1].startswith("direction:")
    assert len(COLUMNS) == len(HEADERS) == 28
