"""Background jobs on huey: launch one, report its progress, capture how it ended.

How a job runs
- `@job_task("kind")` turns a handler `handler(job, progress) -> JobOutcome` into a huey task that receives
  only the Job id; everything else is in `job.params`, so a job can be read and replayed from its row.
- `enqueue(task, title=…, params=…, user=…, organisation=…)` creates the Job row (queued) and hands its id
  to huey. Call it outside any transaction.atomic() block: the worker must be able to read the row. Under
  pytest or with HUEY_IMMEDIATE=true the task runs synchronously, inside `enqueue` (same code path).
- The runner marks the job running, calls the handler, and stores its outcome (done) or its error
  (failed). A `JobError` carries a French message shown as is; any other exception is logged with its
  traceback and shown as a generic French message (a traceback is no help to a buyer).

Progress without hammering the database
- `progress(read, fraction)` may be called very often; it writes at most every `interval` seconds.
- It writes to huey's key-value store, not to the Job row: an import holds one database transaction for the
  whole file (the database is unchanged when the file turns out to be bad), so a row written from inside
  it would stay invisible to the polling page until the end, and SQLite would block a second writer. The
  huey store is separate (its own SQLite file, or Redis) and shared by the worker and the web server.
  `job_state()` reads the row and, while the job runs, the live progress from that store.

When the worker dies (killed, machine restarted)
- The runner records the machine and process id that run the job. A job still « running » whose process is
  gone (same machine: checked with signal 0), or, when it runs on another machine, that has shown no sign of
  life (start, progress) for SPASER_JOB_SILENCE_MINUTES (30), is marked « interrompue » by
  `reconcile_interrupted`, which the job pages call: nothing else would ever finish its row. What the job did
  inside its transaction (an import: the whole file) was rolled back by the database.
- A failed or interrupted job can be relaunched (`retry`): a new Job of the same kind and parameters, linked
  to the first (`retry_of`), launched by whoever asked; its history row names them (audit).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY, db_task

from spaser.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

# Labels of the counts a job reports, in display order (other keys are shown after, under their own name).
COUNT_LABELS: dict[str, str] = {
    "read": "Enregistrements lus",
    "created": "Créés",
    "updated": "Mis à jour",
    "unchanged": "Inchangés",
    "duplicates": "Doublons",
    "quarantined": "En quarantaine",
    "warnings": "Avec alertes qualité",
}

# A queued job nobody picked up after this delay: the worker is probably not running.
STALE_QUEUE_DELAY = timedelta(seconds=60)
# A running job on another machine silent for longer than this (minutes) is taken as interrupted.
DEFAULT_SILENCE_MINUTES = 30
INTERRUPTED_ERROR = (
    "La tâche s'est arrêtée sans se terminer : le service de tâches (spaser run_huey) a été arrêté ou "
    "redémarré pendant qu'elle tournait. Ce qu'elle enregistrait dans la base a été annulé (un import de "
    "fichier est enregistré en entier ou pas du tout) : relancez-la."
)
HOST = socket.gethostname()[:255]

# Every job task by kind, to relaunch a job from its row.
TASKS: dict[str, Any] = {}


class JobError(Exception):
    """A failure the user can act on; its message (French) is shown as is on the job page."""


@dataclass
class JobOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)  # e.g. {"links": [{"label": …, "url": …}]}
    message: str = ""


Handler = Callable[[Job, "ProgressReporter"], JobOutcome]


def _progress_key(job_id: int) -> str:
    return f"spaser:job-progress:{job_id}"


class ProgressReporter:
    """The `progress(read, fraction)` callback given to a job's handler. Throttled: the first call and then
    at most one write every `interval` seconds; `flush()` writes the last values whatever the delay."""

    def __init__(self, job_id: int, *, interval: float = 0.5, clock: Callable[[], float] = time.monotonic):
        self.job_id = job_id
        self.interval = interval
        self.clock = clock
        self.writes = 0
        self._last_write: float | None = None
        self._pending: dict[str, Any] | None = None

    def __call__(self, read: int, fraction: float | None = None) -> None:
        if fraction is not None:
            fraction = min(1.0, max(0.0, float(fraction)))
        # "at": wall-clock time of the report, the job's sign of life (see reconcile_interrupted).
        self._pending = {"processed": int(read), "progress": fraction, "at": time.time()}
        now = self.clock()
        if self._last_write is None or now - self._last_write >= self.interval:
            self._write(now)

    def flush(self) -> None:
        if self._pending is not None:
            self._write(self.clock())

    def last(self) -> dict[str, Any] | None:
        return self._pending

    def clear(self) -> None:
        try:
            HUEY.delete(_progress_key(self.job_id))
        except Exception:  # the store being down must not turn a finished job into a failed one
            logger.warning("Impossible d'effacer l'avancement de la tâche %s", self.job_id, exc_info=True)

    def _write(self, now: float) -> None:
        self._last_write = now
        try:
            HUEY.put(_progress_key(self.job_id), self._pending)
            self.writes += 1
        except Exception:  # progress is a courtesy: never fail a job because it could not be shown
            logger.warning("Impossible d'écrire l'avancement de la tâche %s", self.job_id, exc_info=True)


def live_progress(job_id: int) -> dict[str, Any] | None:
    try:
        return HUEY.get(_progress_key(job_id), peek=True)
    except Exception:
        logger.warning("Avancement de la tâche %s illisible", job_id, exc_info=True)
        return None


# --- Launching and running -------------------------------------------------------------------------------


def job_task(kind: str) -> Callable[[Handler], Any]:
    """Decorator: a huey task running `handler` for a Job of this kind. The task's `.kind` is what
    `enqueue` stores on the Job; its `.handler` is the plain function."""

    def decorator(handler: Handler):
        @db_task(name=f"job.{kind}")
        def task(job_id: int) -> None:
            run_job(job_id=job_id, handler=handler)

        task.kind = kind
        task.handler = handler
        TASKS[kind] = task
        return task

    return decorator


def enqueue(task, *, title: str, params: dict[str, Any], user=None, organisation=None) -> Job:
    """Create the Job row and hand it to huey. Returns the job as it stands after enqueueing (already
    finished in immediate mode)."""
    job = Job.objects.create(
        kind=task.kind,
        title=title[:300],
        params=params,
        created_by=user if user is not None and user.is_authenticated else None,
        organisation=organisation,
    )
    return _dispatch(task, job)


def _dispatch(task, job: Job) -> Job:
    try:
        task(job.pk)
    except Exception:
        logger.exception("Tâche %s non transmise au service de tâches", job.pk)
        _finish(
            job.pk,
            status=JobStatus.FAILED,
            error="Le service de tâches de fond est injoignable : la tâche n'a pas été lancée. "
            "Réessayez plus tard ou prévenez l'administrateur.",
        )
    job.refresh_from_db()
    return job


def retry(*, job: Job, user) -> Job:
    """Relaunch a failed or interrupted job: a new Job, same kind, title, parameters and organisation,
    launched by `user`, linked to `job`. Raises JobError (French) when it cannot be relaunched."""
    if not job.can_be_retried:
        raise JobError(
            f"Seule une tâche échouée ou interrompue peut être relancée ; celle-ci est "
            f"« {job.get_status_display().lower()} »."
        )
    task = TASKS.get(job.kind)
    if task is None:
        raise JobError(f"Cette tâche ne peut pas être relancée : son type « {job.kind} » n'existe plus.")
    with transaction.atomic():  # one relaunch per job, even when two people click at once
        original = Job.objects.select_for_update().get(pk=job.pk)
        already = original.retries.order_by("-pk").first()
        if already is not None:
            raise JobError(
                f"Cette tâche a déjà été relancée (tâche n° {already.pk}, "
                f"{already.get_status_display().lower()}) : relancez plutôt celle-là si elle a échoué."
            )
        logger.info("Tâche %s relancée par %s", job.pk, getattr(user, "pk", None))
        new = Job(
            kind=job.kind,
            title=job.title,
            params=job.params,
            created_by=user if user is not None and user.is_authenticated else None,
            organisation=job.organisation,
            retry_of=original,
        )
        new._change_reason = f"Relance de la tâche n° {job.pk}"
        new.save()
    return _dispatch(task, new)


def run_job(*, job_id: int, handler: Handler) -> None:
    """Run one job. Never raises: the outcome, good or bad, is written to the Job row."""
    started = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker_host=HOST, worker_pid=os.getpid()
    )
    if not started:  # unknown, or already run (huey may deliver a task twice after a crash)
        logger.warning("Tâche %s introuvable ou déjà traitée : ignorée", job_id)
        return
    job = Job.objects.get(pk=job_id)
    reporter = ProgressReporter(job_id)
    try:
        outcome = handler(job, reporter)
    except JobError as error:
        _finish(job_id, status=JobStatus.FAILED, error=str(error), reporter=reporter)
    except Exception as error:
        logger.exception("Tâche %s (%s) en échec", job_id, job.kind)
        _finish(
            job_id,
            status=JobStatus.FAILED,
            error=(
                f"Le traitement s'est arrêté sur une erreur interne ({type(error).__name__}). Rien n'a été "
                "enregistré par cette tâche ; l'administrateur trouvera le détail dans les journaux."
            ),
            reporter=reporter,
        )
    else:
        _finish(
            job_id,
            status=JobStatus.DONE,
            counts=outcome.counts,
            result=outcome.result,
            message=outcome.message,
            reporter=reporter,
        )


def _finish(job_id: int, *, status: str, reporter: ProgressReporter | None = None, **fields: Any) -> None:
    last = reporter.last() if reporter else None
    if last:
        fields.setdefault("processed", last["processed"])
        fields.setdefault("progress", last["progress"])
    if status == JobStatus.DONE:
        fields["progress"] = 1.0
    if "counts" in fields and "read" in fields["counts"]:
        fields["processed"] = fields["counts"]["read"]
    Job.objects.filter(pk=job_id).update(status=status, finished_at=timezone.now(), **fields)
    if reporter:
        reporter.clear()


# --- Jobs whose worker died -------------------------------------------------------------------------------


def silence_limit() -> timedelta:
    return timedelta(minutes=float(getattr(settings, "SPASER_JOB_SILENCE_MINUTES", DEFAULT_SILENCE_MINUTES)))


def _process_gone(host: str, pid: int | None) -> bool | None:
    """True when the process is known to be gone, False when it runs, None when it cannot be checked here."""
    if not pid or host != HOST:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, under another account
        return False
    return False


def reconcile_interrupted(jobs) -> list[int]:
    """Mark as interrupted the running jobs among `jobs` (a queryset) whose worker died. One query to
    read them, one update per interrupted job; returns their ids."""
    now = timezone.now()
    limit = silence_limit()
    interrupted = []
    for job in jobs.filter(status=JobStatus.RUNNING).only("pk", "started_at", "worker_host", "worker_pid"):
        gone = _process_gone(job.worker_host, job.worker_pid)
        live = live_progress(job.pk) if gone is not True else None
        if gone is None:
            signs = [job.started_at or now]
            if live and live.get("at"):
                signs.append(datetime.fromtimestamp(live["at"], tz=UTC))
            gone = now - max(signs) > limit
        if not gone:
            continue
        fields = {"status": JobStatus.INTERRUPTED, "finished_at": now, "error": INTERRUPTED_ERROR}
        if live:
            fields.update(processed=live["processed"], progress=live["progress"])
        if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields):
            logger.warning("Tâche %s interrompue : son processus (%s, %s) a disparu", job.pk, job.worker_host,
                           job.worker_pid)  # fmt: skip
            interrupted.append(job.pk)
    return interrupted


# --- Reading ---------------------------------------------------------------------------------------------


def count_rows(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The counts in display order with their French labels."""
    keys = [key for key in COUNT_LABELS if key in counts] + [key for key in counts if key not in COUNT_LABELS]
    return [{"key": key, "label": COUNT_LABELS.get(key, key), "value": counts[key]} for key in keys]


def job_state(job: Job) -> dict[str, Any]:
    """What the job page and its JSON endpoint show: the row, with the live progress while it runs."""
    processed, progress = job.processed, job.progress
    if job.status == JobStatus.RUNNING:
        live = live_progress(job.pk)
        if live:
            processed, progress = live["processed"], live["progress"]
    if job.status == JobStatus.DONE:
        percent = 100
    elif progress is None:
        percent = None
    else:
        percent = max(0, min(100, int(progress * 100)))
    stale = job.status == JobStatus.QUEUED and timezone.now() - job.created_at > STALE_QUEUE_DELAY
    return {
        "id": job.pk,
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.is_finished,
        "processed": processed,
        "progress": progress,
        "percent": percent,
        "message": job.message,
        "waiting_hint": (
            "La tâche attend toujours d'être prise en charge : le service de tâches (spaser run_huey) "
            "est-il lancé ?"
            if stale
            else ""
        ),
        "counts": count_rows(job.counts),
        "result": job.result,
        "error": job.error,
    }
