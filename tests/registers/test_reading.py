"""Reading register files: encodings, delimiters, workbooks and their sheets, French values, header
synonyms."""

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from spaser.registers.mapping import header_score, propose_mapping
from spaser.registers.tables import TableError, read_table
from spaser.registers.values import (
    CellError,
    parse_amount,
    parse_date,
    parse_reserved_article,
    parse_siret,
)

from .conftest import REGISTERS


def test_cp1252_semicolon_file_with_a_title_above_the_headers():
    table = read_table(REGISTERS / "registre_marches_cp1252.csv", header_score=header_score("contracts"))
    assert (table.encoding, table.delimiter, table.header_line) == ("cp1252", ";", 3)
    assert table.headers[0] == "N° de marché"
    assert table.rows[3][2] == "Entretien des espaces verts des collèges"
    assert len(table.rows) == 7  # the trailing blank line is not a row


def test_utf8_bom_comma_file():
    table = read_table(REGISTERS / "registre_marches_bom.csv", header_score=header_score("contracts"))
    assert (table.encoding, table.delimiter, table.header_line) == ("utf-8-sig", ",", 1)
    assert table.headers[0] == "Numéro marché"  # no BOM left in the first header
    assert table.rows[0][1] == "Confortement de la charpente, lot 4"


def test_tab_delimited_and_forced_options(tmp_path):
    path = tmp_path / "registre.txt"
    path.write_bytes("Numéro marché\tDate de fin\nA-1\t31/12/2025\n".encode("cp1252"))
    assert read_table(path).delimiter == "\t"
    with pytest.raises(TableError, match="ne se lit pas en ascii"):
        read_table(REGISTERS / "registre_marches_cp1252.csv", encoding="ascii")


def test_workbook_lists_its_sheets_and_reads_the_chosen_one(tmp_path):
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Export du système d'achat"])
    sheet = workbook.create_sheet("Marchés 2024")
    sheet.append(["Registre des marchés 2024"])
    sheet.append([])
    sheet.append(["N° de marché", "Date de fin", "Montant estimé", "Date limite de reconduction"])
    sheet.append(["H9O2024T0000356", datetime(2025, 3, 31), 1234.5, 45658])
    path = tmp_path / "registre.xlsx"
    workbook.save(path)

    table = read_table(path, sheet="Marchés 2024", header_score=header_score("contracts"))
    assert table.sheets == ["Notes", "Marchés 2024"]
    assert (table.format, table.sheet, table.header_line) == ("xlsx", "Marchés 2024", 3)
    assert parse_date(table.rows[0][1]) == date(2025, 3, 31)
    assert parse_amount(table.rows[0][2]) == Decimal("1234.50")
    assert parse_date(table.rows[0][3]) == date(2025, 1, 1)  # an Excel serial date
    with pytest.raises(TableError, match="n'a pas de feuille « Feuil1 »"):
        read_table(path, sheet="Feuil1")


def test_zip_bomb_workbook_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (210 * 1024 * 1024))
    with pytest.raises(TableError, match="se décompresse en plus de 200 Mo"):
        read_table(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56", Decimal("1234.56")),
        ("1\u202f234,56 €", Decimal("1234.56")),
        ("1234.56", Decimal("1234.56")),
        ("1.234.567,5", Decimal("1234567.50")),
        ("1,234.5", Decimal("1234.50")),
        ("48 500 € HT", Decimal("48500.00")),
        (12, Decimal("12.00")),
    ],
)
def test_french_numbers(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12 k€", "« 12 k€ » n'est pas un montant exact"),
        ("1,2 M€", "multiplicateurs"),
        ("environ 12", "« environ 12 » n'est pas un montant"),
        ("-5", "ne peut pas être négatif"),
    ],
)
def test_refused_numbers(text, message):
    with pytest.raises(CellError, match=message):
        parse_amount(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/12/2025", date(2025, 12, 31)),
        ("1/2/25", date(2025, 2, 1)),
        ("31.12.2025", date(2025, 12, 31)),
        ("2025-12-31", date(2025, 12, 31)),
        ("2025-12-31T00:00:00", date(2025, 12, 31)),
        ("45658", date(2025, 1, 1)),
        (45658.0, date(2025, 1, 1)),
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2025", "demain", "2025-13-01", 12.5, 99])
def test_impossible_dates_are_errors(value):
    with pytest.raises(CellError, match="n'est pas une date"):
        parse_date(value)


def test_siret_reserved_article_and_header_synonyms():
    assert parse_siret("599 200 136 00241") == "59920013600241"
    assert parse_siret("35600000000048") == "35600000000048"  # La Poste: fails Luhn, legitimately
    with pytest.raises(CellError, match="clé de contrôle"):
        parse_siret("59920013600242")
    assert parse_reserved_article("L. 2113-13") == "L2113-13"
    assert parse_reserved_article("article L2113-15 du CCP") == "L2113-15"
    assert parse_reserved_article("Non") == ""
    with pytest.raises(CellError, match="L2113-12, L2113-13 ou L2113-15"):
        parse_reserved_article("oui")
    headers = ["Numéro du marché", "SIRET de l'acheteur", "OBJET", "Date limite de reconduction", "Montant"]
    assert propose_mapping(headers, kind="contracts") == {
        "contract_id": "Numéro du marché",
        "buyer_siret": "SIRET de l'acheteur",
        "object": "OBJET",
        "renewal_deadline": "Date limite de reconduction",
        "amount": "Montant",
    }
