"""Daily reminders of the input campaigns, at 8:00 by huey's clock (UTC, huey's default, unless the HUEY
setting says `"utc": False`). Module named `tasks` so that `spaser run_huey` discovers it; the worker must run
for the schedule to fire (scripts/demo.sh starts one)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .models import ReminderTrigger
from .reminders import send_reminders

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour=8, minute=0))
def remind_campaigns_daily() -> int:
    report = send_reminders(trigger=ReminderTrigger.SCHEDULE)
    logger.info("Relances des campagnes de saisie : %s courriel(s) envoyé(s).", report.mails_sent)
    return report.mails_sent
