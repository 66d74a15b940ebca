"""Reminders: who gets mail (members of a direction that still owes entries; the pilots for entries without
direction), one mail per person, never twice a day, nothing sent on a dry run; the command and the button."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from spaser.campaigns import services
from spaser.campaigns.models import Reminder, ReminderTrigger
from spaser.campaigns.reminders import send_reminders
from spaser.campaigns.tasks import remind_campaigns_daily
from tests.factories import MembershipFactory

from .conftest import entry_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 10)  # the campaign fixture is due on 2026-02-15: inside the 7-day window


def _recipients() -> dict[str, str]:
    return {message.to[0]: message.body for message in mail.outbox}


def test_directions_that_owe_entries_are_reminded_once_each(world, campaign):
    # The resource direction has submitted: nothing to remind it of.
    services.submit_entry(entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="3")
    report = send_reminders(today=TODAY)
    received = _recipients()
    assert set(received) == {world.prescribing_referent.email, world.pilot.email}
    assert report.mails_sent == 2
    body = received[world.prescribing_referent.email]
    assert "T6 — Agents formés aux achats responsables (à saisir)" in body
    assert f"/saisies/{campaign.pk}/" in body
    assert "Date limite : 15/02/2026" in body
    assert "E5" not in body
    assert "T2 — Dépenses évitées" in received[world.pilot.email]  # the entry without direction
    assert mail.outbox[0].subject.startswith("[Spaser] Indicateurs à saisir avant le 15/02/2026")
    rows = {(r.direction_id, tuple(r.recipients), tuple(r.indicators)) for r in Reminder.objects.all()}
    assert rows == {
        (world.prescribing.pk, (world.prescribing_referent.email,), ("T6",)),
        (None, (world.pilot.email,), ("T2",)),
    }


def test_nobody_is_reminded_twice_the_same_day(world, campaign):
    send_reminders(today=TODAY)
    first = len(mail.outbox)
    report = send_reminders(today=TODAY)
    assert len(mail.outbox) == first
    assert report.mails_sent == 0
    assert len(report.skipped_today) == 3
    send_reminders(today=TODAY + timedelta(days=1))
    assert len(mail.outbox) == 2 * first


def test_a_sent_back_entry_is_reminded_with_the_pilots_comment(world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="3"
    )
    services.send_back_entry(entry=entry, user=world.pilot, comment="Précisez la source.")
    send_reminders(today=TODAY)
    body = _recipients()[world.resource_referent.email]
    assert "E5 — Part du réemploi (renvoyée)" in body
    assert "Commentaire du pilote : Précisez la source." in body


def test_campaigns_far_from_their_due_date_or_closed_are_not_reminded(world, campaign):
    assert send_reminders(today=campaign.due_date - timedelta(days=8)).mails_sent == 0
    assert send_reminders(today=campaign.due_date + timedelta(days=30)).mails_sent == 3  # past due: reminded
    services.close_campaign(campaign=campaign, user=world.pilot)
    assert send_reminders(today=campaign.due_date + timedelta(days=31)).mails_sent == 0


def test_one_mail_per_person_listing_every_campaign(world, campaign):
    services.open_campaign(
        scheme=world.scheme, year=2024, due_date=TODAY, user=world.pilot, indicators=[world.trained]
    )
    send_reminders(today=TODAY)
    to_referent = [m for m in mail.outbox if m.to == [world.prescribing_referent.email]]
    assert len(to_referent) == 1
    assert "Indicateurs à saisir : 2 campagnes" in to_referent[0].subject
    assert "Saisie des indicateurs — 2024" in to_referent[0].body
    assert "Saisie des indicateurs — 2025" in to_referent[0].body


def test_members_without_email_are_reported_not_mailed(world, campaign):
    world.prescribing_referent.email = ""
    world.prescribing_referent.save()
    second = MembershipFactory(
        organisation=world.organisation, prescribing_referent=True, direction=world.prescribing
    ).user
    report = send_reminders(today=TODAY)
    assert second.email in _recipients()
    assert "" not in _recipients()
    assert all(
        due.without_email == [world.prescribing_referent]
        for due in report.dues
        if due.direction == world.prescribing
    )


def test_dry_run_sends_and_records_nothing(world, campaign):
    report = send_reminders(today=TODAY, dry_run=True)
    assert not mail.outbox
    assert not Reminder.objects.exists()
    assert {due.label for due in report.reminded} == {
        world.prescribing.name, world.resource.name, "Pilote du schéma (sans direction)",
    }  # fmt: skip


def test_command_dry_run_then_real(world, world_due_today, capsys):
    call_command("remind_campaigns", "--dry-run")
    out = capsys.readouterr().out
    assert "Serait relancée" in out
    assert "aucun courriel envoyé" in out
    assert not mail.outbox
    assert not Reminder.objects.exists()
    call_command("remind_campaigns")
    assert "3 courriel(s) envoyé(s)" in capsys.readouterr().out
    assert Reminder.objects.filter(trigger=ReminderTrigger.COMMAND).count() == 3
    call_command("remind_campaigns")
    assert "Déjà relancée aujourd'hui" in capsys.readouterr().out
    assert len(mail.outbox) == 3


def test_the_daily_task_runs_the_same_reminders(world, world_due_today):
    assert remind_campaigns_daily.call_local() == 3
    assert Reminder.objects.filter(trigger=ReminderTrigger.SCHEDULE).count() == 3


def test_remind_now_button(client, world, campaign):
    client.force_login(world.pilot)
    response = client.post(reverse("campaigns:remind", args=[campaign.pk]), follow=True)
    page = response.content.decode()
    assert "Relance envoyée (3 courriel(s))" in page
    assert "http://testserver/saisies/" in mail.outbox[0].body
    assert Reminder.objects.filter(trigger=ReminderTrigger.BUTTON, sent_by=world.pilot).count() == 3
    page = client.post(reverse("campaigns:remind", args=[campaign.pk]), follow=True).content.decode()
    assert "Déjà relancée(s) aujourd&#x27;hui" in page
    assert len(mail.outbox) == 3


@pytest.fixture
def world_due_today(world):
    return services.open_campaign(
        scheme=world.scheme, year=2025, due_date=timezone.localdate(), user=world.pilot
    )
