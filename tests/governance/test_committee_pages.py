"""The governance index (committees, calendar with the proposed next date, open / overdue action counts) and
the committee pages (members, meetings; the pilot edits the committee and its members)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from spaser.governance.models import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    CorrectiveAction,
    MeetingStatus,
)
from spaser.governance.selectors import add_months, proposed_date
from tests.governance.conftest import meeting

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(strip_tags(response.content.decode())))


def action(world, held, due, **fields):
    return CorrectiveAction.objects.create(
        organisation=world.organisation,
        meeting=held,
        title=fields.pop("title", "Relancer les clauses"),
        owner_direction=world.prescribing,
        due_date=due,
        expected_effect="Plus de clauses.",
        **fields,
    )


def test_the_index_shows_committees_calendar_and_action_counts(client, world):
    today = timezone.localdate()
    past = meeting(world.cotech, today - timedelta(days=20), status=MeetingStatus.HELD)
    upcoming = meeting(world.copil, today + timedelta(days=10), location="Salle du conseil")
    action(world, past, today - timedelta(days=1))
    action(world, past, today + timedelta(days=30))
    action(world, past, today - timedelta(days=5), status="done")
    client.force_login(world.committee_member)
    response = client.get(reverse("governance:index"))
    assert response.status_code == 200
    body = text(response)
    assert "COTECH achats responsables" in body
    assert "COPIL du SPASER" in body
    assert "2 ouvertes" in body
    assert "1 en retard" in body
    expected = add_months(past.date, 1)
    while expected < today:
        expected = add_months(expected, 1)
    assert f"Date proposée d'après la périodicité (dernière séance le {past.date:%d/%m/%Y})" in body
    with translation.override("fr"):
        assert date_format(expected, "l j F Y") in body
    html = response.content.decode()
    assert reverse("governance:meeting", args=[upcoming.pk]) in html
    assert reverse("governance:meeting", args=[past.pk]) in html
    assert "Planifier cette séance" not in body  # readers get no tools


def test_the_index_of_an_organisation_without_anything_says_so(client, world):
    Committee.objects.filter(organisation=world.organisation).delete()
    client.force_login(world.pilot)
    body = text(client.get(reverse("governance:index")))
    assert "Aucun comité n'est encore constitué." in body
    assert "Aucune séance prévue." in body
    assert "Aucune séance tenue pour l'instant." in body
    assert "Constituer le Comité technique (COTECH)" in body


def test_the_proposed_date_follows_the_periodicity_and_never_lies_in_the_past(world):
    assert proposed_date(world.cotech, None, date(2026, 5, 4)) == date(2026, 5, 4)
    last = meeting(world.copil, date(2025, 8, 31), status=MeetingStatus.HELD)
    assert proposed_date(world.copil, last, date(2026, 1, 10)) == date(2026, 2, 28)
    assert proposed_date(world.copil, last, date(2026, 3, 1)) == date(2026, 8, 31)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)


def test_the_pilot_plans_the_proposed_meeting_from_the_index(client, world):
    client.force_login(world.pilot)
    html = client.get(reverse("governance:index")).content.decode()
    today = timezone.localdate()
    assert f"{reverse('governance:meeting_create', args=[world.cotech.pk])}?date={today:%Y-%m-%d}" in html


def test_the_committee_page_lists_members_and_meetings(client, world):
    held = meeting(world.cotech, date(2026, 10, 6), status=MeetingStatus.HELD)
    client.force_login(world.prescribing_referent)
    response = client.get(reverse("governance:committee", args=[world.cotech.pk]))
    body = text(response)
    assert "Nadia Benali" in body
    assert "Référente" in body
    assert "Délégation à la transition écologique" in body
    assert reverse("governance:meeting", args=[held.pk]) in response.content.decode()
    assert "Ajouter un membre" not in body
    empty = text(client.get(reverse("governance:committee", args=[world.copil.pk])))
    assert "Aucun membre pour l'instant." in empty
    assert "Ce comité n'a encore aucune séance." in empty


def test_the_pilot_edits_the_committee_and_manages_members(client, world):
    client.force_login(world.pilot)
    response = client.post(
        reverse("governance:committee_edit", args=[world.cotech.pk]), {"name": "", "frequency_months": "1"}
    )
    assert "Ce champ est obligatoire." in text(response)
    client.post(
        reverse("governance:committee_edit", args=[world.cotech.pk]),
        {"name": "COTECH du SPASER", "description": "Suivi mensuel", "frequency_months": "1"},
    )
    world.cotech.refresh_from_db()
    assert world.cotech.name == "COTECH du SPASER"
    response = client.post(
        reverse("governance:member_add", args=[world.cotech.pk]),
        {
            "name": "Paul Martin",
            "function": "Directeur",
            "direction": world.prescribing.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    seat = CommitteeMember.objects.get(name="Paul Martin")
    client.post(
        reverse("governance:member_edit", args=[seat.pk]),
        {
            "name": "Paul Martin",
            "function": "Directeur adjoint",
            "email": "paul@example.org",
            "is_active": "on",
        },
    )
    seat.refresh_from_db()
    assert (seat.function, seat.email, seat.direction) == ("Directeur adjoint", "paul@example.org", None)
    client.post(reverse("governance:member_remove", args=[seat.pk]))
    assert not CommitteeMember.objects.filter(pk=seat.pk).exists()


def test_the_pilot_creates_a_missing_committee(client, world):
    world.copil.delete()
    client.force_login(world.pilot)
    form = client.get(reverse("governance:committee_create") + "?type=copil")
    assert 'value="6"' in form.content.decode()
    response = client.post(
        reverse("governance:committee_create"), {"kind": "copil", "name": "COPIL", "frequency_months": "6"}
    )
    assert response.status_code == 302
    assert (
        Committee.objects.get(organisation=world.organisation, kind=CommitteeKind.COPIL).frequency_months == 6
    )
    response = client.post(
        reverse("governance:committee_create"), {"kind": "copil", "name": "Encore", "frequency_months": "6"}
    )
    assert "l'organisation a déjà ce comité" in text(response)
