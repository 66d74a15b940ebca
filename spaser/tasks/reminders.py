"""Task reminders: each member gets at most one e-mail a day listing its tasks (selectors.py) that are overdue
or due within REMINDER_WINDOW_DAYS days, with links to the pages where they are done.

Run daily by cron through `spaser send_reminders`. A ReminderLog row per person and day, written in the same
transaction as the e-mail is sent, keeps anybody from receiving two reminders the same day (a failed send
writes nothing, so the next run tries again). Members without an e-mail address are skipped and counted. A dry
run sends and records nothing. A person belonging to several organisations gets one e-mail for all of them.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from spaser.organisations.models import DIRECTION_ROLES, Membership, Role

from . import selectors
from .models import ReminderLog

REMINDER_WINDOW_DAYS = 7
MAIL_ITEMS_PER_KIND = 10  # beyond, the e-mail says how many more and links to the page
logger = logging.getLogger(__name__)


@dataclass
class Recipient:
    user: object
    tasks: list = field(default_factory=list)
    organisations: list = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for task in self.tasks if task.overdue)

    @property
    def groups(self) -> list[selectors.TaskGroup]:
        return [each for each in selectors.group(self.tasks) if each.count]

    def mail_groups(self) -> list[dict]:
        """Each non-empty group, its first MAIL_ITEMS_PER_KIND tasks (the most urgent) and the others."""
        return [
            {
                "group": each,
                "tasks": each.tasks[:MAIL_ITEMS_PER_KIND],
                "more": each.tasks[MAIL_ITEMS_PER_KIND:],
            }
            for each in self.groups
        ]


@dataclass
class ReminderReport:
    day: date
    dry_run: bool = False
    sent: list[Recipient] = field(default_factory=list)  # reminded (or, on a dry run, who would be)
    without_email: list[Recipient] = field(default_factory=list)
    already_reminded: list[Recipient] = field(default_factory=list)
    failed: list[Recipient] = field(default_factory=list)
    nothing_to_send: int = 0  # members with no task overdue or due soon

    @property
    def mails_sent(self) -> int:
        return 0 if self.dry_run else len(self.sent)


def is_due_soon(task: selectors.Task, today: date) -> bool:
    return task.overdue or (task.due is not None and task.due <= today + timedelta(days=REMINDER_WINDOW_DAYS))


def recipients(today: date) -> tuple[list[Recipient], int]:
    """(members with tasks to remind, number of members with none), whoever they are. A bounded number of
    queries per organisation: its tasks are read once, then shared out with selectors.sees."""
    memberships = list(
        Membership.objects.filter(user__is_active=True, role__in=[Role.PILOT, *DIRECTION_ROLES])
        .select_related("user", "organisation", "direction")
        .order_by("organisation__name", "user__last_name", "user__first_name", "user__username")
    )
    tasks_by_organisation: dict[int, list] = {}
    people: dict[int, Recipient] = {}
    for membership in memberships:
        organisation = membership.organisation
        if organisation.pk not in tasks_by_organisation:
            tasks_by_organisation[organisation.pk] = [
                task for task in selectors.collect(organisation, today=today) if is_due_soon(task, today)
            ]
        person = people.setdefault(membership.user_id, Recipient(membership.user))
        mine = [task for task in tasks_by_organisation[organisation.pk] if selectors.sees(membership, task)]
        if mine:
            person.tasks += mine
            person.organisations.append(organisation)
    found = [person for person in people.values() if person.tasks]
    for person in found:
        person.tasks.sort(key=selectors.sort_key)
    return found, len(people) - len(found)


def base_url() -> str:
    return (getattr(settings, "SPASER_BASE_URL", "") or "http://localhost:8000").rstrip("/")


def send_reminders(*, today: date | None = None, dry_run: bool = False) -> ReminderReport:
    today = today or timezone.localdate()
    report = ReminderReport(day=today, dry_run=dry_run)
    found, report.nothing_to_send = recipients(today)
    reminded = set(ReminderLog.objects.filter(day=today).values_list("user_id", flat=True))
    root = base_url()
    for person in found:
        if person.user.pk in reminded:
            report.already_reminded.append(person)
        elif not person.user.email:
            report.without_email.append(person)
        elif dry_run:
            report.sent.append(person)
        else:
            try:
                with transaction.atomic():
                    ReminderLog.objects.create(
                        user=person.user,
                        day=today,
                        email=person.user.email,
                        kinds=sorted({task.kind for task in person.tasks}),
                        count=len(person.tasks),
                        overdue_count=person.overdue_count,
                    )
                    _mail(person, today, root)
            except IntegrityError:  # another run reminded this person meanwhile
                report.already_reminded.append(person)
            except (smtplib.SMTPException, OSError):
                logger.exception("Task reminder to %s failed", person.user.email)
                report.failed.append(person)
            else:
                report.sent.append(person)
    return report


def subject(person: Recipient) -> str:
    count, overdue = len(person.tasks), person.overdue_count
    text = f"{count} tâche{'s' if count > 1 else ''} à traiter"
    if overdue:
        text += f", dont {overdue} en retard"
    return f"[Spaser] {text}"


def _mail(person: Recipient, today: date, root: str) -> None:
    context = {
        "person": person.user,
        "groups": person.mail_groups(),
        "today": today,
        "window": REMINDER_WINDOW_DAYS,
        "root": root,
        "organisations": person.organisations,
    }
    send_mail(
        subject=subject(person),
        message=render_to_string("tasks/email/reminder.txt", context),
        from_email=None,
        recipient_list=[person.user.email],
    )
