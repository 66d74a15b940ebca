"""One indicator's page: value, target and status, national target, share of unknowns, last year's
comparison, the trend (chart and table holding each stored period), breakdowns adding up to the figure,
method notes, and « pas de données » with its reason."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from spaser.indicators.engine import compute
from spaser.indicators.indicator_selectors import indicator_page
from spaser.indicators.models import IndicatorValue
from spaser.indicators.periods import Period
from spaser.indicators.scopes import organisation_scopes
from spaser.indicators.templatetags.figures import format_value
from spaser.organisations.models import Direction, DirectionKind
from spaser.schemes.models import Frequency, Indicator

from .dashboard_support import catalogue_world, members, text_of
from .world import TODAY


@pytest.fixture
def people(perimeter):
    organisation = perimeter.organisation
    other = Direction.objects.create(
        organisation=organisation, name="Direction B", slug="b", kind=DirectionKind.PRESCRIBING
    )
    return members(organisation, own=organisation.directions.get(slug="a"), other=other)


@pytest.fixture
def computed(perimeter):
    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    return perimeter


def test_the_page_shows_value_target_status_national_target_and_unknowns(client, computed, people):
    client.force_login(people.committee)
    response = client.get("/tableau-de-bord/indicateurs/S1/?periode=2024")
    assert response.status_code == 200
    page = text_of(response)
    assert '<p class="figure figure--large">40,0\u202f%</p>' in page
    assert "30,0\u202f% (cible de l'année)" in page
    assert '<span class="badge badge--reached">Atteint</span>' in page
    assert "PNAD 2022-2025 : 30 % des contrats avec une considération sociale" in page
    assert "1 marché sur 5 mesurés (20,0\u202f%)" in page
    assert "<code>share/1</code>" in page
    assert "Part des marchés remplissant une condition" in page  # describe_definition
    assert "notifiés en 2024" in page  # the stored perimeter


def test_trend_chart_and_table_hold_every_stored_period(client, computed, people):
    s1 = computed.indicators().get(code="S1")
    s1.frequency = Frequency.QUARTERLY
    s1.save()
    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    IndicatorValue.objects.create(
        indicator=s1, year=2025, period="A", scope="organisation", value=Decimal("45"),
        numerator=9, denominator=20, perimeter="test", method_version="share/1",
    )  # fmt: skip
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/indicateurs/S1/?periode=2024"))
    stored = IndicatorValue.objects.filter(indicator=s1, scope="organisation")
    assert {(v.year, v.period) for v in stored} >= {(2024, "A"), (2024, "T1"), (2024, "T4"), (2025, "A")}
    tables = page[page.index('id="trend-heading"') : page.index('id="breakdown-heading"')]
    for value in stored:
        label = Period(value.year, value.period).label
        row = tables[tables.index(f">{label}</a></th>") :]
        row = row[: row.index("</tr>")]
        assert format_value(value.value, "percent") in row, label
    assert tables.count('role="img"') == 2
    assert tables.count("<desc") == 2
    assert tables.count("<caption>") == 2
    assert '<th scope="row">' in tables
    assert "45,0\u202f%" in tables  # 2025 in the yearly chart and table


def test_comparison_with_the_same_period_last_year(client, computed, people):
    IndicatorValue.objects.create(
        indicator=computed.indicators().get(code="S1"), year=2023, period="A", scope="organisation",
        value=Decimal("25"), numerator=5, denominator=20, perimeter="test", method_version="share/1",
    )  # fmt: skip
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/indicateurs/S1/?periode=2024"))
    assert "<dt>2023</dt><dd>25,0\u202f% — écart : +15,0\u202fpoints</dd>" in page


def test_breakdowns_add_up_to_the_figure(client, computed, people):
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/indicateurs/S2/?periode=2024"))
    for label in ("division CPV", "procédure", "nature", "tranche de montant"):
        assert f"<caption>S2 par {label}, 2024" in page
    assert page.count("600\u202f000\u202f€</td>") >= 4  # each table's total denominator


def test_breakdown_denominators_equal_the_stored_denominator_on_the_world(db):
    scheme = catalogue_world()
    scopes = organisation_scopes(scheme.organisation, mutualised=True)
    checked = 0
    for indicator in scheme.indicators().filter(method__in=["share", "total", "mean"]):
        for scope in scopes:
            for period in (Period(2024), Period(2025, "S1"), Period(2023, "T3")):
                stored = IndicatorValue.objects.for_period(period).filter(
                    indicator=indicator, scope=scope.key
                )
                stored = stored.first()
                if stored is None:
                    continue
                page = indicator_page(indicator=indicator, scope=scope, period=period, today=TODAY)
                for breakdown in page.breakdowns:
                    assert breakdown.denominator == stored.denominator, (indicator.code, scope.key, period)
                    assert breakdown.numerator == stored.numerator
                    assert breakdown.unknown == stored.unknown
                assert not page.stale
                checked += 1
    assert checked > 100


def test_figure_on_the_page_equals_the_engine_for_a_direction(client, db):
    scheme = catalogue_world()
    directions = scheme.organisation.directions.all()
    client.force_login(members(scheme.organisation, own=directions[0], other=directions[1]).pilot)
    scope = next(
        s for s in organisation_scopes(scheme.organisation, mutualised=True) if s.key == "direction:b"
    )
    for code in ("S1", "S2", "C3a", "S4b"):
        indicator = scheme.indicators().get(code=code)
        live = compute(indicator.method, indicator.params, scope.contracts, Period(2024))
        page = text_of(client.get(f"/tableau-de-bord/indicateurs/{code}/?periode=2024&perimetre=direction:b"))
        shown = re.search(r'<p class="figure figure--large">(.*?)</p>', page).group(1)
        assert shown == format_value(live.value, indicator.unit), code


def test_manual_indicator_without_value_says_why(client, computed, people):
    commitment = computed.axes.get().commitments.get()
    Indicator.objects.create(commitment=commitment, code="C5", name="Délai global de paiement", unit="days")
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/indicateurs/C5/?periode=2024"))
    assert (
        "Pas de données : pas encore de données dans Spaser : paiements (données financières non importées)."
        in page
    )
    page = text_of(client.get("/tableau-de-bord/indicateurs/S5/?periode=2024"))
    assert "saisi par les directions lors des campagnes de saisie" in page
    assert "Valeur saisie : elle ne se ventile pas par marché." in page


def test_validated_manual_value_shows_its_entry_provenance(client, computed, people):
    IndicatorValue.objects.create(
        indicator=computed.indicators().get(code="S5"), year=2024, period="A", scope="organisation",
        value=Decimal("12500"), numerator=Decimal("12500"), denominator=1, unknown=0,
        details={"saisie": 7, "commentaire": "Export du facilitateur, décembre", "justificatif": True},
        perimeter="Saisie de la direction A pour 2024, validée par Camille Martin le 15/01/2025",
        data_date=date(2025, 1, 15), method_version="manual/1",
    )  # fmt: skip
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/indicateurs/S5/?periode=2024"))
    assert '<p class="figure figure--large">12\u202f500\u202fh</p>' in page
    assert "Provenance de la saisie" in page
    assert "Export du facilitateur, décembre" in page
    assert "validée par Camille Martin le 15/01/2025" in page
    assert "<dt>Justificatif joint</dt><dd>oui</dd>" in page


def test_not_per_contract_indicators_have_no_breakdown(client, db):
    scheme = catalogue_world()
    directions = scheme.organisation.directions.all()
    client.force_login(members(scheme.organisation, own=directions[0], other=directions[1]).pilot)
    page = text_of(client.get("/tableau-de-bord/indicateurs/S5a/?periode=2024"))
    assert "ne se compte pas marché par marché" in page
    assert '<p class="figure figure--large">' in page
    assert "h</p>" in page


def test_unknown_indicator_is_404_and_other_direction_403(client, computed, people):
    client.force_login(people.pilot)
    assert client.get("/tableau-de-bord/indicateurs/ZZ9/").status_code == 404
    client.force_login(people.other)
    assert client.get("/tableau-de-bord/indicateurs/S1/?perimetre=direction:a").status_code == 403
    assert client.get("/tableau-de-bord/indicateurs/S1/?perimetre=direction:b").status_code == 200
