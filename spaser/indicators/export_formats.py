"""The three formats of the indicator export (docs/exports.md): the columns, then the CSV, JSON and XLSX
writers. They only format the rows of `exports.export_rows`, so the three files say the same thing.

Numbers are never rounded here: the stored Decimals are written as they are (XLSX and CSV as numbers, JSON
as number literals made from the Decimal's own digits, never through a float).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from spaser.schemes.models import Scheme, Unit

from .exports import NO_DATA_TEXT, PERIOD_KEYS_HELP, ExportRow, FilterError, Filters

# -- columns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str  # French, the CSV and XLSX header
    field: str  # ExportRow attribute, also the JSON key
    kind: str = "text"  # text, int, value (in the indicator's unit), counts, percent, date, datetime, json
    width: int = 14


COLUMNS = [
    Column("Axe", "axis", width=30),
    Column("Engagement", "commitment", width=30),
    Column("Code", "code", width=7),
    Column("Indicateur", "name", width=50),
    Column("Unité", "unit_label", width=8),
    Column("Année", "year", "int", 7),
    Column("Période", "period", width=8),
    Column("Libellé de la période", "period_label", width=24),
    Column("Périmètre", "scope", width=24),
    Column("Libellé du périmètre", "scope_label", width=30),
    Column("Valeur", "value", "value", 14),
    Column("Cible de la période", "target", "value", 12),
    Column("Nature de la cible", "target_kind", width=22),
    Column("Statut", "status_label", width=14),
    Column("Cible nationale", "national_target", "value", 10),
    Column("Source de la cible nationale", "national_target_source", width=40),
    Column("Numérateur", "numerator", "counts", 16),
    Column("Dénominateur", "denominator", "counts", 16),
    Column("Inconnus", "unknown", "int", 10),
    Column("Part d'inconnus (%)", "unknown_share", "percent", 10),
    Column("Périmètre des données", "perimeter", width=60),
    Column("Date des données", "data_date", "date", 12),
    Column("Version de la méthode", "method_version", width=12),
    Column("Méthode", "method", width=10),
    Column("Paramètres de la méthode (JSON)", "params", "json", 40),
    Column("Détail du calcul (JSON)", "details", "json", 40),
    Column("Calculé le", "computed_at", "datetime", 17),
    Column("Observation", "note", width=50),
]
HEADERS = [column.header for column in COLUMNS]
UNIT_NOTES = {
    Unit.PERCENT: "pourcentage de 0 à 100 (40 = 40 %)",
    Unit.COUNT: "nombre (marchés, personnes, actions… ; une moyenne garde ses décimales)",
    Unit.EURO: "euros hors taxes",
    Unit.HOURS: "heures",
    Unit.DAYS: "jours",
    Unit.TCO2E: "tonnes équivalent CO2",
}


def decimal_text(value: Decimal) -> str:
    """The Decimal's own digits, without exponent nor trailing zeros: « 16.6667 », « 40 », « 100000.5 »."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# -- CSV ---------------------------------------------------------------------------------------------

SEPARATORS = {";": ",", ",": "."}  # separator → decimal mark (French Excel: « ; » and a decimal comma)


def check_separator(sep: str) -> str:
    if sep not in SEPARATORS:
        raise FilterError(f"Séparateur invalide : « {sep} » (attendu : « ; » ou « , »).")
    return sep


def _csv_cell(row: ExportRow, column: Column, sep: str) -> str:
    value = getattr(row, column.field)
    if value is None:
        return NO_DATA_TEXT if column.field == "value" else ""
    french = sep == ";"
    if isinstance(value, Decimal):
        text = decimal_text(value)
        return text.replace(".", ",") if french else text
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return local.strftime("%d/%m/%Y %H:%M") if french else local.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if french else value.isoformat()
    if column.kind == "json":
        return _json_text(value)
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[ExportRow], *, sep: str = ";") -> Iterator[str]:
    """One line per value, UTF-8 BOM first (Excel then reads the accents right)."""
    check_separator(sep)
    writer = csv.writer(_Echo(), delimiter=sep, lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(HEADERS)
    for row in rows:
        yield writer.writerow([_csv_cell(row, column, sep) for column in COLUMNS])


# -- JSON --------------------------------------------------------------------------------------------


def json_value(value: Any) -> str:
    """JSON text, Decimals as number literals of their own digits (exact: no float on the way)."""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return json.dumps(timezone.localtime(value).isoformat(timespec="seconds"))
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {json_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(json_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


JSON_FIELDS = [
    "axis", "commitment", "code", "name", "unit", "unit_label", "year", "period", "period_label", "scope",
    "scope_label", "value", "target", "target_kind", "status", "status_label", "national_target",
    "national_target_source", "numerator", "denominator", "unknown", "unknown_share", "perimeter",
    "data_date", "method_version", "method", "params", "details", "computed_at", "note",
]  # fmt: skip


def scheme_summary(scheme: Scheme) -> dict[str, Any]:
    return {
        "slug": scheme.slug,
        "title": scheme.title,
        "organisation": scheme.organisation.name,
        "period_start": scheme.period_start,
        "period_end": scheme.period_end,
        "mutualised": scheme.mutualised,
        "on_track_ratio": scheme.on_track_ratio,
        "at_risk_ratio": scheme.at_risk_ratio,
    }


def json_chunks(
    rows: Iterable[ExportRow], *, scheme: Scheme, filters: Filters, generated_at: datetime | None = None
) -> Iterator[str]:
    """`{"scheme": …, "generated_at": …, "filters": …, "values": [{…}, …]}`, one value per chunk."""
    generated_at = generated_at or timezone.now()
    yield (
        "{\n"
        f'  "scheme": {json_value(scheme_summary(scheme))},\n'
        f'  "generated_at": {json_value(generated_at)},\n'
        f'  "filters": {json_value(filters.as_dict())},\n'
        '  "values": ['
    )
    separator = "\n    "
    for row in rows:
        fields = ", ".join(f'"{name}": {json_value(getattr(row, name))}' for name in JSON_FIELDS)
        yield f"{separator}{{{fields}}}"
        separator = ",\n    "
    yield "\n  ]\n}\n"


# -- XLSX --------------------------------------------------------------------------------------------

PERCENT_FORMAT = '0.0" %"'
EURO_FORMAT = '#,##0" €"'  # shown « # ##0 € » by a French Excel: the group separator is the locale's
FORMATS = {Unit.PERCENT: PERCENT_FORMAT, Unit.EURO: EURO_FORMAT}
DATE_FORMAT, DATETIME_FORMAT = "DD/MM/YYYY", "DD/MM/YYYY HH:MM"
FORBIDDEN_IN_SHEET_TITLES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_title(code: str, title: str, taken: set[str]) -> str:
    """Axis code and the start of its title: at most 31 characters, none of []:*?/\\, unique."""
    text = " ".join(f"{code} {title}".translate(FORBIDDEN_IN_SHEET_TITLES).split()).strip("'")
    candidate, number = text[:31].rstrip(), 2
    while candidate.lower() in taken or not candidate:
        suffix = f" ({number})"
        candidate, number = text[: 31 - len(suffix)].rstrip() + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def _xlsx_cell(sheet, row: ExportRow, column: Column) -> Any:
    value = getattr(row, column.field)
    if value is None:
        return NO_DATA_TEXT if column.field == "value" else None
    if column.kind == "json":
        return _json_text(value) if value else None
    number_format = None
    if column.kind == "value":
        number_format = FORMATS.get(row.unit)
    elif column.kind == "counts":
        number_format = EURO_FORMAT if row.counts_in_euros else None
    elif column.kind == "percent":
        number_format = PERCENT_FORMAT
    elif column.kind == "datetime":
        value, number_format = timezone.localtime(value).replace(tzinfo=None), DATETIME_FORMAT
    elif column.kind == "date":
        number_format = DATE_FORMAT
    if number_format is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def readme_lines(
    scheme: Scheme, filters: Filters, labels: dict[str, str], generated_at: datetime
) -> list[list]:
    on_track = f"{scheme.on_track_ratio * 100:.0f} %"
    at_risk = f"{scheme.at_risk_ratio * 100:.0f} %"
    lines: list[list] = [
        ["Valeurs des indicateurs et leur provenance"],
        [],
        ["Schéma", f"{scheme.title} ({scheme.period_start}-{scheme.period_end})"],
        ["Organisation", scheme.organisation.name],
        ["Exporté le", timezone.localtime(generated_at).strftime("%d/%m/%Y à %H:%M")],
        *([label, text] for label, text in filters.describe(labels)),
        [],
        ["Lecture"],
        [
            "Feuilles",
            "une feuille par axe du schéma ; une ligne par valeur (indicateur, année, période, périmètre)",
        ],
        [
            "Pas de données",
            "un indicateur sans valeur pour ces filtres figure une fois, avec « pas de données » "
            "dans la colonne Valeur (jamais 0) et la raison dans la colonne Observation",
        ],
        [
            "Pourcentages",
            "nombres de 0 à 100 affichés avec « % » (40 = 40 %), unité « % » ; les cibles et la part "
            "d'inconnus aussi",
        ],
        ["Montants", "euros hors taxes, affichés sans décimales ; la cellule garde le montant exact"],
        ["Dates", "vraies dates Excel (date des données, calculé le, heure de Paris)"],
        *([f"Unité « {Unit(unit).label} »", note] for unit, note in UNIT_NOTES.items()),
        [],
        ["Règles de comptage"],
        [
            "Unité de compte",
            "le marché (uid = SIRET de l'acheteur + identifiant), doublons fusionnés ; un lot = "
            "un marché ; les concessions sont comptées à part",
        ],
        [
            "Année et période",
            "date de notification du marché ; heures d'insertion : date de fin de la période",
        ],
        [
            "Considérations",
            "sociale : clause sociale, critère social ou marché réservé ; environnementale : "
            "clause ou critère environnemental ; un champ absent est « inconnu », compté au "
            "dénominateur, jamais comme « non »",
        ],
        [
            "En valeur",
            "montant initial notifié des marchés au montant exploitable ; accords-cadres exclus "
            "(maximum ou estimation, pas une dépense), comptés dans le détail du calcul",
        ],
        [
            "Périmètre",
            "données essentielles de la commande publique (marchés de 40 000 € HT et plus) des "
            "acheteurs de l'organisation, et registres internes importés",
        ],
        [
            "Statut",
            f"atteint : valeur ≥ cible ; en bonne voie : ≥ {on_track} de la cible ; à surveiller : "
            f"≥ {at_risk} ; en retard : en dessous (inversé quand « plus bas, mieux c'est »)",
        ],
        [
            "Cible de la période",
            "cible de l'année du schéma, trajectoire entre deux cibles connues ou dernière "
            "cible ; au prorata des mois pour une quantité (nombre, euros, heures) d'une sous-période",
        ],
        [],
        ["Colonnes"],
        *([column.header, COLUMN_NOTES.get(column.field, "")] for column in COLUMNS),
    ]
    return lines


COLUMN_NOTES = {
    "period": PERIOD_KEYS_HELP,
    "scope": "organisation, buyer:<SIREN ou SIRET> (acheteur d'un schéma mutualisé), direction:<identifiant>",
    "value": "dans l'unité de l'indicateur ; « pas de données » quand rien n'est mesurable",
    "numerator": "marchés, euros, heures ou personnes comptés au numérateur",
    "denominator": "base du calcul (marchés mesurés, montants, heures prévues…)",
    "unknown": "éléments dont la donnée manque (comptés au dénominateur, jamais comme « non »)",
    "unknown_share": "inconnus / éléments mesurés, en %",
    "perimeter": "périmètre et source des données de la valeur",
    "method_version": "version de la règle de calcul (une valeur ne se compare qu'à la même version)",
}


def write_xlsx(
    rows: Iterable[ExportRow],
    handle,
    *,
    scheme: Scheme,
    filters: Filters,
    labels: dict[str, str],
    generated_at: datetime | None = None,
) -> None:
    """A « Lisez-moi » sheet, then one sheet per axis (write-only workbook: memory stays flat)."""
    generated_at = generated_at or timezone.now()
    workbook = Workbook(write_only=True)
    readme = workbook.create_sheet("Lisez-moi")
    readme.column_dimensions["A"].width = 30
    readme.column_dimensions["B"].width = 110
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for line in readme_lines(scheme, filters, labels, generated_at):
        cells = []
        for index, text in enumerate(line):
            cell = WriteOnlyCell(readme, value=text)
            cell.alignment = wrap
            if index == 0 and (len(line) == 1 or text in HEADERS):
                cell.font = bold
            cells.append(cell)
        readme.append(cells)
    sheets, counts, taken = {}, {}, {"lisez-moi"}
    for axis in scheme.axes.order_by("position", "code"):
        sheet = workbook.create_sheet(sheet_title(axis.code, axis.title, taken))
        for index, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "E2"  # the header row and the indicator's code and name stay in view
        header = []
        for text in HEADERS:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        key = f"{axis.code} — {axis.title}"
        sheets[key], counts[key] = sheet, 1
    for row in rows:
        sheet = sheets[row.axis]
        sheet.append([_xlsx_cell(sheet, row, column) for column in COLUMNS])
        counts[row.axis] += 1
    last = get_column_letter(len(COLUMNS))
    for key, sheet in sheets.items():
        sheet.auto_filter.ref = f"A1:{last}{counts[key]}"
    workbook.save(handle)
