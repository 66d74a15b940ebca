"""Background jobs: what a user launched, where it stands, and how it ended.

A Job row is the durable record of one background task (an upload import, later recomputes and PDFs):
its parameters, its status, its final counts and links, its French error. Live progress while it runs
goes through huey's key-value store, outside the database transaction the job holds (see core/jobs.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class JobStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminée"
    FAILED = "failed", "Échouée"
    # Marked running, but its worker stopped without finishing it (killed, restarted): see core/jobs.py.
    INTERRUPTED = "interrupted", "Interrompue"


FINISHED_STATUSES = {JobStatus.DONE, JobStatus.FAILED, JobStatus.INTERRUPTED}
RETRYABLE_STATUSES = {JobStatus.FAILED, JobStatus.INTERRUPTED}


class JobQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        if organisation is None:
            return self.none()
        return self.filter(organisation=organisation)

    def unfinished(self):
        return self.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


class Job(models.Model):
    """One background task. `params` is all the worker receives (the task gets only the job id), so a job
    can be read, retried or debugged from its row alone."""

    kind = models.CharField("type", max_length=40)
    title = models.CharField("intitulé", max_length=300)
    status = models.CharField("statut", max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField("paramètres", default=dict, blank=True)
    progress = models.FloatField("avancement (0 à 1)", null=True, blank=True)
    processed = models.PositiveIntegerField("éléments traités", default=0)
    message = models.CharField("étape", max_length=300, blank=True)
    counts = models.JSONField("bilan chiffré", default=dict, blank=True)
    result = models.JSONField("résultat", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    started_at = models.DateTimeField("commencée le", null=True, blank=True)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    # The process running the job, to tell a live job from one whose worker died (core/jobs.py).
    worker_host = models.CharField("machine du service de tâches", max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField("processus du service de tâches", null=True, blank=True)
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name="relance de",
    )

    objects = JobQuerySet.as_manager()
    # Who launched or relaunched what, when (rows are written on create: the runner's updates are not
    # history, they are the job's own state).
    history = HistoricalRecords(
        excluded_fields=["progress", "processed", "message", "counts", "result", "worker_host", "worker_pid"]
    )

    class Meta:
        verbose_name = "tâche de fond"
        verbose_name_plural = "tâches de fond"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def can_be_retried(self) -> bool:
        return self.status in RETRYABLE_STATUSES

    @property
    def duration(self):
        """Time from start to end (or to now while it runs); None when it never started."""
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at

    @property
    def duration_label(self) -> str:
        """« 2 min 05 s », « 1 h 03 min », « 12 s »; empty when it never started."""
        duration = self.duration
        if duration is None:
            return ""
        seconds = max(0, int(duration.total_seconds()))
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        if hours:
            return f"{hours} h {minutes:02d} min"
        if minutes:
            return f"{minutes} min {seconds:02d} s"
        return f"{seconds} s"

    @property
    def percent(self) -> int | None:
        """0–100, or None while the total is unknown (the page then shows an indeterminate bar)."""
        if self.status == JobStatus.DONE:
            return 100
        if self.progress is None:
            return None
        return max(0, min(100, int(self.progress * 100)))
