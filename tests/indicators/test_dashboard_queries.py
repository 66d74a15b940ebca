"""Dashboard pages read a bounded number of queries, whatever the number of indicators, directions and
contracts (no N+1): each page is measured on the catalogue world, then again after adding directions,
indicators and contracts — the count must not move, and stays under a fixed bound."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spaser.contracts.models import Contract
from spaser.indicators.services import compute_scheme_indicators
from spaser.organisations import data_stamp
from spaser.organisations.models import Direction, DirectionKind
from spaser.schemes.models import Commitment, Indicator

from .dashboard_support import catalogue_world, members
from .world import TODAY, YEARS

pytestmark = pytest.mark.django_db


def pages(scheme) -> dict[str, str]:
    axis = scheme.axes.order_by("pk").first()
    commitment = axis.commitments.order_by("pk").first()
    return {
        "organisation": "/tableau-de-bord/?periode=2024&perimetre=organisation",
        "buyer": f"/tableau-de-bord/?periode=2024-T2&perimetre=buyer:{scheme.organisation.siren}",
        "axis": f"/tableau-de-bord/axes/{axis.pk}/?periode=2024",
        "commitment": f"/tableau-de-bord/engagements/{commitment.pk}/?periode=2024",
        "direction": "/tableau-de-bord/directions/b/?periode=2024",
        "indicator share": "/tableau-de-bord/indicateurs/S2/?periode=2024",
        "indicator hours": "/tableau-de-bord/indicateurs/S5c/?periode=2024",
        "indicator manual": "/tableau-de-bord/indicateurs/E6/?periode=2024",
        "drill-down": "/tableau-de-bord/indicateurs/C1/marches/?periode=2024&part=denominator",
        "drill-down hours": "/tableau-de-bord/indicateurs/S5a/marches/?periode=2024",
        "csv": "/tableau-de-bord/indicateurs/S1/marches.csv?periode=2024&part=denominator",
    }


def count(client, url) -> int:
    """Cold: without the pages' memos (dashboard_memos.py), which a warm page reads instead."""
    data_stamp.forget_all()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def grow(scheme) -> None:
    """More directions, a second commitment with the whole catalogue again, more contracts: a page that
    queried per indicator, per direction or per contract would read more."""
    organisation = scheme.organisation
    for number in range(4):
        Direction.objects.create(
            organisation=organisation, name=f"Nouvelle {number}", slug=f"nouvelle-{number}",
            kind=DirectionKind.PRESCRIBING,
        )  # fmt: skip
    first = scheme.axes.get().commitments.get()
    second = Commitment.objects.create(axis=first.axis, code="I.2", title="Deuxième engagement")
    for indicator in list(first.indicators.all()):
        indicator.pk = None
        indicator.commitment = second
        indicator.code = f"{indicator.code}x"
        indicator.save()
    for contract in list(Contract.objects.filter(notification_year=2024)[:40]):
        contract.pk = None
        contract.uid = f"{contract.uid}bis"
        contract.save()
    compute_scheme_indicators(scheme=scheme, years=list(YEARS), today=TODAY)


def test_every_dashboard_page_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    scheme = catalogue_world()
    directions = scheme.organisation.directions.all()
    client.force_login(members(scheme.organisation, own=directions[0], other=directions[1]).pilot)
    before = {name: count(client, url) for name, url in pages(scheme).items()}
    grow(scheme)
    assert Indicator.objects.filter(commitment__axis__scheme=scheme).count() > 90
    after = {name: count(client, url) for name, url in pages(scheme).items()}
    assert after == before
    for _name, url in pages(scheme).items():
        with django_assert_max_num_queries(20):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
