"""Manual values through the API: the campaigns' services, the pages' roles and messages; a refusal
changes nothing."""

from decimal import Decimal

import pytest

from spaser.campaigns import services as campaign_services
from spaser.campaigns.models import EntryStatus

from .conftest import bearer

pytestmark = pytest.mark.django_db


def post(client, world, url, body, role):
    return client.post(url, body, content_type="application/json", headers=bearer(world.tokens[role]))


def value_url(entry) -> str:
    return f"/api/v1/campaigns/entries/{entry.pk}/value"


def submit_url(entry) -> str:
    return f"/api/v1/campaigns/entries/{entry.pk}/submit"


def test_referent_saves_a_value_of_its_direction_with_a_history_row(client, world):
    entry = world.trained_entry
    response = post(
        client, world, value_url(entry), {"value": "12", "comment": "Deux sessions"}, "prescribing_referent"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["value"], body["status"], body["comment"]) == ("12.0000", "to_enter", "Deux sessions")
    entry.refresh_from_db()
    assert entry.value == Decimal("12")
    assert entry.entered_by == world.prescribing_referent
    last = entry.history.latest("history_date")
    assert last.history_user == world.prescribing_referent
    assert last.history_change_reason == "Saisie enregistrée"


def test_submit_keeps_the_saved_value_and_hands_it_to_the_pilot(client, world):
    entry = world.trained_entry
    post(client, world, value_url(entry), {"value": "12", "comment": "ok"}, "prescribing_referent")
    response = post(client, world, submit_url(entry), {}, "prescribing_referent")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    entry.refresh_from_db()
    assert (entry.status, entry.value, entry.comment) == (EntryStatus.SUBMITTED, Decimal("12"), "ok")
    assert entry.history.latest("history_date").history_change_reason == "Saisie transmise au pilote"
    # Then the pilot validates on the pages: the value reaches the API's indicator values.
    campaign_services.validate_entry(entry=entry, user=world.pilot)
    values = client.get(
        f"/api/v1/schemes/{world.scheme.slug}/indicators?year=2025", headers=bearer(world.tokens["pilot"])
    ).json()["values"]
    assert next(v for v in values if v["code"] == "T6")["value"] == "12.0000"


def test_submit_with_a_value_in_the_body(client, world):
    entry = world.avoided_entry
    response = post(client, world, submit_url(entry), {"value": 1500.25}, "pilot")
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.status, entry.value) == (EntryStatus.SUBMITTED, Decimal("1500.25"))


@pytest.mark.parametrize("role", ["resource_referent", "committee_member"])
def test_outside_the_role_is_403_and_nothing_changes(client, world, role):
    entry = world.trained_entry
    before = entry.history.count()
    response = post(client, world, value_url(entry), {"value": "12", "comment": ""}, role)
    assert response.status_code == 403
    assert response.json()["detail"]
    entry.refresh_from_db()
    assert entry.value is None
    assert entry.history.count() == before


def test_the_pilots_entry_is_refused_to_a_referent(client, world):
    response = post(client, world, submit_url(world.avoided_entry), {"value": "10"}, "prescribing_referent")
    assert response.status_code == 403
    assert response.json() == {"detail": "Cette saisie revient à une autre direction."}


def test_another_organisations_entry_is_404(client, world):
    response = post(client, world, value_url(world.trained_entry), {"value": "1", "comment": ""}, "outsider")
    assert response.status_code == 404
    assert response.json() == {"detail": f"Aucune saisie n° {world.trained_entry.pk} dans vos organisations."}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("douze", "La valeur doit être un nombre (par exemple 12,5)."),
        ("-3", "La valeur (nombre) ne peut pas être négative (saisi : -3)."),
        ("2,5", "La valeur est un nombre entier (saisi : 2.5)."),
    ],
)
def test_refused_values_have_the_pages_messages_and_change_nothing(client, world, value, message):
    entry = world.trained_entry
    response = post(client, world, value_url(entry), {"value": value, "comment": "x"}, "prescribing_referent")
    assert response.status_code == 422
    assert response.json() == {
        "detail": message,
        "errors": [{"field": "value", "location": "body", "message": message}],
    }
    entry.refresh_from_db()
    assert (entry.value, entry.comment) == (None, "")


def test_submit_without_value_is_422(client, world):
    response = post(client, world, submit_url(world.trained_entry), {}, "prescribing_referent")
    assert response.status_code == 422
    assert response.json()["detail"] == "La valeur est obligatoire pour transmettre la saisie au pilote."


def test_submitted_entry_cannot_be_changed_again(client, world):
    entry = world.trained_entry
    post(client, world, submit_url(entry), {"value": "3"}, "prescribing_referent")
    response = post(client, world, value_url(entry), {"value": "4", "comment": ""}, "prescribing_referent")
    assert response.status_code == 422
    assert "ne peut plus être modifiée" in response.json()["detail"]


def test_missing_value_field_is_422_naming_it(client, world):
    response = post(client, world, value_url(world.trained_entry), {"comment": "x"}, "prescribing_referent")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "value"
