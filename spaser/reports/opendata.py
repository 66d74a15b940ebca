"""The open data of a published report (docs/reports.md): one row per indicator value of the report, with its
provenance (organisation, scheme, year, report version and publication date), as CSV, JSON and XLSX.

Built from the report's content alone (never the database), so a published version gives the same bytes
forever. A missing value is an empty cell (JSON `null`) with the status « Pas de données », never 0. CSV with
« , »: decimal point, ISO dates; with « ; »: decimal comma, a UTF-8 BOM and dd/mm/yyyy dates (French Excel).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from spaser.core.documents import PARIS, xlsx_bytes
from spaser.indicators.export_formats import DATE_FORMAT, EURO_FORMAT, PERCENT_FORMAT, json_value


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key and CSV header
    label: str  # French, for the XLSX header and the column notes
    kind: str  # text, int, number, date
    note: str
    width: int = 14


COLUMNS = [
    Column("organisation_siren", "SIREN de l'organisation", "text", "SIREN de l'organisation qui publie", 12),
    Column("scheme", "Schéma", "text", "identifiant court du schéma (son adresse publique)", 20),
    Column("year", "Année", "int", "année du rapport (valeurs de l'année entière)", 7),
    Column(
        "report_version",
        "Version du rapport",
        "int",
        "version publiée (2 et plus : corrigée, voir l'erratum)",
        8,
    ),
    Column("published_on", "Publié le", "date", "date de publication de cette version", 12),
    Column("axis", "Axe", "text", "axe du schéma (numéro et intitulé)", 30),
    Column("commitment", "Engagement", "text", "engagement du schéma (numéro et intitulé)", 30),
    Column("code", "Code", "text", "code de l'indicateur", 7),
    Column("name", "Indicateur", "text", "intitulé de l'indicateur", 50),
    Column("unit", "Unité", "text", "percent (0 à 100), count, euro (HT), hours, days, tco2e", 8),
    Column("value", "Valeur", "number", "dans l'unité de l'indicateur ; vide quand rien n'est mesurable", 12),
    Column("target", "Cible", "number", "cible de l'année (ou trajectoire, ou dernière cible)", 12),
    Column(
        "status",
        "Statut",
        "text",
        "atteint, en bonne voie, à surveiller, en retard, sans cible, pas de données",
        14,
    ),
    Column(
        "numerator", "Numérateur", "number", "marchés, euros, heures ou personnes comptés au numérateur", 14
    ),
    Column(
        "denominator",
        "Dénominateur",
        "number",
        "base du calcul (marchés mesurés, montants, heures prévues…)",
        14,
    ),
    Column(
        "unknown",
        "Inconnus",
        "int",
        "éléments dont la donnée manque (comptés au dénominateur, jamais comme « non »)",
        10,
    ),
    Column("unknown_share", "Part d'inconnus (%)", "number", "inconnus / éléments mesurés, en %", 10),
    Column("perimeter", "Périmètre des données", "text", "périmètre et source des données de la valeur", 50),
    Column("data_date", "Date des données", "date", "date des données de la valeur", 12),
    Column(
        "method_version",
        "Version de la méthode",
        "text",
        "version de la règle de calcul (une valeur ne se compare qu'à la même version)",
        12,
    ),
    Column(
        "national_target",
        "Cible nationale",
        "number",
        "cible fixée par un texte national, quand il y en a une",
        10,
    ),
]
KEYS = [column.key for column in COLUMNS]


def rows(content: dict) -> list[dict]:
    """One dict per indicator of the report, values as in the content (decimals as strings, ISO dates)."""
    result = []
    for axis in content.get("axes", []):
        for commitment in axis.get("commitments", []):
            for indicator in commitment.get("indicators", []):
                national = indicator.get("national_target") or {}
                result.append(
                    {
                        "organisation_siren": content["organisation"]["siren"],
                        "scheme": content["scheme"]["slug"],
                        "year": content["year"],
                        "report_version": content.get("version"),
                        "published_on": content.get("published_on"),
                        "axis": f"{axis['code']} — {axis['title']}",
                        "commitment": f"{commitment['code']} — {commitment['title']}",
                        "code": indicator["code"],
                        "name": indicator["name"],
                        "unit": indicator["unit"],
                        "value": indicator.get("value"),
                        "target": indicator.get("target"),
                        "status": indicator.get("status_label", ""),
                        "numerator": indicator.get("numerator"),
                        "denominator": indicator.get("denominator"),
                        "unknown": indicator.get("unknown"),
                        "unknown_share": indicator.get("unknown_share"),
                        "perimeter": indicator.get("perimeter", ""),
                        "data_date": indicator.get("data_date"),
                        "method_version": indicator.get("method_version", ""),
                        "national_target": national.get("value"),
                    }
                )
    return result


# -- CSV ----------------------------------------------------------------------------------------------

SEPARATORS = {",": ".", ";": ","}  # separator → decimal mark


def _csv_cell(value, column: Column, french: bool) -> str:
    if value is None or value == "":
        return ""
    if column.kind == "number":
        text = str(value)
        return text.replace(".", ",") if french else text
    if column.kind == "date" and french:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


def to_csv(content: dict, separator: str = ",") -> bytes:
    if separator not in SEPARATORS:
        raise ValueError(f"Séparateur invalide : « {separator} » (attendu : « , » ou « ; »).")
    french = separator == ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(KEYS)
    for row in rows(content):
        writer.writerow([_csv_cell(row[column.key], column, french) for column in COLUMNS])
    return (("\ufeff" if french else "") + buffer.getvalue()).encode("utf-8")


# -- JSON ---------------------------------------------------------------------------------------------


def report_meta(content: dict) -> dict:
    return {
        "schema": content.get("schema"),
        "organisation": content["organisation"],
        "scheme": {"slug": content["scheme"]["slug"], "title": content["scheme"]["title"]},
        "year": content["year"],
        "version": content.get("version"),
        "status": content.get("status"),
        "published_on": content.get("published_on"),
        "erratum": content.get("erratum", ""),
        "data_date": content.get("data_date"),
        "validation": content.get("validation"),
    }


def to_json(content: dict) -> bytes:
    """`{"report": {…}, "values": [rows]}`, numbers as JSON numbers of the content's exact digits (no float
    on the way: the writer of the indicator exports)."""
    values = [
        {key: (Decimal(str(value)) if column.kind == "number" and value not in (None, "") else value)
         for (key, value), column in zip(row.items(), COLUMNS, strict=True)}
        for row in rows(content)
    ]  # fmt: skip
    lines = ",\n    ".join(json_value(value) for value in values)
    text = f'{{\n  "report": {json_value(report_meta(content))},\n  "values": [\n    {lines}\n  ]\n}}\n'
    return text.encode("utf-8")


# -- XLSX ---------------------------------------------------------------------------------------------


def _typed(value, column: Column, unit: str):
    if value is None or value == "":
        return None, None
    if column.kind == "number":
        number = Decimal(str(value))
        if column.key in ("value", "target", "national_target"):
            return number, {"percent": PERCENT_FORMAT, "euro": EURO_FORMAT}.get(unit)
        if column.key == "unknown_share":
            return number, PERCENT_FORMAT
        return number, None
    if column.kind == "date":
        return date.fromisoformat(value), DATE_FORMAT
    return value, None


def to_xlsx(content: dict) -> bytes:
    """A « Lisez-moi » sheet (provenance and columns), then « Valeurs »: one typed row per value."""
    workbook = Workbook()
    readme = workbook.active
    readme.title = "Lisez-moi"
    bold = Font(bold=True)
    scheme, organisation = content["scheme"], content["organisation"]
    lines = [
        [f"Rapport annuel {content['year']} — données ouvertes"],
        [],
        ["Organisation", f"{organisation['name']} (SIREN {organisation['siren']})"],
        ["Schéma", f"{scheme['title']} ({scheme['period_start']}-{scheme['period_end']})"],
        ["Version du rapport", content.get("version") or "brouillon (non publié)"],
        ["Publié le", content.get("published_on") or "non publié"],
        ["Date des données", content.get("data_date") or "inconnue"],
        *([["Erratum", content["erratum"]]] if content.get("erratum") else []),
        [
            "Provenance",
            "valeurs enregistrées dans Spaser pour l'année entière (calcul sur les données essentielles de "
            "la commande publique et les registres internes, ou saisie validée), figées à la publication",
        ],
        [
            "Pas de données",
            "cellule Valeur vide et statut « Pas de données » : rien n'était mesurable (jamais 0)",
        ],
        [],
        ["Colonnes"],
        *([column.label, f"{column.key} : {column.note}"] for column in COLUMNS),
    ]
    for line in lines:
        readme.append(line)
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 28
    readme.column_dimensions["B"].width = 100
    for cell in readme["A"]:
        cell.alignment = Alignment(vertical="top")
        if cell.value and cell.row > 1:
            cell.font = bold

    sheet = workbook.create_sheet("Valeurs")
    sheet.append([column.label for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = bold
    for row in rows(content):
        sheet.append([_typed(row[column.key], column, row["unit"])[0] for column in COLUMNS])
        current = sheet.max_row
        for index, column in enumerate(COLUMNS, start=1):
            _value, number_format = _typed(row[column.key], column, row["unit"])
            if number_format:
                sheet.cell(row=current, column=index).number_format = number_format
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 1)}"

    title = f"Rapport annuel {content['year']} — {scheme['title']}"
    return xlsx_bytes(workbook, title=title, moment=_moment(content))


def _moment(content: dict) -> datetime:
    """The workbook's time stamp: the publication date (the generation time for a draft)."""
    if content.get("published_on"):
        return datetime.fromisoformat(content["published_on"]).replace(hour=12, tzinfo=PARIS)
    if content.get("generated_at"):
        moment = datetime.fromisoformat(content["generated_at"])
        return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
    return datetime(2000, 1, 1, 12, tzinfo=PARIS)
