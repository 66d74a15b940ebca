"""Estimated end dates: notification + current duration, where no end date was imported.

An estimate is marked (`end_date_estimated=True`) so that pages can say so; an imported end date always
replaces it (the register import clears the mark), and an estimate whose inputs changed is recomputed.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from spaser.contracts.models import Contract
from spaser.organisations.models import Organisation


def add_months(start: date, months: int) -> date:
    """Same day `months` later, or the last day of that month (31 May + 1 month = 30 June)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def estimate_end_dates(
    *, organisation: Organisation | None = None, contract_ids: Iterable[int] | None = None
) -> int:
    """Fill or refresh estimated end dates of the organisation's contracts (or of `contract_ids`); returns
    how many changed. Contracts with an imported end date are never touched."""
    contracts = Contract.objects.filter(Q(end_date__isnull=True) | Q(end_date_estimated=True))
    if organisation is not None:
        contracts = contracts.for_organisation(organisation)
    if contract_ids is not None:
        contracts = contracts.filter(pk__in=list(contract_ids))
    changed: list[Contract] = []
    fields = (
        "pk",
        "notification_date",
        "duration_months",
        "current_duration_months",
        "end_date",
        "end_date_estimated",
    )
    for contract in contracts.only(*fields).iterator(chunk_size=2000):
        months = contract.current_duration_months or contract.duration_months
        estimate = (
            add_months(contract.notification_date, months) if contract.notification_date and months else None
        )
        wanted = (estimate, estimate is not None)
        if (contract.end_date, contract.end_date_estimated) != wanted:
            contract.end_date, contract.end_date_estimated = wanted
            changed.append(contract)
    Contract.objects.bulk_update(changed, ["end_date", "end_date_estimated"], batch_size=500)
    return len(changed)
