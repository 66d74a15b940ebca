"""The sections of a meeting pack (docs/governance.md, schema `spaser-pack/1`), one small module each. Every
section is a function of a `PackContext` returning plain JSON data: dates as ISO strings, exact decimals as
strings, labels in French. A section whose data is not available here returns `unavailable(reason)` — never
an empty list that would read as « none »."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from spaser.contracts.models import Contract
from spaser.indicators.periods import Period, year_to_date


@dataclass
class PackContext:
    """What every section reads: the committee, its organisation and scheme, the meeting date (`on`), the
    period of the figures, the previous held meeting, and the figures of that period (read once)."""

    committee: Any  # governance.Committee
    organisation: Any  # organisations.Organisation
    scheme: Any  # schemes.Scheme | None
    on: date
    period: Period
    meeting: Any = None  # governance.Meeting | None
    previous: Any = None  # the previous held meeting of the committee, or None
    figures: list | None = None  # indicators.selectors.Figure of every scheme indicator, None without scheme
    cache: dict = field(default_factory=dict)

    def buyer_filter(self, prefix: str = "buyer_siret"):
        """Organisation.buyer_filter, its buyers read once for the whole pack."""
        if "buyers" not in self.cache:
            self.cache["buyers"] = list(self.organisation.buyers.values_list("identifier", flat=True))
        q = Q(pk__in=[])
        for identifier in self.cache["buyers"]:
            q |= Q(**{prefix if len(identifier) == 14 else f"{prefix}__startswith": identifier})
        return q

    def contracts(self):
        """The contracts of the organisation's perimeter (Contract.objects.for_organisation)."""
        return Contract.objects.filter(self.buyer_filter())


def unavailable(reason: str) -> dict:
    """A section whose data Spaser does not have: said, with why (unknown is never shown as « none »)."""
    return {"available": False, "reason": reason}


def is_available(section) -> bool:
    return not (isinstance(section, dict) and section.get("available") is False)


def pack_period(on: date) -> Period:
    """January to the end of the last complete month before `on` (the whole previous year in January)."""
    if on.month == 1:
        return Period(on.year - 1)
    return year_to_date(on.year, on.month - 1)


def number(value) -> str | int | None:
    """Exact decimals as strings without useless zeros ("25", "22.5"); integers stay integers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    value = Decimal(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def local_day(moment: datetime | None) -> str | None:
    """The calendar day (Europe/Paris) of a time stamp, ISO."""
    return timezone.localtime(moment).date().isoformat() if moment is not None else None


def direction_name(direction) -> str | None:
    return direction.name if direction is not None else None


def jsonable(value):
    """`value` with every Decimal, date, tuple and set made JSON data (for what other modules return)."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
