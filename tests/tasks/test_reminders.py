"""`spaser send_reminders`: one e-mail per person and day listing the tasks overdue or due within 7 days, with
absolute links; people without e-mail skipped and counted; a second run the same day sends nothing; a dry
run sends and writes nothing."""

import smtplib
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from spaser.tasks import reminders
from spaser.tasks.models import ReminderLog
from spaser.tasks.reminders import send_reminders

from .conftest import TODAY, advice_of, days, make_contract, make_project, months

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", "--date", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def outbox() -> dict[str, object]:
    return {message.to[0]: message for message in mail.outbox}


@pytest.fixture
def due_work(world):
    """DV: a contract overdue and one due in 5 days (remind), one in 2 months (not yet); a project whose
    advice (DTER) is overdue, and one whose advice is due in 15 days (not yet)."""
    world.late_contract = make_contract(world, end_date=days(-6), object="Nettoyage des locaux")
    world.soon_contract = make_contract(world, end_date=days(5), object="Entretien des ascenseurs")
    world.later_contract = make_contract(world, end_date=months(2), object="Maintenance des chaudières")
    world.project = make_project(world, title="Rénovation du gymnase", planned_launch_date=days(90))
    advice = advice_of(world.project, world.resource)
    advice.deadline = days(-1)
    advice.save()
    world.later_project = make_project(world, title="Aire de jeux", planned_launch_date=days(120))
    return world


def test_each_person_gets_its_due_tasks_with_absolute_links(due_work):
    world = due_work
    output = run()
    received = outbox()
    assert set(received) == {
        world.pilot.email,
        world.prescribing_referent.email,
        world.resource_referent.email,
    }
    referent = received[world.prescribing_referent.email]
    assert referent.subject == "[Spaser] 2 tâches à traiter, dont 1 en retard"
    body = referent.body
    assert "[EN RETARD]" in body
    assert world.late_contract.uid in body
    assert world.soon_contract.uid in body
    assert world.later_contract.uid not in body  # due in 2 months: not yet
    assert world.project.reference not in body  # its need review has no date before 90 days
    root = settings.SPASER_BASE_URL.rstrip("/")
    assert root + reverse("renewals:review", args=[world.late_contract.pk]) in body
    assert root + reverse("tasks:mine") in body
    assert body.index(world.late_contract.uid) < body.index(world.soon_contract.uid)

    resource = received[world.resource_referent.email].body
    assert world.project.reference in resource
    assert world.later_project.reference not in resource  # its advice is due in 15 days
    assert world.late_contract.uid not in resource
    assert "Avis à rendre (1, dont 1 en retard)" in resource

    pilot = received[world.pilot.email]
    assert pilot.subject == "[Spaser] 3 tâches à traiter, dont 2 en retard"

    assert (
        "Relance envoyée à : " + world.prescribing_referent.email + " — 2 tâches dont 1 en retard" in output
    )
    assert "3 courriels envoyé(s)" in output
    # the others (committee, the other directions' referents) have nothing to be reminded of
    assert "3 personnes sans rien à relancer" in output

    log = ReminderLog.objects.get(user=world.prescribing_referent, day=TODAY)
    assert log.kinds == ["renewal"]
    assert log.count == 2
    assert log.overdue_count == 1
    assert log.email == world.prescribing_referent.email


def test_second_run_the_same_day_sends_nothing(due_work):
    run()
    assert len(mail.outbox) == 3
    output = run()
    assert len(mail.outbox) == 3
    assert "0 courriel envoyé(s)" in output
    assert "3 personnes déjà relancée(s) ce jour" in output
    assert f"Relance déjà envoyée le {TODAY:%d/%m/%Y} à : " in output
    assert ReminderLog.objects.count() == 3
    # The next day they are reminded again.
    report = send_reminders(today=days(1))
    assert report.mails_sent == 3
    assert len(mail.outbox) == 6


def test_dry_run_sends_and_writes_nothing(due_work):
    output = run("--dry-run")
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()
    assert f"Relance à envoyer à : {due_work.pilot.email}" in output
    assert "3 courriels à envoyer" in output
    assert "Essai à blanc : aucun courriel envoyé, rien enregistré." in output


def test_people_without_email_are_skipped_and_counted(due_work):
    world = due_work
    world.prescribing_referent.email = ""
    world.prescribing_referent.save()
    output = run()
    assert set(outbox()) == {world.pilot.email, world.resource_referent.email}
    assert "Pas d'adresse électronique, relance impossible : Prénom" in output
    assert "1 personne sans adresse électronique" in output
    assert not ReminderLog.objects.filter(user=world.prescribing_referent).exists()


def test_nothing_to_send(world):
    make_contract(world, end_date=months(2))
    output = run()
    assert mail.outbox == []
    assert "0 courriel envoyé(s)" in output
    assert "sans rien à relancer" in output


def test_inactive_users_are_not_reminded(due_work):
    due_work.pilot.is_active = False
    due_work.pilot.save()
    run()
    assert due_work.pilot.email not in outbox()


def test_invalid_date_is_refused(world):
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("send_reminders", "--date", "31/12/2026", stdout=StringIO())


def test_query_count_is_bounded(due_work, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        report = send_reminders(today=TODAY, dry_run=True)
    assert len(report.sent) == 3


def test_a_failed_send_records_nothing_and_is_retried(due_work, monkeypatch):
    def broken(**kwargs):
        raise smtplib.SMTPServerDisconnected("connexion perdue")

    monkeypatch.setattr(reminders, "send_mail", broken)
    output = run()
    assert "Envoi impossible : " + due_work.pilot.email in output
    assert "3 envois en échec" in output
    assert not ReminderLog.objects.exists()
    monkeypatch.undo()
    run()
    assert len(mail.outbox) == 3


def test_long_lists_are_cut_in_the_mail_most_urgent_first(world):
    contracts = [
        make_contract(world, end_date=days(-30 + i)) for i in range(reminders.MAIL_ITEMS_PER_KIND + 3)
    ]
    run()
    body = outbox()[world.prescribing_referent.email].body
    assert (
        f"Décisions de renouvellement en attente ({len(contracts)}, dont {len(contracts)} en retard)" in body
    )
    assert contracts[0].uid in body
    assert contracts[reminders.MAIL_ITEMS_PER_KIND - 1].uid in body
    assert contracts[reminders.MAIL_ITEMS_PER_KIND].uid not in body
    assert "… et 3 autres : voir la page « Mes tâches »." in body


def test_the_worker_sends_the_reminders_daily_at_8_15(due_work):
    """The periodic task runs the same function as the command; huey fires it at 8:15 only."""
    from datetime import datetime

    from django.core import mail

    from spaser.tasks import tasks

    task = tasks.send_task_reminders_daily.task_class()
    assert task.validate_datetime(datetime(2026, 12, 1, 8, 15))
    assert not task.validate_datetime(datetime(2026, 12, 1, 8, 0))
    sent = tasks.send_task_reminders_daily.call_local()
    assert sent == len(mail.outbox) > 0
