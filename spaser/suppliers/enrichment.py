"""What a source says about a company, and the one rule for writing it on a supplier.

Rule: a known value replaces a stored one (the latest source wins, and the supplier records which source and
when); an unknown value (None or "") never erases a known one. Département and région always follow the
commune, through the INSEE COG.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .geography import place_of
from .models import SizeCategory, Supplier

SIZE_CATEGORIES = {choice.value for choice in SizeCategory if choice.value}
PLACEHOLDER_NAMES = {"[ND]", "[NON-DIFFUSIBLE]", "ND"}  # "diffusion partielle": INSEE hides the name


@dataclass(frozen=True, slots=True)
class CompanyFacts:
    """None or "" = the source does not say (unknown), never "no"."""

    siren: str
    name: str = ""
    legal_category: str = ""
    size_category: str = ""
    is_ess: bool | None = None
    commune_code: str = ""


def clean_name(value: object) -> str:
    text = " ".join(str(value or "").split())
    return "" if text.upper() in PLACEHOLDER_NAMES else text[:300]


def clean_size(value: object) -> str:
    text = str(value or "").strip().upper()
    return text if text in SIZE_CATEGORIES else ""


def apply_facts(supplier: Supplier, facts: CompanyFacts, *, source: str, when: datetime) -> list[str]:
    """Write the known facts on `supplier` (not saved); returns the names of the fields that changed."""
    changed: list[str] = []

    def put(field: str, value: object) -> None:
        if value in (None, "") or getattr(supplier, field) == value:
            return
        setattr(supplier, field, value)
        changed.append(field)

    put("name", facts.name)
    put("legal_category", facts.legal_category[:4])
    put("size_category", facts.size_category)
    put("is_ess", facts.is_ess)
    place = place_of(facts.commune_code)
    if place is not None:
        put("commune_code", place.commune_code)
        put("commune_name", place.commune_name)
        put("departement_code", place.departement_code)
        put("region_code", place.region_code)
    if changed:
        supplier.enrichment_source = source[:64]
        supplier.enriched_at = when
        changed += ["enrichment_source", "enriched_at"]
    return changed
