"""The contracts behind a figure: exactly the plan's contracts, a total equal to the stored numerator or
denominator, pagination, sorting, the CSV of the same list, and the indicators not counted per contract."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from spaser.contracts.models import Contract
from spaser.indicators import indicator_views
from spaser.indicators.drilldown import drilldown
from spaser.indicators.engine import in_period
from spaser.indicators.models import IndicatorValue
from spaser.indicators.periods import Period
from spaser.indicators.plans import PARTS, plan_for
from spaser.indicators.scopes import organisation_scopes
from spaser.organisations.models import Direction, DirectionKind
from spaser.registers.models import InsertionHours

from .dashboard_support import catalogue_world, members, text_of

URL = "/tableau-de-bord/indicateurs/{code}/marches/"


@pytest.fixture
def people(perimeter):
    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    organisation = perimeter.organisation
    other = Direction.objects.create(
        organisation=organisation, name="Direction B", slug="b", kind=DirectionKind.PRESCRIBING
    )
    return members(organisation, own=organisation.directions.get(slug="a"), other=other)


def listed(client, code, query="") -> tuple[list[str], str]:
    """The contract ids listed on every page of the drill-down, and the first page's text."""
    ids, page, first = [], 1, None
    while True:
        text = text_of(client.get(f"{URL.format(code=code)}?periode=2024&{query}&page={page}"))
        first = first or text
        ids += re.findall(r'<th scope="row"><a href="/marches/\d+/">(C\d+|W\d+)</a>', text)
        if 'rel="next"' not in text:
            return ids, first
        page += 1


@pytest.mark.parametrize(
    ("code", "part", "expected", "total"),
    [
        ("S1", "numerator", {"C1", "C4"}, "2 marchés"),
        ("S1", "denominator", {"C1", "C2", "C3", "C4", "C5"}, "5 marchés"),
        ("S1", "unknown", {"C3"}, "1 marché"),
        ("S1", "excluded", {"C6"}, "1 marché"),  # the concession: counted apart
        ("S2", "numerator", {"C1"}, "100\u202f000\u202f€ (somme des montants comptés)"),
        ("S2", "denominator", {"C1", "C2", "C3"}, "600\u202f000\u202f€ (somme des montants comptés)"),
        ("S2", "unknown", {"C3"}, "300\u202f000\u202f€"),
        ("S2", "excluded", {"C4", "C5", "C6"}, "3 marchés"),  # no amount, framework, concession
    ],
)
def test_hand_computed_lists_and_totals(client, perimeter, people, code, part, expected, total):
    client.force_login(people.committee)
    ids, page = listed(client, code, f"part={part}")
    assert set(ids) == expected
    assert len(ids) == len(expected)
    assert "<dt>Total de la liste</dt> <dd" in page
    assert total in page
    assert '<a href="/marches/' in page  # each row links to the contract page


def test_direction_scope_lists_only_its_contracts(client, perimeter, people):
    client.force_login(people.own)
    ids, _page = listed(client, "S1", "perimetre=direction:a&part=denominator")
    assert set(ids) == {"C1", "C2"}
    client.force_login(people.other)
    response = client.get(f"{URL.format(code='S1')}?periode=2024&perimetre=direction:a")
    assert response.status_code == 403


def test_every_list_is_the_plan_and_its_total_the_stored_figure_on_the_world(db):
    scheme = catalogue_world()
    scopes = organisation_scopes(scheme.organisation, mutualised=True)
    checked = 0
    for indicator in scheme.indicators().filter(method__in=["share", "total", "mean"]):
        plan = plan_for(indicator.method, indicator.params)
        for scope in scopes:
            for period in (Period(2024), Period(2025, "T2"), Period(2023, "S2")):
                stored = IndicatorValue.objects.for_period(period).filter(
                    indicator=indicator, scope=scope.key
                )
                stored = stored.first()
                if stored is None:
                    continue
                for part in PARTS:
                    drill = drilldown(indicator=indicator, scope=scope, period=period, part=part)
                    expected = plan.contracts(in_period(scope.contracts, "contracts", period), part)
                    assert set(drill.rows.values_list("pk", flat=True)) == set(
                        expected.values_list("pk", flat=True)
                    )
                    totals = drill.totals()
                    if part == "numerator":
                        assert totals["weight"] == stored.numerator, (indicator.code, scope.key, period)
                    elif part == "denominator":
                        assert totals["weight"] == stored.denominator, (indicator.code, scope.key, period)
                    elif part == "unknown":
                        assert totals["contracts"] == stored.unknown
                checked += 1
    assert checked > 100


def test_pages_are_sorted_and_paginated_and_the_total_covers_every_page(client, db, monkeypatch):
    scheme = catalogue_world()
    directions = scheme.organisation.directions.all()
    client.force_login(members(scheme.organisation, own=directions[0], other=directions[1]).pilot)
    monkeypatch.setattr(indicator_views, "PER_PAGE", 5)
    stored = IndicatorValue.objects.for_year(2024).get(indicator__code="S2", scope="organisation")
    ids, page = listed(client, "S2", "part=denominator&tri=-poids")
    scope = organisation_scopes(scheme.organisation, mutualised=True)[0]
    expected = plan_for("share", {"measure": "amount", "condition": "has_social"}).contracts(
        in_period(scope.contracts, "contracts", Period(2024)), "denominator"
    )
    assert ids == list(expected.order_by("-amount", "uid").values_list("contract_id", flat=True))
    assert len(ids) > 5
    assert 'rel="next"' in page
    shown = re.search(r'data-total="([\d.]+)"', page).group(1)
    assert Decimal(shown) == stored.denominator


def test_csv_is_the_same_list_for_a_french_spreadsheet(client, perimeter, people):
    client.force_login(people.pilot)
    response = client.get("/tableau-de-bord/indicateurs/S2/marches.csv?periode=2024&part=denominator")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][:5] == [
        "Identifiant national (uid)", "Identifiant acheteur", "SIRET de l'acheteur", "Objet",
        "Date de notification",
    ]  # fmt: skip
    assert "Montant compté (€ HT)" in rows[0]
    assert "Pourquoi" in rows[0]
    assert sorted(row[1] for row in rows[1:]) == ["C1", "C2", "C3"]
    weight = rows[0].index("Montant compté (€ HT)")
    assert sorted(row[weight] for row in rows[1:]) == ["100000,00", "200000,00", "300000,00"]
    assert 'filename="marches-S2-2024-organisation-denominator.csv"' in response["Content-Disposition"]


def test_hours_are_listed_per_contract_with_their_hours(client, db):
    scheme = catalogue_world()
    directions = scheme.organisation.directions.all()
    client.force_login(members(scheme.organisation, own=directions[0], other=directions[1]).pilot)
    stored = IndicatorValue.objects.for_year(2024).get(indicator__code="S5b", scope="organisation")
    page = text_of(client.get("/tableau-de-bord/indicateurs/S5b/marches/?periode=2024"))
    assert "pas par marché" in page
    realised = Decimal(stored.details["heures_realisees"])
    assert f"<dt>Heures réalisées</dt><dd>{int(realised):,}".replace(",", "\u202f") in page
    scope = organisation_scopes(scheme.organisation, mutualised=True)[0]
    hours = in_period(InsertionHours.objects.filter(contract__in=scope.contracts), "hours", Period(2024))
    with_hours = Contract.objects.filter(pk__in=hours.values("contract_id"))
    assert f"{with_hours.count()} marché" in page


def test_people_and_manual_indicators_say_they_have_no_contract_list(client, perimeter, people):
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/indicateurs/S5/marches/?periode=2024"))
    assert "saisi par les directions" in page
    assert "<table" not in page
    assert client.get("/tableau-de-bord/indicateurs/S5/marches.csv?periode=2024").status_code == 404


def test_bad_part_or_sort_is_404(client, perimeter, people):
    client.force_login(people.pilot)
    assert client.get(f"{URL.format(code='S1')}?part=tout").status_code == 404
    assert client.get(f"{URL.format(code='S1')}?tri=prix").status_code == 404
    assert client.get(f"{URL.format(code='ZZ')}").status_code == 404
