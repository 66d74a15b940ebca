"""Spaser's own objects an indicator can count (method `objects`): the actions of the plan now; purchase
projects, need reviews and committee meetings register here when their apps exist (issues 5 and 6).

A countable gives, for an organisation (optionally one direction) and a period, a Result; the period is
matched on the object's own date (an action's due date).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from .periods import Period
from .results import Result, percent


@dataclass(frozen=True)
class Countable:
    label: str
    measures: dict[str, str]
    units: dict[str, str]
    compute: Callable[..., Result]  # (scheme, direction or None, period, measure) → Result
    perimeter: str
    version: str = "objects/1"
    extra: dict = field(default_factory=dict)


_RUN_MEMO: ContextVar[dict | None] = ContextVar("spaser_objects_run_memo", default=None)


@contextmanager
def shared_run() -> Iterator[None]:
    """One computation run over many scopes and periods: countables may share what they all need (run_memo)
    for its duration only, so nothing outlives the run's data."""
    token = _RUN_MEMO.set({})
    try:
        yield
    finally:
        _RUN_MEMO.reset(token)


def run_memo(key: tuple, build: Callable[[], object]):
    """`build()` once per key within a shared run; every time outside one."""
    memo = _RUN_MEMO.get()
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    return memo[key]


def _actions(scheme, direction, period: Period, measure: str) -> Result:
    """Actions of the plan due by the end of the period (abandoned ones apart): how many, and the share
    done. An action without a due date counts in every period."""
    from django.db.models import Q

    from spaser.schemes.models import Action, ActionStatus

    end = period.day_after
    actions = Action.objects.filter(commitment__axis__scheme=scheme).exclude(status=ActionStatus.ABANDONED)
    if direction is not None:
        actions = actions.filter(owner_direction=direction)
    due = actions.filter(Q(due_date__lt=end) | Q(due_date__isnull=True))
    total = due.count()
    done = due.filter(status=ActionStatus.DONE).count()
    late = due.exclude(status=ActionStatus.DONE).filter(due_date__lt=min(end, timezone.localdate())).count()
    details = {"actions_echues": total, "realisees": done, "en_retard": late}
    if measure == "done_share":
        value = percent(Decimal(done), Decimal(total))
        return Result(value, Decimal(done), Decimal(total), 0, "objects/1", details)
    number = Decimal(late if measure == "late" else total)
    return Result(number, number, Decimal(total), 0, "objects/1", details)


COUNTABLES: dict[str, Countable] = {
    "actions": Countable(
        label="actions du plan d'actions du schéma",
        measures={
            "done_share": "part des actions échues réalisées",
            "count": "nombre d'actions échues",
            "late": "nombre d'actions échues non réalisées",
        },
        units={"done_share": "percent", "count": "count", "late": "count"},
        compute=_actions,
        perimeter="actions du schéma (hors abandonnées) dont l'échéance tombe avant la fin de la période",
    ),
}
