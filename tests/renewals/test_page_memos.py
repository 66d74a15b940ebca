"""The pages' per-process memos (spaser/organisations/data_stamp.py): a second request reuses them, and every
kind of write that changes what they hold leaves them behind at once — through the data stamp renewed in the
database, as another web process would see it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spaser.contracts.signals import held_changes, notify_contracts_changed
from spaser.organisations import data_stamp
from spaser.organisations.models import Buyer, Direction, DirectionKind, Organisation
from spaser.renewals import services
from spaser.renewals.models import Decision

from .conftest import TODAY, months


def stamp(world):
    return Organisation.objects.values_list("data_stamp", flat=True).get(pk=world.organisation.pk)


def get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def caption(body: str) -> str:
    return body.split("<caption>")[1].split("</caption>")[0]


@pytest.fixture
def pilot_client(client, world):
    client.force_login(world.pilot)
    return client


def test_the_contract_list_reuses_its_counts_and_choices_until_the_contracts_change(
    world, pilot_client, django_capture_on_commit_callbacks
):
    world.contract(notification_year=2024, procedure="Appel d'offres ouvert")
    cold, cold_queries = get(pilot_client, "/marches/")
    warm, warm_queries = get(pilot_client, "/marches/")
    # the filter choices, the counts of unknowns, the list's ids, the footer's public scheme
    assert warm_queries == cold_queries - 4
    assert caption(warm) == caption(cold)
    assert "sur 1)" in caption(cold)
    get(pilot_client, "/marches/?tri=objet")

    # A write as the importers make it: rows, then the signal after the commit.
    added = world.contract(notification_year=2025, procedure="Procédure adaptée", object="Marché ajouté")
    assert "Marché ajouté" not in get(pilot_client, "/marches/?tri=objet")[0]  # not announced yet
    before = stamp(world)
    with django_capture_on_commit_callbacks(execute=True):
        notify_contracts_changed([world.organisation.pk])
    assert stamp(world) != before
    fresh, fresh_queries = get(pilot_client, "/marches/")
    assert fresh_queries == cold_queries
    assert "sur 2)" in caption(fresh)
    assert '<option value="2025">2025</option>' in fresh
    assert "Procédure adaptée" in fresh
    assert f'href="/marches/{added.pk}/"' in fresh
    assert "Marché ajouté" in get(pilot_client, "/marches/?tri=objet")[0]


def test_counts_are_kept_per_filter(world, pilot_client):
    world.contract(object="Nettoyage des collèges")
    world.contract(object="Travaux de voirie")
    assert "sur 1)" in caption(get(pilot_client, "/marches/?q=Nettoyage")[0])
    assert "sur 1)" in caption(get(pilot_client, "/marches/?q=Travaux")[0])
    assert "sur 2)" in caption(get(pilot_client, "/marches/")[0])
    assert "sur 1)" in caption(get(pilot_client, "/marches/?q=Nettoyage&page=1")[0])


def test_a_decided_review_clears_the_radar_flag_at_the_next_request(
    world, pilot_client, django_capture_on_commit_callbacks
):
    ended = world.contract(notification_date=months(-40), end_date=TODAY - timedelta(days=40))
    world.contract(notification_date=TODAY - timedelta(days=5), end_date=months(36))
    assert "1 marché renouvelé sans revue" in get(pilot_client, "/renouvellements/")[0]
    assert "1 marché renouvelé sans revue" in get(pilot_client, "/renouvellements/")[0]  # from the memo
    membership = world.pilot.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_start(contract=ended, membership=membership, user=world.pilot)
        services.review_decide(
            review=review,
            membership=membership,
            user=world.pilot,
            decision=Decision.RENEW,
            justification="Besoin confirmé, périmètre identique.",
        )
    assert "renouvelé sans revue du besoin (12" not in get(pilot_client, "/renouvellements/")[0]


def test_buyers_directions_and_a_held_demo_load_renew_the_stamp(world, django_capture_on_commit_callbacks):
    for write in (
        lambda: Buyer.objects.create(
            organisation=world.organisation, identifier="21750001600019", name="Autre"
        ),
        lambda: Direction.objects.create(
            organisation=world.organisation,
            name="Direction nouvelle",
            slug="nouvelle",
            kind=DirectionKind.RESOURCE,
        ),
        lambda: Direction.objects.get(slug="nouvelle", organisation=world.organisation).delete(),
    ):
        before = stamp(world)
        with django_capture_on_commit_callbacks(execute=True):
            write()
        assert stamp(world) != before
    before = stamp(world)
    # the demo's load holds the notifications and recomputes itself: the stamp is renewed all the same
    with django_capture_on_commit_callbacks(execute=True), held_changes(announce=False):
        notify_contracts_changed([world.organisation.pk])
    assert stamp(world) != before


def test_another_organisation_keeps_its_stamp_and_memos_are_bounded(world):
    other = Organisation.objects.create(
        name="Autre", slug="autre", siren="217500016", kind=world.organisation.kind
    )
    kept = Organisation.objects.values_list("data_stamp", flat=True).get(pk=other.pk)
    data_stamp.renew([world.organisation.pk])
    assert Organisation.objects.values_list("data_stamp", flat=True).get(pk=other.pk) == kept

    calls = []
    for number in range(5):
        data_stamp.memo(other, "bounded", number, lambda n=number: calls.append(n) or n, size=3)
    assert data_stamp.memo(other, "bounded", 4, lambda: calls.append("again"), size=3) == 4  # kept
    data_stamp.memo(
        other, "bounded", 0, lambda: calls.append("again") or 0, size=3
    )  # dropped: computed again
    assert calls == [0, 1, 2, 3, 4, "again"]


def test_the_radar_count_is_kept_per_valid_filter(world, pilot_client):
    """A form refused as a whole (an unknown « mois ») shows every contract: its count must not be kept under
    the « etat » it was asked with."""
    world.contract(notification_date=months(-30), end_date=TODAY - timedelta(days=20))  # overdue
    world.contract(notification_date=months(-10), end_date=months(2))  # due within 3 months
    every = get(pilot_client, "/renouvellements/?etat=en_retard&mois=7")[0]
    assert "(2 marchés)" in every
    overdue = get(pilot_client, "/renouvellements/?etat=en_retard")[0]
    assert "(1 marché)" in overdue


def test_threads_asking_for_the_same_memo_meanwhile_wait_for_one_computation(world):
    """A threaded server (the development server, gunicorn's gthread) computes a memo once after a write."""
    calls, results = [], []
    release = threading.Event()

    def compute():
        calls.append("computed")
        release.wait(5)
        return "figures"

    def ask():
        results.append(data_stamp.memo(world.organisation, "single", "key", compute))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # the other three are waiting by now
    release.set()
    for thread in threads:
        thread.join(5)
    assert calls == ["computed"]
    assert results == ["figures"] * 4

    def failing():
        raise RuntimeError("base indisponible")

    with pytest.raises(RuntimeError):
        data_stamp.memo(world.organisation, "single", "other", failing)
    assert data_stamp.memo(world.organisation, "single", "other", lambda: "again") == "again"
