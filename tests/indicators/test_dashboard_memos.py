"""The dashboards' per-process memos (spaser/indicators/dashboard_memos.py, ADR 0017): a warm page reads
fewer queries and shows the same page; every kind of write under a figure — a value stored or entered, a
target, the register, a deletion by cascade — renews the data stamp after its commit, and the next page shows
the change, as another web process would."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from spaser.indicators.apps import stamped_models
from spaser.indicators.models import IndicatorValue
from spaser.organisations.data_stamp import on_scheme_data_change
from spaser.organisations.models import Direction, DirectionKind, Organisation
from spaser.schemes.models import Target

from .dashboard_support import members, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot_client(client, perimeter, django_capture_on_commit_callbacks):
    organisation = perimeter.organisation
    own = organisation.directions.get(slug="a")
    other = Direction.objects.create(
        organisation=organisation, name="Direction B", slug="b", kind=DirectionKind.PRESCRIBING
    )
    with django_capture_on_commit_callbacks(execute=True):  # committed, as the command's would be
        call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    client.force_login(members(organisation, own=own, other=other).pilot)
    return client


def stamp(scheme):
    return Organisation.objects.values_list("data_stamp", flat=True).get(pk=scheme.organisation_id)


def get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text_of(response))  # one per response
    return page, len(captured.captured_queries)


def card(page: str, code: str) -> str:
    start = page.index(f'data-code="{code}"')
    return page[start : page.index("</li>", start)]


PAGES = ("/tableau-de-bord/", "/tableau-de-bord/indicateurs/S1/")


def test_a_warm_dashboard_reads_less_and_shows_the_same_page(pilot_client, perimeter):
    for url in (*PAGES, f"/tableau-de-bord/axes/{perimeter.axes.first().pk}/"):
        cold, cold_queries = get(pilot_client, url)
        warm, warm_queries = get(pilot_client, url)
        assert warm == cold
        assert warm_queries < cold_queries - 2, url


def test_every_write_under_a_figure_shows_at_the_next_request(
    pilot_client, perimeter, django_capture_on_commit_callbacks
):
    s1 = perimeter.indicators().get(code="S1")
    value = IndicatorValue.objects.get(indicator=s1, year=2024, period="A", scope="organisation")
    assert "40,0\u202f%" in card(get(pilot_client, "/tableau-de-bord/")[0], "S1")
    for url in PAGES:
        get(pilot_client, url)  # kept by this process

    def write(change):
        before = stamp(perimeter)
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert stamp(perimeter) != before

    value.value = Decimal("55.5")
    write(value.save)
    assert "55,5\u202f%" in card(get(pilot_client, "/tableau-de-bord/")[0], "S1")
    assert "55,5\u202f%" in get(pilot_client, "/tableau-de-bord/indicateurs/S1/")[0]

    target = Target.objects.filter(indicator=s1).first() or Target(indicator=s1, year=2024)
    target.value = Decimal("61")
    write(target.save)
    assert "cible : 61,0\u202f%" in card(get(pilot_client, "/tableau-de-bord/")[0], "S1")

    s1.name = "Part des marchés au nom nouveau"
    write(s1.save)
    assert "Part des marchés au nom nouveau" in get(pilot_client, "/tableau-de-bord/")[0]

    axis = s1.commitment.axis
    axis.title = "Axe renommé"
    write(axis.save)
    assert "Axe renommé" in get(pilot_client, "/tableau-de-bord/")[0]

    write(s1.delete)  # its values go by cascade
    page = get(pilot_client, "/tableau-de-bord/")[0]
    assert 'data-row="S1"' not in page
    assert 'data-code="S1"' not in page


def test_storing_many_values_renews_the_stamp_once_and_a_rollback_not_at_all(
    perimeter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    assert IndicatorValue.objects.count() == 8  # eight saves
    assert len(callbacks) == 1

    s1 = perimeter.indicators().get(code="S1")
    before = stamp(perimeter)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                s1.save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert stamp(perimeter) == before


def test_every_model_the_dashboards_read_renews_the_stamp():
    from django.db.models.signals import post_delete, post_save

    for model in stamped_models():
        for signal in (post_save, post_delete):
            assert on_scheme_data_change in signal._live_receivers(model)[0], (model, signal)
