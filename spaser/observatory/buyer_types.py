"""A buyer's type (store.BUYER_TYPES) from its SIREN: its INSEE legal category when known, else the numbering
rule of public bodies' SIRENs, else unknown. `type_source` always says which (docs/observatory.md).

1. Legal category (`categorie_juridique`): data/categories_juridiques_acheteurs.csv maps the INSEE
   catégories juridiques (niveau III) of public bodies to a type (7220 Département, 7230 Région, 7210 Commune,
   EPCI and syndicates → intercommunalité, 7364/7365 hospitals, 71xx and national public bodies → État…; any
   other 7xxx or local EPIC → autre organisme public). Categories come from the suppliers' SIRENE data
   (`Supplier.legal_category`, by SIREN) and from SIRENE files given to the ingest.
2. SIREN prefix (`prefixe_siren`): INSEE numbers public bodies in ranges starting with 1 or 2, and builds
   the SIREN of local authorities from their kind: 21… communes, 22 + the département's code for
   départements (229300082 Seine-Saint-Denis, 222400012 Dordogne), 23… the regions created before 2016
   (237500079 Île-de-France), 24… groupements de collectivités. Bodies created since about 2000 — the
   regions merged in 2016 (Normandie 200053403), most EPCI, other public bodies — are numbered 20…: their
   kind cannot be read from the number. So 21/22/23/24 → commune/département/région/intercommunalité;
   1… → État et ses établissements; any other 2… → autre organisme public (26… holds hospitals but also
   social and medico-social bodies: a hospital is not asserted); any other valid SIREN → autre.
3. Nothing usable (`inconnu`): an empty or malformed SIREN → autre.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from spaser.observatory.store import BUYER_TYPES

DATA = Path(__file__).parent / "data" / "categories_juridiques_acheteurs.csv"
PREFIX_TYPES = {"21": "commune", "22": "departement", "23": "region", "24": "intercommunalite"}
FROM_CATEGORY, FROM_PREFIX, UNKNOWN = "categorie_juridique", "prefixe_siren", "inconnu"


@cache
def category_types() -> dict[str, str]:
    """INSEE legal category (4 digits) → buyer type, for the categories of public bodies."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        types = {row["code"]: row["buyer_type"] for row in csv.DictReader(handle)}
    unknown = set(types.values()) - set(BUYER_TYPES)
    assert not unknown, f"types inconnus dans {DATA.name} : {unknown}"
    return types


def type_from_category(category: str) -> str:
    """The type of a legal category; a category outside the public ones (companies, associations…) → autre."""
    return category_types().get(category.strip()[:4], "autre")


def type_from_siren(siren: str) -> tuple[str, str]:
    """(type, type_source) from the SIREN alone (rule 2, or 3 when it is not a SIREN)."""
    if len(siren) != 9 or not siren.isdigit():
        return "autre", UNKNOWN
    if siren[:2] in PREFIX_TYPES:
        return PREFIX_TYPES[siren[:2]], FROM_PREFIX
    if siren[0] == "1":
        return "etat", FROM_PREFIX
    if siren[0] == "2":
        return "autre_public", FROM_PREFIX
    return "autre", FROM_PREFIX


def buyer_type(siren: str, category: str = "") -> tuple[str, str]:
    """(type, type_source) of one buyer: its legal category when known, else its SIREN."""
    if category and category.strip()[:4].isdigit():
        return type_from_category(category), FROM_CATEGORY
    return type_from_siren(siren)


def known_categories(sirens: Iterable[str], *, sirene_files: Iterable[Path] = ()) -> dict[str, str]:
    """The legal categories known for these SIRENs: from the suppliers' SIRENE data (database), then from
    SIRENE stock files of legal units (columns `siren` and `categorieJuridiqueUniteLegale`, CSV or Parquet,
    read lazily and filtered: only the wanted SIRENs are kept; a file overrides the database)."""
    wanted = sorted(set(sirens))
    categories = _categories_in_database(wanted)
    for path in sirene_files:
        categories.update(_categories_in_file(Path(path), wanted))
    return categories


def _categories_in_database(sirens: list[str]) -> dict[str, str]:
    from spaser.suppliers.models import Supplier

    found: dict[str, str] = {}
    for start in range(0, len(sirens), 5_000):  # bounded IN lists
        rows = (
            Supplier.objects.filter(siren__in=sirens[start : start + 5_000])
            .exclude(legal_category="")
            .values_list("siren", "legal_category")
        )
        found.update(rows)
    return found


class SireneFileError(Exception):
    """A SIRENE file that cannot be read (French message)."""


def _categories_in_file(path: Path, sirens: list[str]) -> dict[str, str]:
    import polars as pl

    columns = ("siren", "categorieJuridiqueUniteLegale")
    try:
        if path.suffix.lower() == ".parquet":
            frame = pl.scan_parquet(path)
        else:
            frame = pl.scan_csv(path, infer_schema=False)
        names = frame.collect_schema().names()
        missing = [name for name in columns if name not in names]
        if missing:
            raise SireneFileError(
                f"« {path.name} » n'est pas un fichier SIRENE des unités légales : "
                f"colonne(s) absente(s) : {', '.join(missing)}."
            )
        rows = (
            frame.select(pl.col(name).cast(pl.String) for name in columns)
            .filter(pl.col("siren").is_in(sirens))
            .collect(engine="streaming")  # a national stock file is GBs: never whole in memory
        )
    except (OSError, pl.exceptions.PolarsError) as error:
        raise SireneFileError(f"Impossible de lire le fichier SIRENE « {path.name} » : {error}") from None
    return {siren: category for siren, category in rows.iter_rows() if category}


def types_for(sirens: Iterable[str], categories: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    return {siren: buyer_type(siren, categories.get(siren, "")) for siren in sirens}
