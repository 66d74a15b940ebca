"""Public scheme endpoints and the token-scoped indicator values with their provenance."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spaser.schemes.models import SchemeStatus
from tests.factories import SchemeFactory

from .conftest import bearer

pytestmark = pytest.mark.django_db


def test_scheme_list_is_public_and_lists_adopted_schemes_only(client, world):
    SchemeFactory(organisation=world.organisation, slug="brouillon", status=SchemeStatus.DRAFT)
    response = client.get("/api/v1/schemes")
    assert response.status_code == 200
    slugs = [scheme["slug"] for scheme in response.json()]
    assert world.scheme.slug in slugs
    assert "brouillon" not in slugs


def test_scheme_tree_has_axes_commitments_actions_indicators_and_targets(client, world):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/schemes/{world.scheme.slug}")
    assert response.status_code == 200
    tree = response.json()
    commitment = tree["axes"][0]["commitments"][0]
    assert commitment["code"] == "I.1"
    assert {a["title"] for a in commitment["actions"]} >= {"Former les acheteurs", "Action sans pilote"}
    s1 = next(i for i in commitment["indicators"] if i["code"] == "S1")
    assert {"year": 2025, "value": "22.5000"} in s1["targets"]
    assert s1["owner_direction"] == world.resource.name
    assert len(queries) <= 10


def test_draft_and_unknown_schemes_are_404_in_french(client, world):
    SchemeFactory(organisation=world.organisation, slug="brouillon", status=SchemeStatus.DRAFT)
    for slug in ("brouillon", "inconnu"):
        response = client.get(f"/api/v1/schemes/{slug}")
        assert response.status_code == 404
        assert response.json() == {"detail": f"Aucun schéma publié « {slug} »."}


def test_indicator_values_carry_their_provenance(client, world):
    response = client.get(
        f"/api/v1/schemes/{world.scheme.slug}/indicators?year=2025", headers=bearer(world.tokens["pilot"])
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["period"], body["scope"]) == (2025, "A", "organisation")
    s1 = next(v for v in body["values"] if v["code"] == "S1")
    assert s1["value"] == "30.0000"
    assert s1["numerator"] == "3.00"
    assert s1["denominator"] == "10.00"
    assert s1["unknown"] == 1
    assert s1["perimeter"] == "marchés des acheteurs du périmètre"
    assert s1["data_date"] == "2025-12-31"
    assert s1["method_version"] == "share/2"
    assert s1["computed_at"]
    assert s1["target"] == "22.5000"
    assert s1["status"] == "reached"
    assert s1["previous_value"] == "18.0000"
    # A manual indicator without a validated value: null, « pas de données », never 0.
    t6 = next(v for v in body["values"] if v["code"] == "T6")
    assert t6["value"] is None
    assert t6["status"] == "no_data"


def test_indicator_values_need_a_token_and_membership(client, world):
    url = f"/api/v1/schemes/{world.scheme.slug}/indicators"
    assert client.get(url).status_code == 401
    response = client.get(url, headers=bearer(world.tokens["outsider"]))
    assert response.status_code == 404
    assert response.json() == {"detail": f"Aucun schéma « {world.scheme.slug} » dans vos organisations."}


def test_indicator_values_default_to_the_latest_year(client, world):
    response = client.get(
        f"/api/v1/schemes/{world.scheme.slug}/indicators", headers=bearer(world.tokens["pilot"])
    )
    assert response.json()["year"] == 2025


def test_direction_scope_follows_the_dashboard_rule(client, world):
    url = f"/api/v1/schemes/{world.scheme.slug}/indicators?year=2025&scope=direction:{world.resource.slug}"
    allowed = client.get(url, headers=bearer(world.tokens["resource_referent"]))
    assert allowed.status_code == 200
    assert next(v for v in allowed.json()["values"] if v["code"] == "S1")["value"] == "50.0000"
    refused = client.get(url, headers=bearer(world.tokens["prescribing_referent"]))
    assert refused.status_code == 403
    assert "Votre rôle ne donne pas accès" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("year=2031", "year", "hors de la période du schéma (2024-2028)"),
        ("year=deux", "year", "doit être un nombre entier"),
        ("period=T5", "period", "n'a pas le format attendu"),
        ("scope=direction:inconnue", "scope", "périmètre inconnu"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(client, world, query, field, message):
    response = client.get(
        f"/api/v1/schemes/{world.scheme.slug}/indicators?{query}", headers=bearer(world.tokens["pilot"])
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert f"« {field} »" in body["detail"]
    assert message in body["detail"]
