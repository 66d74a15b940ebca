"""A computed figure with the counts behind it (domain.md §5 rule 5: no figure without its numerator,
denominator and unknowns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Result:
    """`value` is None when there is nothing to measure (a denominator of 0): « pas de données », never 0."""

    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    unknown: int
    method_version: str
    details: dict = field(default_factory=dict)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """Rates come from counts, rounded once, at the end (4 decimals)."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(PERCENT_PLACES)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(PERCENT_PLACES)


def money(amount: Decimal | None) -> str:
    """Amounts in details as fixed 2-decimal strings: identical on SQLite and PostgreSQL."""
    return f"{amount or 0:.2f}"
