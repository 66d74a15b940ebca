"""The meeting pages: planning, the meeting page (agenda, attendance, decisions, corrective actions, the pack
as a labelled preview before holding and frozen after — the page keeps the frozen figures after a data
change), the hold and cancel confirmation pages, agenda tools, attendance, minutes, decisions, actions."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from spaser.governance import services
from spaser.governance.models import AttendanceStatus, CorrectiveAction, Decision, Meeting, MeetingStatus
from spaser.indicators.periods import Period
from tests.governance.conftest import meeting, member
from tests.governance.test_packs import contract, store

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(strip_tags(response.content.decode())))


def today():
    return timezone.localdate()


def page(client, user, held_meeting):
    client.force_login(user)
    return client.get(reverse("governance:meeting", args=[held_meeting.pk]))


def test_a_planned_meeting_shows_a_labelled_live_preview_and_the_pilots_tools(client, world):
    planned = meeting(world.cotech, today(), location="Salle 3")
    response = page(client, world.pilot, planned)
    assert response.status_code == 200
    body = text(response)
    assert "Aperçu : données à la date du jour" in body
    assert "Indicateurs clés" in body
    assert "Radar des renouvellements" in body
    assert "Aucun point à l'ordre du jour." in body
    assert "Aucune décision enregistrée." in body
    assert "Aucune action corrective décidée lors de cette séance." in body
    html = response.content.decode()
    assert reverse("governance:meeting_hold", args=[planned.pk]) in html
    assert reverse("governance:pack_pdf", kwargs={"pk": planned.pk}) in html
    assert reverse("governance:pack_xlsx", kwargs={"pk": planned.pk}) in html
    assert "Empreinte SHA-256" not in body


def test_a_future_meeting_cannot_be_held_yet(client, world):
    planned = meeting(world.cotech, today() + timedelta(days=5))
    response = page(client, world.pilot, planned)
    assert reverse("governance:meeting_hold", args=[planned.pk]) not in response.content.decode()
    assert "pourra être tenue" in text(response)
    response = client.post(reverse("governance:meeting_hold", args=[planned.pk]), follow=True)
    assert "à venir" in text(response)
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.PLANNED


def test_holding_goes_through_a_confirmation_page_then_the_page_shows_the_frozen_pack(
    client, world, django_capture_on_commit_callbacks
):
    store(world.indicator, Period(today().year, "C11"), "24")
    planned = meeting(world.cotech, today())
    client.force_login(world.pilot)
    confirm = client.get(reverse("governance:meeting_hold", args=[planned.pk]))
    assert confirm.status_code == 200
    assert "ne changeront plus" in text(confirm)
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.PLANNED  # the GET changes nothing
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("governance:meeting_hold", args=[planned.pk]), follow=True)
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.HELD
    body = text(response)
    assert "Séance tenue : son dossier est figé" in body
    assert "Dossier figé le" in body
    assert planned.pack_sha256 in body
    assert "en cours de production" in body  # the files are rendered after the commit, by the worker
    assert planned.pack_pdf is None
    assert "Aperçu : données" not in body
    for callback in queued:  # the commit queues the rendering (huey runs it at once under pytest)
        callback()
    planned.refresh_from_db()
    assert bytes(planned.pack_pdf).startswith(b"%PDF")
    body = text(client.get(reverse("governance:meeting", args=[planned.pk])))
    assert planned.pack_pdf_sha256 in body
    assert planned.pack_xlsx_sha256 in body
    assert "en cours de production" not in body


def test_after_a_data_change_the_held_page_and_pdf_keep_the_frozen_figures(client, world):
    on = today()
    period = Period(on.year, "A") if on.month == 1 else Period(on.year, f"C{on.month - 1}")
    store(world.indicator, period, "24")
    held = services.hold_meeting(meeting(world.cotech, on), member(world, world.pilot), world.pilot, on)
    held.refresh_from_db()
    pdf = bytes(held.pack_pdf)
    assert "24,0 %" in text(page(client, world.pilot, held))
    value = world.indicator.values.get()
    value.value = Decimal("37.5")
    value.save()
    contract(world, notification_date=on - timedelta(days=3), amount=Decimal("120000"))
    body = text(page(client, world.pilot, held))
    assert "24,0 %" in body
    assert "37,5 %" not in body
    download = client.get(reverse("governance:pack_pdf", kwargs={"pk": held.pk}))
    assert download.status_code == 200
    assert b"".join(download) == pdf
    held.refresh_from_db()
    assert bytes(held.pack_pdf) == pdf
    planned = meeting(world.cotech, on)  # a preview shows the live value
    assert "37,5 %" in text(page(client, world.pilot, planned))


def test_cancelling_asks_for_confirmation_and_the_page_has_no_pack(client, world):
    planned = meeting(world.cotech, today())
    client.force_login(world.pilot)
    assert "Annuler la séance" in text(client.get(reverse("governance:meeting_cancel", args=[planned.pk])))
    client.post(reverse("governance:meeting_cancel", args=[planned.pk]))
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.CANCELLED
    body = text(page(client, world.pilot, planned))
    assert "Séance annulée : aucun dossier de séance." in body
    assert "Enregistrer une décision" not in body


def test_planning_and_editing_a_meeting_through_the_pages(client, world):
    client.force_login(world.pilot)
    url = reverse("governance:meeting_create", args=[world.copil.pk])
    form = client.get(url + "?date=2027-06-15")
    assert 'value="2027-06-15"' in form.content.decode()
    assert "valide la revue annuelle" in text(form)
    response = client.post(url, {"date": "2027-06-15", "validates_annual_review": "on"})
    assert "Année de la revue : indiquez l'année de la revue validée." in text(response)
    response = client.post(
        url,
        {
            "date": "2027-06-15",
            "start_time": "14:30",
            "location": "Hôtel du département",
            "annual_review_year": "",
        },
    )
    created = Meeting.objects.get(committee=world.copil)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/seances/{created.pk}/")
    response = client.post(
        reverse("governance:meeting_edit", args=[created.pk]), {"date": "2027-06-16", "location": "Salle 2"}
    )
    created.refresh_from_db()
    assert (created.date, created.location, created.start_time) == (date(2027, 6, 16), "Salle 2", None)


def test_the_agenda_tools_add_move_and_remove_items(client, world):
    planned = meeting(world.cotech, today())
    client.force_login(world.pilot)
    for title in ("Indicateurs", "Renouvellements"):
        client.post(
            reverse("governance:agenda_add", args=[planned.pk]), {"title": title, "presenter": "Pilote"}
        )
    response = client.post(reverse("governance:agenda_add", args=[planned.pk]), {"title": ""}, follow=True)
    assert "Point non ajouté" in text(response)
    second = planned.agenda_items.get(title="Renouvellements")
    client.post(reverse("governance:agenda_up", args=[second.pk]))
    assert list(planned.agenda_items.values_list("title", flat=True)) == ["Renouvellements", "Indicateurs"]
    body = text(page(client, world.pilot, planned))
    assert body.index("Renouvellements (présenté par Pilote)") < body.index(
        "Indicateurs (présenté par Pilote)"
    )
    client.post(reverse("governance:agenda_remove", args=[second.pk]))
    assert list(planned.agenda_items.values_list("title", flat=True)) == ["Indicateurs"]


def test_attendance_minutes_decision_and_action_recorded_after_holding(client, world):
    on = today()
    held = services.hold_meeting(meeting(world.cotech, on), member(world, world.pilot), world.pilot, on)
    client.force_login(world.pilot)
    seat = world.cotech_member
    form = client.get(reverse("governance:attendance", args=[held.pk]))
    assert f"Présence de {seat.name}" in text(form)
    client.post(
        reverse("governance:attendance", args=[held.pk]),
        {f"member_{seat.pk}": AttendanceStatus.EXCUSED, f"note_{seat.pk}": "congés"},
    )
    client.post(reverse("governance:minutes", args=[held.pk]), {"minutes": "Les indicateurs sont présentés."})
    response = client.post(
        reverse("governance:decision_add", args=[held.pk]),
        {
            "text": "Renforcer les clauses sociales.",
            "indicator": world.indicator.pk,
            "direction": world.prescribing.pk,
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(meeting=held)
    response = client.post(
        reverse("governance:action_create", args=[held.pk]), {"title": "Former les acheteurs"}
    )
    body = text(response)
    assert "Ce champ est obligatoire." in body
    assert not CorrectiveAction.objects.exists()
    response = client.post(
        reverse("governance:action_create", args=[held.pk]),
        {
            "title": "Former les acheteurs",
            "owner_direction": world.prescribing.pk,
            "due_date": (on + timedelta(days=30)).isoformat(),
            "expected_effect": "Plus de clauses sociales.",
            "decision": decision.pk,
        },
    )
    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    assert action.decision == decision
    assert action.meeting == held
    body = text(page(client, world.pilot, held))
    assert "Excusé (congés)" in body
    assert "Les indicateurs sont présentés." in body
    assert "Renforcer les clauses sociales." in body
    assert f"Indicateur {world.indicator.code}" in body
    assert "Former les acheteurs" in body


def test_a_decision_of_another_organisations_register_is_refused_by_the_form(client, world):
    from tests.factories import IndicatorFactory

    planned = meeting(world.cotech, today())
    foreign = IndicatorFactory(
        method="manual",
        params={},
    )
    client.force_login(world.pilot)
    response = client.post(
        reverse("governance:decision_add", args=[planned.pk]), {"text": "Décider", "indicator": foreign.pk}
    )
    assert response.status_code == 200
    assert "Indicateur" in text(response)
    assert not Decision.objects.exists()


def test_a_copil_pack_shows_its_own_sections(client, world):
    planned = meeting(world.copil, today())
    body = text(page(client, world.pilot, planned))
    assert "Trajectoire par axe" in body
    assert "Tableaux de bord par direction" in body
    assert "Revue annuelle" in body


def test_the_meeting_page_of_a_reader_has_no_tools(client, world):
    planned = meeting(world.cotech, today())
    response = page(client, world.committee_member, planned)
    assert response.status_code == 200
    html = response.content.decode()
    for name in (
        "meeting_hold",
        "meeting_edit",
        "meeting_cancel",
        "attendance",
        "decision_add",
        "action_create",
    ):
        assert reverse(f"governance:{name}", args=[planned.pk]) not in html
    assert "Aperçu : données à la date du jour" in text(response)
