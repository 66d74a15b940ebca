"""Who may see and do what in governance, through the pages: every member reads; the pilot prepares and holds
meetings and manages committees; the owner direction's referents update their corrective actions; a
member who may only read gets 403 on a write and nothing changes; outsiders (another organisation's pilot)
get 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from spaser.governance.models import AgendaItem, CorrectiveAction, Decision, Meeting, MeetingStatus
from spaser.governance.permissions import can_manage, can_read, can_update_action
from tests.governance.conftest import meeting, member

pytestmark = pytest.mark.django_db
READERS = ("pilot", "prescribing_referent", "resource_referent", "committee_member")
NOT_PILOTS = ("prescribing_referent", "resource_referent", "committee_member")


@pytest.fixture
def objects(world):
    today = timezone.localdate()
    world.planned = meeting(world.cotech, today)
    world.item = AgendaItem.objects.create(meeting=world.planned, position=1, title="Indicateurs")
    world.decision = Decision.objects.create(meeting=world.planned, text="Relancer")
    world.action = CorrectiveAction.objects.create(
        organisation=world.organisation,
        meeting=world.planned,
        title="Relancer la voirie",
        owner_direction=world.prescribing,
        due_date=today + timedelta(days=10),
        expected_effect="Effet",
    )
    return world


def read_urls(w) -> list[str]:
    return [
        reverse("governance:index"),
        reverse("governance:committee", args=[w.cotech.pk]),
        reverse("governance:meeting", args=[w.planned.pk]),
        reverse("governance:actions"),
        reverse("governance:actions_csv"),
        reverse("governance:action", args=[w.action.pk]),
    ]


def pilot_gets(w) -> list[str]:
    return [
        reverse("governance:committee_create"),
        reverse("governance:committee_edit", args=[w.cotech.pk]),
        reverse("governance:member_add", args=[w.cotech.pk]),
        reverse("governance:member_edit", args=[w.cotech_member.pk]),
        reverse("governance:meeting_create", args=[w.cotech.pk]),
        reverse("governance:meeting_edit", args=[w.planned.pk]),
        reverse("governance:meeting_hold", args=[w.planned.pk]),
        reverse("governance:meeting_cancel", args=[w.planned.pk]),
        reverse("governance:attendance", args=[w.planned.pk]),
        reverse("governance:minutes", args=[w.planned.pk]),
        reverse("governance:decision_add", args=[w.planned.pk]),
        reverse("governance:decision_edit", args=[w.decision.pk]),
        reverse("governance:action_create", args=[w.planned.pk]),
    ]


def pilot_posts(w) -> list[str]:
    return [
        reverse("governance:meeting_hold", args=[w.planned.pk]),
        reverse("governance:meeting_cancel", args=[w.planned.pk]),
        reverse("governance:member_remove", args=[w.cotech_member.pk]),
        reverse("governance:agenda_add", args=[w.planned.pk]),
        reverse("governance:agenda_up", args=[w.item.pk]),
        reverse("governance:agenda_remove", args=[w.item.pk]),
        reverse("governance:decision_remove", args=[w.decision.pk]),
        reverse("governance:minutes", args=[w.planned.pk]),
    ]


@pytest.mark.parametrize("role", READERS)
def test_every_member_reads_every_governance_page(client, objects, role):
    client.force_login(getattr(objects, role))
    for url in read_urls(objects):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", NOT_PILOTS)
def test_only_the_pilot_prepares_and_holds_and_nothing_changes_otherwise(client, objects, role):
    client.force_login(getattr(objects, role))
    for url in pilot_gets(objects):
        assert client.get(url).status_code == 403, url
    for url in pilot_posts(objects):
        assert client.post(url, {"title": "Point", "minutes": "X"}).status_code == 403, url
    planned = Meeting.objects.get(pk=objects.planned.pk)
    assert planned.status == MeetingStatus.PLANNED
    assert planned.pack is None
    assert planned.minutes == ""
    assert AgendaItem.objects.count() == 1
    assert Decision.objects.count() == 1
    assert objects.cotech_member.__class__.objects.filter(pk=objects.cotech_member.pk).exists()


def test_the_pilot_reaches_every_preparation_page(client, objects):
    client.force_login(objects.pilot)
    for url in pilot_gets(objects):
        assert client.get(url).status_code == 200, url


def test_outsiders_get_404_everywhere(client, objects):
    client.force_login(objects.outsider)  # pilot of another organisation: its own lists, none of ours
    object_pages = [url for url in read_urls(objects) if url[-2].isdigit()] + pilot_gets(objects)[1:]
    assert len(object_pages) == 15
    for url in object_pages:
        assert client.get(url).status_code == 404, url
    titles = [a.title for a, _overdue in client.get(reverse("governance:actions")).context["rows"]]
    assert titles == []
    for url in pilot_posts(objects):
        assert client.post(url).status_code == 404, url
    assert client.post(reverse("governance:action", args=[objects.action.pk])).status_code == 404


def test_a_user_without_organisation_gets_404(client, objects, django_user_model):
    client.force_login(django_user_model.objects.create_user("sans-organisation"))
    assert client.get(reverse("governance:index")).status_code == 404


def test_the_owner_direction_updates_its_action_others_do_not(objects):
    action = objects.action
    assert can_update_action(member(objects, objects.prescribing_referent), action)
    assert can_update_action(member(objects, objects.pilot), action)
    assert not can_update_action(member(objects, objects.resource_referent), action)
    assert not can_update_action(member(objects, objects.committee_member), action)
    assert not can_update_action(member(objects, objects.outsider), action)
    organisation = objects.organisation
    assert can_read(member(objects, objects.committee_member), organisation)
    assert not can_manage(member(objects, objects.committee_member), organisation)
    assert not can_read(member(objects, objects.outsider), organisation)


def test_the_owner_posts_a_follow_up_and_a_committee_member_gets_403(client, objects):
    url = reverse("governance:action", args=[objects.action.pk])
    client.force_login(objects.committee_member)
    assert client.post(url, {"status": "done", "comment": "Fait"}).status_code == 403
    client.force_login(objects.prescribing_referent)
    assert client.post(url, {"status": "in_progress", "comment": "Lancée"}).status_code == 302
    objects.action.refresh_from_db()
    assert objects.action.status == "in_progress"
    assert objects.action.updates.count() == 1
