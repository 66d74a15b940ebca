"""Daily task reminders at 8:15 by huey's clock, after the campaign reminders (spaser/campaigns/tasks.py);
the same as `spaser send_reminders` from cron. At most one e-mail per person per day (ReminderLog)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .reminders import send_reminders

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour=8, minute=15))
def send_task_reminders_daily() -> int:
    report = send_reminders()
    logger.info("Rappels des tâches : %s courriel(s) envoyé(s).", report.mails_sent)
    return report.mails_sent
