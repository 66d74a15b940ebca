"""The corrective-action log (filters status / direction / overdue, pagination, CSV, empty states) and an
action's page (follow-up history; the owners' update form)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from spaser.governance.models import CorrectiveAction, CorrectiveStatus, MeetingStatus
from spaser.governance.views.actions import PER_PAGE
from tests.governance.conftest import meeting

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(strip_tags(response.content.decode())))


@pytest.fixture
def log(world):
    today = timezone.localdate()
    held = meeting(world.cotech, today - timedelta(days=40), status=MeetingStatus.HELD)

    def make(title, direction, due, status=CorrectiveStatus.OPEN):
        return CorrectiveAction.objects.create(
            organisation=world.organisation,
            meeting=held,
            title=title,
            owner_direction=direction,
            due_date=today + timedelta(days=due),
            expected_effect="Un effet mesurable.",
            status=status,
        )

    world.late = make("Relancer la voirie", world.prescribing, -3)
    world.coming = make("Former les acheteurs", world.resource, 20, CorrectiveStatus.IN_PROGRESS)
    world.done = make("Publier les DECP", world.prescribing, -10, CorrectiveStatus.DONE)
    return world


def titles(response) -> list[str]:
    return [a.title for a, _overdue in response.context["rows"]]


def test_the_list_filters_by_status_direction_and_overdue(client, log):
    client.force_login(log.committee_member)
    url = reverse("governance:actions")
    assert titles(client.get(url)) == ["Publier les DECP", "Relancer la voirie", "Former les acheteurs"]
    assert titles(client.get(url, {"status": "ouvertes"})) == ["Relancer la voirie", "Former les acheteurs"]
    assert titles(client.get(url, {"status": "done"})) == ["Publier les DECP"]
    assert titles(client.get(url, {"direction": log.resource.slug})) == ["Former les acheteurs"]
    response = client.get(url, {"overdue": "on"})
    assert titles(response) == ["Relancer la voirie"]
    assert "en retard" in text(response)
    response = client.get(url, {"status": "n-importe"})
    assert response.status_code == 200
    assert len(titles(response)) == 3


def test_the_list_has_empty_states(client, world):
    client.force_login(world.pilot)
    assert "Aucune action corrective n'a encore été décidée en comité." in text(
        client.get(reverse("governance:actions"))
    )
    assert "Aucune action corrective ne correspond à ces filtres." in text(
        client.get(reverse("governance:actions"), {"overdue": "on"})
    )


def test_the_list_is_paginated(client, log):
    held = log.late.meeting
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            organisation=log.organisation,
            meeting=held,
            title=f"Action {n}",
            owner_direction=log.prescribing,
            due_date=held.date + timedelta(days=n),
            expected_effect="Effet",
        )
        for n in range(PER_PAGE)
    )
    client.force_login(log.pilot)
    first = client.get(reverse("governance:actions"))
    assert len(first.context["rows"]) == PER_PAGE
    assert "Page suivante" in text(first)
    second = client.get(reverse("governance:actions"), {"page": 2})
    assert len(second.context["rows"]) == 3


def test_the_csv_export_follows_the_filters(client, log):
    client.force_login(log.pilot)
    response = client.get(reverse("governance:actions_csv"), {"status": "ouvertes"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Action", "Direction pilote", "Échéance", "État"]
    assert [(r[0], r[4]) for r in rows[1:]] == [
        ("Relancer la voirie", "oui"),
        ("Former les acheteurs", "non"),
    ]


def test_an_owner_updates_the_action_and_the_history_shows_it(client, log):
    client.force_login(log.prescribing_referent)
    url = reverse("governance:action", args=[log.late.pk])
    page = client.get(url)
    assert "Aucun suivi enregistré pour l'instant." in text(page)
    assert "Mettre à jour l'action" in text(page)
    response = client.post(url, {"status": "in_progress", "comment": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text(response)
    response = client.post(
        url, {"status": "done", "comment": "Trois marchés relancés avec la clause."}, follow=True
    )
    body = text(response)
    assert "Suivi enregistré." in body
    assert "Trois marchés relancés avec la clause." in body
    log.late.refresh_from_db()
    assert log.late.status == CorrectiveStatus.DONE
    assert log.late.closed_at is not None
    assert "Close le" in body


def test_a_reader_sees_the_action_without_the_form_and_cannot_post(client, log):
    client.force_login(log.resource_referent)  # not the owner direction of this action
    url = reverse("governance:action", args=[log.late.pk])
    body = text(client.get(url))
    assert "Relancer la voirie" in body
    assert "Mettre à jour l'action" not in body
    assert client.post(url, {"status": "done", "comment": "Fait"}).status_code == 403
    log.late.refresh_from_db()
    assert log.late.status == CorrectiveStatus.OPEN
    assert not log.late.updates.exists()
