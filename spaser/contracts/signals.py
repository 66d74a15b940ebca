"""`contracts_changed`: sent once a write that changes what the indicators count is committed (a DECP
import, a register or insertion import, an attribution, a supplier list). The indicators app listens and
recomputes in the background (spaser/indicators/tasks.py); the writers do not need to know about indicators.

A run of several writes (the demo's load) can hold the notifications and announce them once, merged
(`held_changes`), or not at all when it recomputes itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.dispatch import Signal

from spaser.organisations import data_stamp

# kwargs: organisation_ids — the organisations whose data changed, or None for "any" (a DECP file or a
# supplier list may concern every organisation's perimeter).
contracts_changed = Signal()

ANY = "any"
_held: ContextVar[set | None] = ContextVar("held_contract_changes", default=None)


def notify_contracts_changed(organisation_ids: Iterable[int] | None = None) -> None:
    """Send `contracts_changed` after the current transaction commits (never for a rolled-back write)."""
    held = _held.get()
    if held is not None:
        held.update([ANY] if organisation_ids is None else organisation_ids)
        return
    ids = None if organisation_ids is None else sorted(set(organisation_ids))
    transaction.on_commit(lambda: contracts_changed.send(sender=None, organisation_ids=ids))


@contextmanager
def held_changes(*, announce: bool = True) -> Iterator[None]:
    """Merge the notifications made inside into one, sent at the end (none when `announce` is false: the
    caller recomputes the indicators itself)."""
    held: set = set()
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if held:
        ids = None if ANY in held else held
        if announce:
            notify_contracts_changed(ids)
        else:  # no recomputation asked, but the pages' memos must still leave the old data behind
            transaction.on_commit(lambda: data_stamp.renew(ids))
