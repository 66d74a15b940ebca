"""Reads for the register pages."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet

from spaser.organisations.models import Organisation

from .models import ColumnMapping, RegisterImport


def register_imports(organisation: Organisation) -> QuerySet[RegisterImport]:
    return RegisterImport.objects.filter(organisation=organisation).select_related("batch", "batch__user")


def saved_mappings(organisation: Organisation) -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.filter(organisation=organisation).select_related("created_by")


def report_rows(run: RegisterImport, *, limit: int = 500) -> tuple[list[list[str]], int]:
    """The rows of the per-row result file (rejected first, then in file order), and how many there are."""
    if not run.batch.report_file:
        return [], 0
    with run.batch.report_file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    rows.sort(key=lambda row: (row[1] != "rejeté", int(row[0]) if row[0].isdigit() else 0))
    return rows[:limit], len(rows)
