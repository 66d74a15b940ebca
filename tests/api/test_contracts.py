"""Contracts: scoped to the user's organisations, paginated (count, next, previous), every filter, the
detail by uid, and a bounded number of queries whatever the page size."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import OTHER_SIRET, SIRET, SUPPLIER_SIRET, bearer

pytestmark = pytest.mark.django_db
URL = "/api/v1/contracts"


def get(client, world, query="", role="pilot"):
    return client.get(f"{URL}?{query}", headers=bearer(world.tokens[role]))


def uids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["uid"] for row in response.json()["results"]}


def test_contracts_need_a_token(client, world):
    assert client.get(URL).status_code == 401


def test_contracts_are_those_of_the_users_organisations(client, world):
    body = get(client, world, "page_size=500").json()
    assert body["count"] == 15
    assert all(row["buyer_siret"] == SIRET for row in body["results"])
    assert f"{OTHER_SIRET}X1" not in {row["uid"] for row in body["results"]}
    outsider = get(client, world, role="outsider").json()
    assert outsider["count"] == 0


def test_pagination_links(client, world):
    first = get(client, world, "page_size=4&social=no").json()
    assert first["count"] == 13
    assert len(first["results"]) == 4
    assert first["previous"] is None
    next_query = parse_qs(urlparse(first["next"]).query)
    assert next_query == {"page": ["2"], "page_size": ["4"], "social": ["no"]}
    last = get(client, world, "page_size=4&social=no&page=4").json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert parse_qs(urlparse(last["previous"]).query)["page"] == ["3"]
    beyond = get(client, world, "page_size=4&page=9").json()
    assert beyond["results"] == []
    assert beyond["next"] is None
    # Pages never overlap and cover everything.
    seen = set()
    for page in range(1, 5):
        seen |= uids(get(client, world, f"page_size=4&page={page}"))
    assert len(seen) == 15


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year=2025", {"M0001", "M0002"}),
        ("direction=" + "{roads}", {"M0001"}),
        ("cpv=4523", {"M0001"}),
        ("cpv=45", {"M0001", "M0003"}),
        ("procedure=appel d'offres ouvert", {"M0001"}),
        ("nature=Accord-cadre", {"M0003"}),
        ("social=yes", {"M0001"}),
        ("social=unknown", {"M0002"}),
        ("environmental=yes", {"M0002"}),
        ("environmental=unknown", {"M0003"}),
        ("min_amount=1000000", {"M0001"}),
        ("max_amount=51000&year=2024", set()),
        ("min_amount=53000&max_amount=53000", {"M0003"}),
        (f"supplier_siret={SUPPLIER_SIRET}", {"M0001"}),
        ("q=routes", {"M0001"}),
        ("q=Routes et Cie", {"M0001"}),
        ("organisation={organisation}&year=2025&social=yes", {"M0001"}),
    ],
)
def test_each_filter(client, world, query, expected):
    query = query.format(roads=world.prescribing.slug, organisation=world.organisation.slug)
    found = {uid.removeprefix(SIRET) for uid in uids(get(client, world, query + "&page_size=500"))}
    assert found == expected


def test_direction_none_lists_unattributed_contracts(client, world):
    found = uids(get(client, world, "direction=none&page_size=500"))
    assert len(found) == 14
    assert f"{SIRET}M0001" not in found


def test_unknown_organisation_is_404(client, world):
    response = get(client, world, "organisation=ailleurs")
    assert response.status_code == 404
    assert response.json() == {"detail": "Aucune organisation « ailleurs » parmi les vôtres."}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page_size=501", "page_size"),
        ("social=peut-etre", "social"),
        ("cpv=45a", "cpv"),
        ("supplier_siret=123", "supplier_siret"),
        ("min_amount=beaucoup", "min_amount"),
        ("min_amount=10&max_amount=5", "min_amount"),
    ],
)
def test_bad_filters_are_422_naming_the_field(client, world, query, field):
    response = get(client, world, query)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert f"« {field} »" in body["detail"]


def test_query_count_does_not_grow_with_the_page(client, world):
    get(client, world, "page_size=1")  # the token's first use is written once
    with CaptureQueriesContext(connection) as small:
        get(client, world, "page_size=2")
    with CaptureQueriesContext(connection) as large:
        get(client, world, "page_size=500")
    assert len(large) == len(small)
    assert len(large) <= 7


def test_contract_detail(client, world):
    response = client.get(f"{URL}/{SIRET}M0001", headers=bearer(world.tokens["committee_member"]))
    assert response.status_code == 200
    body = response.json()
    assert body["amount"] == "1200000.00"
    assert body["current_amount"] == "1250000.00"
    assert body["has_social"] is True
    assert body["direction"] == {"slug": world.prescribing.slug, "name": world.prescribing.name}
    assert body["suppliers"] == [
        {"identifier": SUPPLIER_SIRET, "identifier_type": "SIRET", "name": "Routes et Cie"}
    ]
    assert body["notification_date"] == "2025-03-04"


def test_contract_outside_the_perimeter_is_404(client, world):
    for uid, role in ((f"{OTHER_SIRET}X1", "pilot"), (f"{SIRET}M0001", "outsider")):
        response = client.get(f"{URL}/{uid}", headers=bearer(world.tokens[role]))
        assert response.status_code == 404
        assert "Aucun marché" in response.json()["detail"]
