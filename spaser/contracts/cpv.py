"""CPV 2008 labels in French (data/cpv_2008.csv, provenance in data/README.md).

Read once per process on first use (about 9 500 rows, well under a megabyte in memory)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

CPV_FILE = Path(__file__).parent / "data" / "cpv_2008.csv"


@functools.cache
def _labels() -> dict[str, str]:
    with CPV_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["label_fr"] for row in csv.DictReader(handle)}


def cpv_match(code: str | None) -> tuple[str, str]:
    """(listed code, French label) for an 8-digit CPV code. A code missing from the vocabulary (a typo in
    the source) gets its nearest listed parent (trailing digits set to zero), so the page can say which
    code the label belongs to; ("", "") when nothing matches."""
    code = (code or "").strip()[:8]
    if len(code) != 8 or not code.isdigit():
        return "", ""
    labels = _labels()
    for length in range(8, 1, -1):
        parent = code[:length].ljust(8, "0")
        if parent in labels:
            return parent, labels[parent]
    return "", ""


def cpv_label(code: str | None) -> str:
    """The French label of a CPV code, or of its nearest listed parent; "" when nothing matches."""
    return cpv_match(code)[1]


def division_label(division: str | None) -> str:
    """The label of a 2-digit CPV division (« 45 » → « Travaux de construction »)."""
    division = (division or "").strip()
    if len(division) != 2 or not division.isdigit():
        return ""
    return _labels().get(division + "000000", "")


def full_code(code: str | None) -> str:
    """« 45000000 » → « 45000000-7 » (with the official check digit) when the code is listed."""
    code = (code or "").strip()
    digit = _check_digits().get(code)
    return f"{code}-{digit}" if digit else code


@functools.cache
def _check_digits() -> dict[str, str]:
    with CPV_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["check_digit"] for row in csv.DictReader(handle)}
