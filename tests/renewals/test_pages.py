"""Radar pages, review page, CSV, access per role, bounded query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from spaser.renewals.models import Decision, RenewalReview
from spaser.renewals.questionnaire import QUESTIONS

from .conftest import TODAY, months

RADAR = reverse("renewals:radar")


@pytest.fixture
def contracts(world):
    return [
        world.contract(end_date=months(2), object="Entretien des chaussées"),
        world.contract(end_date=months(5), direction=world.resource, object="Études écologiques"),
        world.contract(end_date=TODAY - timedelta(days=3), object="Balayage"),
    ]


def test_pilot_sees_all_directions_overdue_first(client, world, contracts):
    client.force_login(world.pilot)
    response = client.get(RADAR)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Balayage") < body.index("Entretien des chaussées") < body.index("Études écologiques")
    assert "En retard" in body


def test_filters_in_the_url(client, world, contracts):
    client.force_login(world.pilot)
    body = client.get(RADAR, {"mois": 3, "direction": world.prescribing.slug}).content.decode()
    assert "Entretien des chaussées" in body
    assert "Études écologiques" not in body
    body = client.get(RADAR, {"etat": "en_retard"}).content.decode()
    assert "Balayage" in body
    assert "Entretien des chaussées" not in body


def test_the_months_select_shows_the_window_listed(client, world, contracts):
    """12 months unless asked otherwise — the select said « 3 mois » (its first option) meanwhile."""
    client.force_login(world.pilot)
    for query in ({}, {"etat": "en_retard"}):
        body = client.get(RADAR, query).content.decode()
        assert '<option value="12" selected>12 mois</option>' in body
    body = client.get(RADAR, {"mois": 3}).content.decode()
    assert '<option value="3" selected>3 mois</option>' in body


def test_prescribing_referent_sees_only_its_direction(client, world, contracts):
    client.force_login(world.prescribing_referent)
    body = client.get(RADAR).content.decode()
    assert "Entretien des chaussées" in body
    assert "Études écologiques" not in body
    assert client.get(RADAR, {"direction": world.resource.slug}).status_code == 403
    assert client.get(reverse("renewals:review", args=[contracts[1].pk])).status_code == 403


@pytest.mark.parametrize("role", ["resource_referent", "committee_member"])
def test_resource_referents_and_committee_see_all(client, world, contracts, role):
    client.force_login(getattr(world, role))
    body = client.get(RADAR).content.decode()
    assert "Entretien des chaussées" in body
    assert "Études écologiques" in body


def test_outsider_and_anonymous(client, world, contracts):
    client.force_login(world.outsider)
    assert client.get(RADAR).status_code == 200  # its own organisation's radar, empty
    assert "Entretien" not in client.get(RADAR).content.decode()
    assert client.get(reverse("renewals:review", args=[contracts[0].pk])).status_code == 404


def test_empty_state(client, world):
    client.force_login(world.pilot)
    assert "Aucun marché n'arrive à échéance" in client.get(RADAR).content.decode()


def _post(world, decision="stop", justification="Plus de besoin", amount="1 500,50"):
    data = {"decision": decision, "justification": justification, "avoided_amount": amount}
    for key in QUESTIONS:
        data[f"{key}__answer"] = "no" if key == "a_still_needed" else "unknown"
        data[f"{key}__comment"] = ""
    return data


def test_review_form_saves_and_shows_history(client, world, contracts):
    client.force_login(world.prescribing_referent)
    url = reverse("renewals:review", args=[contracts[0].pk])
    response = client.post(url, _post(world))
    assert response.status_code == 302
    review = RenewalReview.objects.get()
    assert review.decision == Decision.STOP
    assert str(review.avoided_amount) == "1500.50"
    assert review.answers["a_still_needed"]["answer"] == "no"
    body = client.get(url).content.decode()
    assert "Arrêter" in body
    assert "Historique" in body


def test_review_form_errors_in_french(client, world, contracts):
    client.force_login(world.pilot)
    url = reverse("renewals:review", args=[contracts[0].pk])
    body = client.post(url, _post(world, justification="", amount="-3")).content.decode()
    assert "ne peut pas être négatif" in body
    body = client.post(url, _post(world, justification="", amount="")).content.decode()
    assert "Justification : elle est obligatoire" in body
    assert not RenewalReview.objects.exclude(decision=Decision.PENDING).exists()


def test_committee_member_reads_the_review_but_cannot_post(client, world, contracts):
    client.force_login(world.committee_member)
    url = reverse("renewals:review", args=[contracts[0].pk])
    assert "Enregistrer la revue" not in client.get(url).content.decode()
    assert client.post(url, _post(world)).status_code == 403
    assert not RenewalReview.objects.exists()


def test_csv_export(client, world, contracts):
    client.force_login(world.pilot)
    response = client.get(reverse("renewals:csv"), {"mois": 6})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "uid"
    assert [r[1] for r in rows[1:]] == ["Balayage", "Entretien des chaussées", "Études écologiques"]
    assert rows[1][6] == "En retard"


def test_radar_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.pilot)
    for n in range(3):
        world.contract(end_date=months(1 + n))
    client.get(RADAR)
    with django_assert_max_num_queries(14) as few:
        client.get(RADAR)
    for n in range(30):
        contract = world.contract(end_date=months(1 + n % 11))
        if n % 3 == 0:
            RenewalReview.objects.create(contract=contract, due_date=contract.end_date)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(RADAR).status_code == 200
