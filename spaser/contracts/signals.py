"""`contracts_changed`: sent once a write that changes what the indicators count is committed (a DECP
import, a register or insertion import, an attribution, a supplier list). The indicators app listens and
recomputes in the background (spaser/indicators/tasks.py); the writers do not need to know about indicators.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# kwargs: organisation_ids — the organisations whose data changed, or None for "any" (a DECP file or a
# supplier list may concern every organisation's perimeter).
contracts_changed = Signal()


def notify_contracts_changed(organisation_ids: Iterable[int] | None = None) -> None:
    """Send `contracts_changed` after the current transaction commits (never for a rolled-back write)."""
    ids = None if organisation_ids is None else sorted(set(organisation_ids))
    transaction.on_commit(lambda: contracts_changed.send(sender=None, organisation_ids=ids))
