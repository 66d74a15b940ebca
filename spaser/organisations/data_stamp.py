"""An organisation's data stamp, and the per-process memos keyed on it.

Some reads cost a pass over every contract of the perimeter (the contract list's counts and filter choices,
the renewals without review on the radar): at 100 000 contracts, tens to hundreds of milliseconds per page.
Their result changes only when the data under them does, so each web process keeps it, keyed on the
organisation's `data_stamp` — a UUID renewed, in the database, whenever the organisation's contracts, buyers,
directions or renewal reviews change. Every process reads the stamp with the organisation (no extra query) and
sees the change at its next request: no process ever serves a result computed before the change it has read.

Who renews it: `contracts_changed` (every write of contracts announces it: imports, registers, attribution,
quarantine, supplier lists — spaser/contracts/signals.py), the saves and deletions of buyers, directions and
renewal reviews, and those of schemes, their register and indicator values, which the dashboards' memos read
(receivers below, connected in OrganisationsConfig.ready and IndicatorsConfig.ready).

The memos are plain dictionaries of this process (no pickling: the radar's flags are tens of thousands of
objects), bounded per name, least recently used dropped first.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Q

from .models import Buyer, Organisation

T = TypeVar("T")

DEFAULT_SIZE = 64
_memos: dict[str, OrderedDict] = {}
_lock = threading.Lock()  # the development server answers requests in threads
_computing: dict[tuple, threading.RLock] = {}  # memo being computed → its lock


def renew(organisation_ids: Iterable[int] | None = None) -> None:
    """A new stamp for these organisations (all of them when None): their memos are left behind."""
    organisations = Organisation.objects.all()
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=list(organisation_ids))
    organisations.update(data_stamp=uuid.uuid4())


def renew_on_commit(organisation_ids: Iterable[int] | None = None) -> None:
    ids = None if organisation_ids is None else sorted(set(organisation_ids))
    transaction.on_commit(lambda: renew(ids))


def organisations_of_buyer(siret: str) -> list[int]:
    """The organisations whose perimeter holds this buyer SIRET (as a SIRET or by its SIREN)."""
    buyers = Buyer.objects.filter(Q(identifier=siret) | Q(identifier=siret[:9]))
    return list(buyers.values_list("organisation_id", flat=True))


def memo(
    organisation: Organisation, name: str, key: Hashable, compute: Callable[[], T], *, size: int = 0
) -> T:
    """`compute()`, or its result kept by this process for the organisation's current data stamp. `key` holds
    whatever else the result depends on (filters, date, direction). Results are shared between requests:
    callers must not change them."""
    full_key = (organisation.pk, organisation.data_stamp, key)
    with _lock:
        entries = _memos.setdefault(name, OrderedDict())
        if full_key in entries:
            entries.move_to_end(full_key)
            return entries[full_key]
        computing = _computing.setdefault((name, full_key), threading.RLock())  # never blocks its own thread
    # One computation per memo: the other threads of the process asking for it meanwhile wait for its result
    # (after a write, every request of a threaded server would otherwise compute the same memo at once).
    with computing:
        with _lock:
            if full_key in entries:
                return entries[full_key]
        try:
            value = compute()
            with _lock:
                entries[full_key] = value
                while len(entries) > (size or DEFAULT_SIZE):
                    entries.popitem(last=False)
        finally:
            with _lock:
                _computing.pop((name, full_key), None)
    return value


def forget_all() -> None:
    """Drop every memo of this process (tests)."""
    with _lock:
        _memos.clear()


# -- receivers (connected in OrganisationsConfig.ready) ---------------------------------------------------


def on_organisation_data_change(sender, instance, **kwargs: Any) -> None:
    """A buyer, a direction or the organisation itself saved or deleted."""
    renew_on_commit([instance.pk if isinstance(instance, Organisation) else instance.organisation_id])


_batch = threading.local()


@contextmanager
def one_renewal():
    """Inside, the saves of schemes, their register and values renew the stamps once, at the end, rather
    than once each (`compute_indicators` stores thousands of values in one transaction)."""
    depth = getattr(_batch, "depth", 0)
    _batch.depth = depth + 1
    try:
        yield
    finally:
        _batch.depth = depth
        if depth == 0 and getattr(_batch, "pending", False):
            _batch.pending = False
            renew_on_commit(None)


def on_scheme_data_change(sender, instance, **kwargs: Any) -> None:
    """A scheme, its register (axes, commitments, indicators, targets) or an indicator value written or
    deleted: every organisation's stamp (finding the organisation would cost a query per value stored, and
    organisations are few)."""
    if getattr(_batch, "depth", 0):
        _batch.pending = True
    else:
        renew_on_commit(None)


def on_contracts_changed(sender, organisation_ids=None, **kwargs: Any) -> None:
    renew(organisation_ids)  # `contracts_changed` is sent after the commit already
