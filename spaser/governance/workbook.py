"""The meeting pack as an XLSX workbook (openpyxl), rendered from the pack's JSON dict alone.

Deterministic: the same pack gives the same bytes (workbook dates and the zip entries' times come from the
pack's `generated_at`, never from the clock). Cells are typed: exact decimals (the pack's numbers are strings)
as numbers, ISO dates as dates, percentages with a percent format, booleans as « Oui » / « Non »; an unknown
value is an empty cell, never « Non ».
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from spaser.core.documents import PARIS, date_fr, parse_date, parse_datetime, parse_decimal, xlsx_bytes
from spaser.schemes.models import Unit

from .rendering import pack_title
from .workbook_sheets import EXTRA_HEADERS, NUMERIC_KEYS, RENEWAL_COUNTS, SECTIONS, Col

PERCENT_UNITS = {"percent", "%"}
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
NUMBER_FORMAT = "#,##0.##########"
PERCENT_FORMAT = "0.0 %"
POINTS_FORMAT = '+0.0" pt";-0.0" pt";0" pt"'
UNIT_LABELS = dict(Unit.choices)


def pack_xlsx(pack: dict) -> bytes:
    """The pack as a workbook: « Dossier » first, then one sheet per section present in the pack."""
    workbook = Workbook()
    generated = parse_datetime(pack.get("generated_at")) or datetime(2000, 1, 1, tzinfo=PARIS)
    _cover_sheet(workbook.active, pack, generated)
    for key, title, columns in SECTIONS:
        found, value = _lookup(pack, key)
        if not found:
            continue
        sheet = workbook.create_sheet(title)
        if key == "renewals.rows":
            _renewals_sheet(sheet, pack.get("renewals") or {})
        elif key == "alerts.late_payments":
            _late_payments_sheet(sheet, value)
        elif key == "trajectory":
            _trajectory_sheet(sheet, value or [])
        elif key == "scorecards":
            _scorecards_sheet(sheet, value or [])
        elif key == "annual_review":
            _annual_review_sheet(sheet, value)
        else:
            _rows_sheet(sheet, value, columns)
    return xlsx_bytes(workbook, title=pack_title(pack), moment=generated)


def _lookup(pack: dict, dotted: str) -> tuple[bool, Any]:
    value: Any = pack
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _header_row(sheet, headers: list[str], widths: list[int], row: int = 1) -> None:
    bold = Font(bold=True)
    for index, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=row, column=index, value=header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, width)


def _put(sheet, row: int, column: int, value: Any, kind: str, unit: Any = None) -> None:
    """Writes one typed cell; None (unknown) leaves the cell empty."""
    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        return
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        value = value.get("label") or value.get("name") or text
    elif isinstance(value, list):
        value = "; ".join(_summary(item) for item in value)
        if not value:
            return
    percent = str(unit or "").lower() in PERCENT_UNITS
    if kind == "unit":
        cell.value = UNIT_LABELS.get(str(value), str(value))
    elif kind == "bool" or isinstance(value, bool):
        cell.value = ("Oui" if value else "Non") if isinstance(value, bool) else str(value)
    elif kind == "date":
        day = parse_date(value)
        cell.value = day if day else str(value)
        if day:
            cell.number_format = DATE_FORMAT
    elif kind == "datetime":
        moment = parse_datetime(value)
        cell.value = moment.replace(tzinfo=None) if moment else str(value)
        if moment:
            cell.number_format = DATETIME_FORMAT
    elif kind in ("int", "number", "value", "diff", "percent100"):
        number = parse_decimal(value)
        if number is None:
            cell.value = str(value)
        elif kind == "percent100" or (kind == "value" and percent):
            cell.value = Decimal(number) / 100
            cell.number_format = PERCENT_FORMAT
        elif kind == "diff" and percent:
            cell.value = number
            cell.number_format = POINTS_FORMAT
        else:
            cell.value = number
            cell.number_format = "0" if kind == "int" else NUMBER_FORMAT
    else:
        cell.value = str(value)


def _summary(item: Any) -> str:
    """One element of a nested list (a follow-up, an advice…) as a short text."""
    if not isinstance(item, dict):
        return str(item)
    day = date_fr(item.get("date") or item.get("recorded_on") or "")
    words = [
        str(item[key])
        for key in ("label", "name", "title", "status_label", "comment", "text", "resource_direction")
        if item.get(key)
    ]
    if not words:
        return json.dumps(item, ensure_ascii=False, sort_keys=True)
    return (f"{day} : " if day else "") + " — ".join(words)


def _rows_sheet(sheet, rows: Any, columns: list[Col]) -> None:
    if isinstance(rows, dict) and rows.get("available") is False:
        _unavailable(sheet, rows)
        return
    rows = [row for row in (rows or []) if isinstance(row, dict)]
    declared = {column.key for column in columns}
    extras: list[str] = []
    for row in rows:
        for key in row:
            if key in declared or key in extras or f"{key}_label" in row or f"{key}_label" in declared:
                continue
            extras.append(key)
    all_columns = list(columns) + [
        Col(key, EXTRA_HEADERS.get(key, key), "number" if key in NUMERIC_KEYS else "auto", 16)
        for key in extras
    ]
    if not all_columns:
        all_columns = [Col("", "Aucune ligne", width=30)]
    _header_row(sheet, [c.header for c in all_columns], [c.width for c in all_columns])
    sheet.freeze_panes = "A2"
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(all_columns, start=1):
            value = row.get(column.key)
            kind = column.kind
            if kind == "auto":
                kind = _auto_kind(value)
            _put(sheet, number, index, value, kind, row.get("unit"))
    if not rows:
        sheet.cell(row=2, column=1, value="Aucune ligne à la date du dossier.")


def _auto_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float | Decimal):
        return "number"
    return "date" if parse_date(value) else "text"


def _is_unavailable(section: Any) -> bool:
    return isinstance(section, dict) and section.get("available") is False


def _unavailable(sheet, section: dict) -> None:
    sheet.column_dimensions["A"].width = 100
    reason = section.get("reason") or "la donnée n'est pas disponible dans Spaser."
    sheet.cell(row=1, column=1, value=f"Donnée non disponible : {reason}").font = Font(bold=True)


def _renewals_sheet(sheet, renewals: dict) -> None:
    """Counts by horizon first, then one line per contract due."""
    if _is_unavailable(renewals):
        _unavailable(sheet, renewals)
        return
    _header_row(sheet, ["Échéance", "Nombre de marchés"], [48, 18])
    row = 2
    for key, count in (renewals.get("counts") or {}).items():
        sheet.cell(row=row, column=1, value=RENEWAL_COUNTS.get(str(key), str(key)))
        _put(sheet, row, 2, count, "int")
        row += 1
    row += 1
    columns = next(cols for key, _title, cols in SECTIONS if key == "renewals.rows")
    sub = _Offset(sheet, row - 1)
    _rows_sheet(sub, renewals.get("rows") or [], columns)
    if renewals.get("note"):
        sheet.cell(row=sheet.max_row + 2, column=1, value=renewals["note"])


class _Offset:
    """A view of a worksheet shifted down by `rows`, so a table can follow a short summary."""

    def __init__(self, sheet, rows: int):
        self._sheet, self._rows = sheet, rows
        self.column_dimensions = sheet.column_dimensions
        self.freeze_panes = None

    def cell(self, row: int, column: int, value: Any = None):
        cell = self._sheet.cell(row=row + self._rows, column=column)
        if value is not None:
            cell.value = value
        return cell


def _late_payments_sheet(sheet, section: Any) -> None:
    if _is_unavailable(section):
        _unavailable(sheet, section)
        if section.get("manual"):
            _rows_sheet(_Offset(sheet, 2), section["manual"], [])
        return
    rows = section.get("rows", []) if isinstance(section, dict) else section
    _rows_sheet(sheet, rows or [], [])


def _trajectory_sheet(sheet, axes: list) -> None:
    """Long format: one line per indicator and year, the final target repeated (filters stay easy)."""
    if _is_unavailable(axes):
        _unavailable(sheet, axes)
        return
    headers = ["Axe", "Code", "Indicateur", "Unité", "Année", "Valeur", "Cible de l'année", "Cible finale"]
    headers.append("Statut")
    _header_row(sheet, headers, [30, 8, 44, 9, 8, 14, 14, 14, 16])
    sheet.freeze_panes = "A2"
    row = 2
    for axis in axes:
        axis_label = axis.get("axis") if isinstance(axis, dict) else axis
        for indicator in (axis.get("indicators") or []) if isinstance(axis, dict) else []:
            values = indicator.get("values") or {}
            targets = indicator.get("targets") or {}
            years = sorted({str(year) for year in [*values, *targets]})
            unit = indicator.get("unit")
            status = indicator.get("status_label") or indicator.get("status")
            for year in years or [""]:
                _put(sheet, row, 1, axis_label, "text")
                _put(sheet, row, 2, indicator.get("code"), "text")
                _put(sheet, row, 3, indicator.get("name"), "text")
                _put(sheet, row, 4, unit, "unit")
                _put(sheet, row, 5, year or None, "int")
                _put(sheet, row, 6, values.get(year), "value", unit)
                _put(sheet, row, 7, targets.get(year), "value", unit)
                _put(sheet, row, 8, indicator.get("final_target"), "value", unit)
                _put(sheet, row, 9, status, "text")
                row += 1


def _scorecards_sheet(sheet, cards: list) -> None:
    """One line per direction and indicator, the direction's counts on each of its lines."""
    if _is_unavailable(cards):
        _unavailable(sheet, cards)
        return
    headers = ["Direction", "Code", "Valeur", "Cible", "Statut", "Actions en retard", "Revues en attente"]
    headers.append("Avis en retard")
    _header_row(sheet, headers, [30, 8, 14, 14, 16, 12, 12, 12])
    sheet.freeze_panes = "A2"
    row = 2
    for card in cards:
        if not isinstance(card, dict):
            continue
        for indicator in card.get("indicators") or [{}]:
            unit = indicator.get("unit")
            _put(sheet, row, 1, card.get("direction_name") or card.get("direction"), "text")
            _put(sheet, row, 2, indicator.get("code"), "text")
            _put(sheet, row, 3, indicator.get("value"), "value", unit)
            _put(sheet, row, 4, indicator.get("target"), "value", unit)
            _put(sheet, row, 5, indicator.get("status_label") or indicator.get("status"), "text")
            _put(sheet, row, 6, card.get("actions_late"), "int")
            _put(sheet, row, 7, card.get("reviews_pending"), "int")
            _put(sheet, row, 8, card.get("advice_overdue"), "int")
            row += 1


def _annual_review_sheet(sheet, review: Any) -> None:
    _header_row(sheet, ["Élément", "Valeur"], [30, 40])
    if _is_unavailable(review):
        _unavailable(sheet, review)
        return
    if not isinstance(review, dict):
        sheet.cell(row=2, column=1, value="Pas de revue annuelle à valider dans ce dossier.")
        return
    meeting = review.get("meeting")
    if isinstance(meeting, dict):
        meeting = meeting.get("date") or meeting.get("id")
    sheet.cell(row=2, column=1, value="Année")
    _put(sheet, 2, 2, review.get("year"), "int")
    sheet.cell(row=3, column=1, value="Validée")
    _put(sheet, 3, 2, review.get("validated"), "bool")
    sheet.cell(row=4, column=1, value="Séance de validation")
    _put(sheet, 4, 2, meeting, "date" if parse_date(meeting) else "text")
    if review.get("label"):
        sheet.cell(row=5, column=1, value="Situation")
        _put(sheet, 5, 2, review["label"], "text")


def _cover_sheet(sheet, pack: dict, generated: datetime) -> None:
    sheet.title = "Dossier"
    committee = pack.get("committee") or {}
    meeting = pack.get("meeting") or {}
    organisation = pack.get("organisation") or {}
    scheme = pack.get("scheme") or {}
    period = pack.get("period") or {}
    previous = pack.get("previous_meeting") or {}
    alerts = pack.get("alerts") if isinstance(pack.get("alerts"), dict) else {}
    lines = [
        ("Comité", committee.get("name"), "text"),
        ("Type de comité", committee.get("kind_label") or str(committee.get("kind") or "").upper(), "text"),
        ("Date de la séance", meeting.get("date"), "date"),
        ("État de la séance", meeting.get("status_label") or meeting.get("status"), "text"),
        ("Organisation", organisation.get("name"), "text"),
        ("SIREN", organisation.get("siren"), "text"),
        ("Schéma", scheme.get("title"), "text"),
        ("Période des indicateurs", period.get("label"), "text"),
        ("Date des données", pack.get("data_date"), "date"),
        ("Séance précédente", previous.get("date"), "date"),
        ("Périodes d'insertion non déclarées", alerts.get("insertion_unreported_periods"), "int"),
        ("Schéma du dossier", pack.get("schema"), "text"),
        ("Généré le", generated, "datetime"),
    ]
    _header_row(sheet, ["Élément", "Valeur"], [28, 60])
    for row, (label, value, kind) in enumerate(lines, start=2):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        if value is None or value == "":
            if label == "Date des données":
                sheet.cell(row=row, column=2, value="inconnue")
            continue
        _put(sheet, row, 2, value, kind)
