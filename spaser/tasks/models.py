"""The trace of the task reminders: one row per person and day, written with the e-mail it stands for, so
that nobody receives two reminders the same day (a second run, or two runs at once, sends nothing more).
A log row is written once and never edited: it is its own audit trail."""

from django.conf import settings
from django.db import models


class ReminderLog(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="task_reminders",
        verbose_name="destinataire",
    )
    day = models.DateField("jour de la relance")
    email = models.EmailField("adresse", blank=True)
    kinds = models.JSONField("types de tâches", default=list)
    count = models.PositiveIntegerField("nombre de tâches rappelées")
    overdue_count = models.PositiveIntegerField("dont en retard", default=0)
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "relance des tâches"
        verbose_name_plural = "relances des tâches"
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="task_reminder_one_per_user_and_day"),
        ]

    def __str__(self) -> str:
        return f"Relance de {self.user} le {self.day:%d/%m/%Y} ({self.count} tâche(s))"
