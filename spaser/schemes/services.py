"""Writes on the scheme register."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from spaser.schemes.models import Scheme
from spaser.schemes.scheme_file import Problem, SchemeFileError
from spaser.schemes.scheme_file_reader import Item, read_scheme_text
from spaser.schemes.scheme_file_sync import ImportResult, Sync, check_against_database
from spaser.schemes.scheme_file_writer import write_scheme_text

# --- Scheme file (spaser export_scheme / import_scheme; docs/scheme-file.md) --------------------------------


def scheme_file_export(*, scheme: Scheme) -> str:
    """The scheme, its organisation, buyers and directions as the text of a scheme file."""
    return write_scheme_text(scheme)


def scheme_file_check(*, text: str) -> list[Problem]:
    """Every problem of the file (syntax, values, references, database conflicts); empty when valid."""
    return _read_and_check(text)[1]


def scheme_file_import(*, text: str) -> ImportResult:
    """Update the register from a scheme file, in place and atomically.

    Raises SchemeFileError (every problem, with line and field) and writes nothing if anything is wrong.
    """
    with transaction.atomic():
        root, problems = _read_and_check(text)
        if problems or root is None:
            raise SchemeFileError(problems)
        return Sync().apply(root)


def _read_and_check(text: str) -> tuple[Item | None, list[Problem]]:
    root, problems = read_scheme_text(text)
    if root is not None and {"organisation", "schema"} <= root.nested.keys():
        problems = [*problems, *check_against_database(root)]
    return root, problems


def load_scheme_file(path: str | Path) -> ImportResult:
    """Import the scheme file at `path` (UTF-8); used by `import_scheme` and `load_demo`."""
    return scheme_file_import(text=Path(path).read_text(encoding="utf-8-sig"))
