"""Who made a change when no web request carries a signed-in user: a management command or a background task.

django-simple-history records `history_user` from the request (HistoryRequestMiddleware) or from an explicit
`instance._history_user` set by a service. Outside a request it would record nobody. This module fills that
gap, for every historised model, without touching the services:

- a huey task (worker, or immediate mode) runs under an *actor*: the user who launched the job
  (`Job.created_by`, for tasks made by `spaser.core.jobs.job_task`) and a label « Tâche de fond … »;
- a management command's changes carry the label « Commande spaser <nom> »;
- anything else without a user (a test, a shell) carries « Système ».

The label goes to `history_change_reason` only when the change has no reason of its own; the user is filled
in only when the history row has none. `acting_as()` lets any code name its actor explicitly.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

SYSTEM_LABEL = "Système"
REASON_MAX_LENGTH = 100


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: int | None = None


_actor: ContextVar[Actor | None] = ContextVar("spaser_audit_actor", default=None)
_task_tokens: dict[str, Token] = {}


@contextmanager
def acting_as(label: str, *, user_id: int | None = None):
    """Changes made inside the block are attributed to `label` (and to `user_id` when given)."""
    token = _actor.set(Actor(label=label, user_id=user_id))
    try:
        yield
    finally:
        _actor.reset(token)


def command_label(argv: list[str] | None = None) -> str | None:
    """« Commande spaser <nom> » when the process is the `spaser` console script (or manage.py)."""
    argv = sys.argv if argv is None else argv
    if len(argv) > 1 and os.path.basename(argv[0]) in {"spaser", "manage.py", "django-admin"}:
        return f"Commande spaser {argv[1]}"[:REASON_MAX_LENGTH]
    return None


def current_actor() -> Actor:
    """The actor of changes made now without a request user: the task or block in force, else the command."""
    actor = _actor.get()
    if actor is not None:
        return actor
    return Actor(label=command_label() or SYSTEM_LABEL)


def _request_user_present() -> bool:
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def fill_actor(sender, history_instance, **kwargs) -> None:
    """`pre_create_historical_record` receiver: name the actor of a history row that has no user."""
    if history_instance.history_user_id is not None or _request_user_present():
        return
    actor = current_actor()
    if actor.user_id is not None:
        history_instance.history_user_id = actor.user_id
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = actor.label[:REASON_MAX_LENGTH]


def task_actor(task) -> Actor:
    """The actor of a huey task: for a Job, the user who launched it and the job's title."""
    name = getattr(task, "name", "") or "tâche"
    args = getattr(task, "args", ()) or ()
    if name.startswith("job.") and args and isinstance(args[0], int):
        from spaser.core.models import Job

        job = Job.objects.filter(pk=args[0]).values("created_by_id", "title").first()
        if job is not None:
            return Actor(
                label=f"Tâche de fond n° {args[0]} : {job['title']}"[:REASON_MAX_LENGTH],
                user_id=job["created_by_id"],
            )
    return Actor(label=f"Tâche de fond {name}"[:REASON_MAX_LENGTH])


def _before_task(task) -> None:
    _task_tokens[task.id] = _actor.set(task_actor(task))


def _after_task(task, task_value, exception) -> None:
    token = _task_tokens.pop(task.id, None)
    if token is not None:
        try:
            _actor.reset(token)
        except ValueError:  # set in another context (cannot happen with huey's thread workers): forget it
            _actor.set(None)


def connect() -> None:
    from huey.contrib.djhuey import HUEY

    pre_create_historical_record.connect(fill_actor, dispatch_uid="spaser.audit.fill_actor")
    HUEY.pre_execute(name="spaser.audit.actor")(_before_task)
    HUEY.post_execute(name="spaser.audit.actor")(_after_task)
