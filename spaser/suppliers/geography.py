"""Where a commune lies: its département and région, from the INSEE COG 2025 shipped in `data/`."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Place:
    commune_code: str
    commune_name: str
    departement_code: str
    region_code: str


@cache
def _communes() -> dict[str, Place]:
    with (DATA / "communes.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["commune_code"]: Place(
                row["commune_code"], row["commune_nom"], row["departement_code"], row["region_code"]
            )
            for row in csv.DictReader(handle)
        }


@cache
def departements() -> dict[str, tuple[str, str, str]]:
    """département code → (name, region code, region name)."""
    with (DATA / "departements.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["departement_code"]: (row["departement_nom"], row["region_code"], row["region_nom"])
            for row in csv.DictReader(handle)
        }


def place_of(commune_code: str | None) -> Place | None:
    """The commune's place, or None for an unknown or foreign code (never a guess from the first digits:
    Corsica, overseas and Paris arrondissements all break that guess)."""
    if not commune_code:
        return None
    return _communes().get(str(commune_code).strip().zfill(5))


def departement_name(code: str) -> str:
    entry = departements().get(code)
    return entry[0] if entry else ""


def region_name(code: str) -> str:
    for _name, region_code, region_label in departements().values():
        if region_code == code:
            return region_label
    return ""
