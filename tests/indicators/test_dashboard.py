"""The organisation, direction, axis and commitment dashboards: figures equal to the stored values and to the
engine, filters in the URL, role scoping, empty states and bad filters."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from spaser.indicators.engine import compute
from spaser.indicators.models import IndicatorValue
from spaser.indicators.periods import Period
from spaser.indicators.scopes import organisation_scopes
from spaser.indicators.selectors import headline_rank
from spaser.indicators.templatetags.figures import format_value
from spaser.organisations.models import Direction, DirectionKind
from spaser.schemes.models import Frequency, Indicator

from .dashboard_support import members, text_of


def compute_2024():
    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)


@pytest.fixture
def people(perimeter):
    organisation = perimeter.organisation
    own = organisation.directions.get(slug="a")
    other = Direction.objects.create(
        organisation=organisation, name="Direction B", slug="b", kind=DirectionKind.PRESCRIBING
    )
    return members(organisation, own=own, other=other)


def card(page: str, code: str) -> str:
    start = page.index(f'data-code="{code}"')
    return page[start : page.index("</li>", start)]


def test_dashboard_shows_the_computed_figures_with_their_provenance(client, perimeter, people):
    compute_2024()
    client.force_login(people.committee)
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Tableau de bord 2024" in page
    assert "40,0\u202f%" in card(page, "S1")
    assert "16,7\u202f%" in card(page, "S2")
    assert "40,0\u202f%" in card(page, "E1")
    assert "33,3\u202f%" in card(page, "E2")
    s1 = card(page, "S1")
    assert "2 marchés sur 5" in s1
    assert "inconnus : 1 marché (20,0\u202f%)" in s1
    assert "cible : 30,0\u202f%" in s1
    assert "Atteint" in s1
    assert "Objectif national : 30,0\u202f%" in s1
    assert 'role="img"' in page
    assert "<desc" in page
    assert "<caption>" in page
    assert "Direction A" in page


def test_each_figure_equals_the_stored_value_and_the_engine(client, perimeter, people):
    compute_2024()
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/?periode=2024"))
    scope = organisation_scopes(perimeter.organisation, mutualised=False)[0]
    for indicator in perimeter.indicators().computed():
        stored = IndicatorValue.objects.for_year(2024).get(indicator=indicator, scope="organisation")
        live = compute(indicator.method, indicator.params, scope.contracts, Period(2024))
        assert (stored.value, stored.numerator, stored.denominator) == (
            live.value,
            live.numerator,
            live.denominator,
        )
        assert format_value(stored.value, indicator.unit) in card(page, indicator.code)


def test_value_cards_say_what_the_value_share_leaves_out(client, perimeter, people):
    compute_2024()
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/"))
    s2 = card(page, "S2")
    assert "hors 1 accord-cadre (400\u202f000\u202f€ de maxima ou d'estimations)" in s2
    assert "et 1 marché sans montant exploitable" in s2
    assert "notifiés en 2024" in page  # the perimeter of the figures is written out


def test_every_indicator_is_listed_by_axis_and_commitment_manual_ones_without_data(client, perimeter, people):
    compute_2024()
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/"))
    assert "Axe I — Social" in page
    assert "Engagement I.1 — Clauses" in page
    row = page[page.index('<tr data-row="S5"') :]
    row = row[: row.index("</tr>")]
    assert "pas de données" in row
    assert "à saisir" in row
    assert "0,0" not in row


def test_comparison_with_the_same_period_last_year(client, perimeter, people):
    compute_2024()
    s1 = perimeter.indicators().get(code="S1")
    IndicatorValue.objects.create(
        indicator=s1, year=2023, period="A", scope="organisation", value=Decimal("32.5"),
        numerator=13, denominator=40, perimeter="test", method_version="share/1",
    )  # fmt: skip
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/?periode=2024"))
    assert "2023 : 32,5\u202f% (+7,5\u202fpoints)" in card(page, "S1")
    assert "2023 : pas de données" in card(page, "S2")


def test_sub_periods_are_in_the_period_selector_and_shown(client, perimeter, people):
    perimeter.indicators().filter(code="S1").update(frequency=Frequency.QUARTERLY)
    compute_2024()
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/"))
    assert '<option value="2024-T1">1er trimestre 2024</option>' in page
    first = text_of(client.get("/tableau-de-bord/?periode=2024-T1"))
    assert "Tableau de bord 1er trimestre 2024" in first
    assert "40,0\u202f%" in card(first, "S1")  # every contract was notified in March
    second = text_of(client.get("/tableau-de-bord/?periode=2024-T2"))
    assert "pas de données" in card(second, "S1")
    assert "pas de données" in card(second, "S2")  # S2 is followed yearly: no quarter value


def test_dashboard_before_any_computation_says_so(client, perimeter, people):
    client.force_login(people.pilot)
    assert "Aucune valeur calculée" in text_of(client.get("/tableau-de-bord/"))


def test_organisation_without_scheme_says_so(client, perimeter, people):
    perimeter.delete()
    client.force_login(people.pilot)
    assert "n'a pas encore de schéma" in text_of(client.get("/tableau-de-bord/"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("periode=abc", "Période invalide"),
        ("periode=2024-X9", "Période inconnue"),
        ("periode=1999", "le schéma couvre 2024-2028"),
        ("annee=1999", "le schéma couvre 2024-2028"),
        ("perimetre=direction:inconnue", "Périmètre inconnu"),
        ("perimetre=nimporte", "Périmètre inconnu"),
    ],
)
def test_bad_filters_are_404_with_a_french_message(client, perimeter, people, query, message, settings):
    compute_2024()
    client.force_login(people.pilot)
    response = client.get(f"/tableau-de-bord/?{query}")
    assert response.status_code == 404
    # The 404 page shows the message when DEBUG is on; the exception carries it either way.
    settings.DEBUG = True
    assert message in client.get(f"/tableau-de-bord/?{query}").content.decode()


def test_a_year_of_the_scheme_without_values_is_an_empty_state_not_an_error(client, perimeter, people):
    compute_2024()
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/?periode=2026"))
    assert "Aucune valeur n'est enregistrée pour 2026" in page
    assert "pas de données" in card(page, "S1")


def test_dashboard_requires_login(client, perimeter):
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_outsider_sees_none_of_the_organisation_figures(client, perimeter, people):
    compute_2024()
    client.force_login(people.outsider)  # the pilot of another organisation, which has no scheme
    page = text_of(client.get("/tableau-de-bord/"))
    assert "Ailleurs n'a pas encore de schéma" in page
    assert "40,0" not in page
    assert client.get("/tableau-de-bord/directions/a/").status_code == 404
    assert client.get("/tableau-de-bord/indicateurs/S1/").status_code == 404
    assert client.get("/tableau-de-bord/indicateurs/S1/marches/").status_code == 404


def test_user_without_organisation_gets_404(client, perimeter, people):
    compute_2024()
    client.force_login(get_user_model().objects.create_user("personne", password="un-mot-de-passe-long"))
    assert client.get("/tableau-de-bord/").status_code == 404
    assert client.get("/tableau-de-bord/indicateurs/S1/").status_code == 404


def test_referents_land_on_their_direction_unless_they_ask_for_the_organisation(client, perimeter, people):
    compute_2024()
    client.force_login(people.own)
    response = client.get("/tableau-de-bord/?periode=2024")
    assert response.status_code == 302
    assert response["Location"] == "/tableau-de-bord/directions/a/?periode=2024"
    page = text_of(client.get(response["Location"]))
    assert "Direction A : tableau de bord 2024" in page
    assert "50,0\u202f%" in card(page, "S1")  # 1 of the direction's 2 contracts
    assert client.get("/tableau-de-bord/?perimetre=organisation").status_code == 200
    client.force_login(people.resource)
    response = client.get("/tableau-de-bord/")
    assert response["Location"] == "/tableau-de-bord/directions/ecologie/"
    page = text_of(client.get(response["Location"]))
    assert "Aucun marché de 2024 n'est attribué à cette direction" in page


def test_prescribing_referent_sees_only_its_own_direction(client, perimeter, people):
    compute_2024()
    client.force_login(people.other)
    assert client.get("/tableau-de-bord/directions/a/").status_code == 403
    assert client.get("/tableau-de-bord/?perimetre=direction:a").status_code == 403
    assert client.get("/tableau-de-bord/directions/b/").status_code == 200
    page = text_of(client.get("/tableau-de-bord/?perimetre=organisation"))
    assert "Direction A" not in page  # neither in the table nor in the scope selector
    assert 'value="direction:a"' not in page
    client.force_login(people.own)
    assert client.get("/tableau-de-bord/directions/a/").status_code == 200


@pytest.mark.parametrize("who", ["pilot", "committee", "resource"])
def test_other_roles_see_every_direction(client, perimeter, people, who):
    compute_2024()
    client.force_login(getattr(people, who))
    assert client.get("/tableau-de-bord/directions/a/").status_code == 200
    assert client.get("/tableau-de-bord/directions/b/").status_code == 200
    page = text_of(client.get("/tableau-de-bord/?perimetre=organisation"))
    assert '<a href="/tableau-de-bord/directions/a/?periode=2024">Direction A</a>' in page


def test_organisation_dashboard_asked_for_a_direction_goes_to_the_direction_page(client, perimeter, people):
    compute_2024()
    client.force_login(people.pilot)
    response = client.get("/tableau-de-bord/?periode=2024&perimetre=direction:a")
    assert response.status_code == 302
    assert response["Location"] == "/tableau-de-bord/directions/a/?periode=2024"


def test_direction_table_links_each_value_to_the_indicator_page(client, perimeter, people):
    compute_2024()
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/"))
    assert (
        '<a href="/tableau-de-bord/indicateurs/S1/?periode=2024&perimetre=direction%3Aa">50,0\u202f%</a>'
        in page
    )


def test_axis_and_commitment_pages_show_their_figures(client, perimeter, people):
    compute_2024()
    axis = perimeter.axes.get()
    commitment = axis.commitments.get()
    client.force_login(people.committee)
    page = text_of(client.get(f"/tableau-de-bord/axes/{axis.pk}/?periode=2024"))
    assert "<h1>Axe I — Social</h1>" in page
    assert 'data-row="S1"' in page
    assert "40,0\u202f%" in page
    page = text_of(client.get(f"/tableau-de-bord/engagements/{commitment.pk}/?perimetre=direction:a"))
    assert "Engagement I.1 — Clauses" in page
    row = page[page.index('<tr data-row="S1"') :]
    assert "50,0\u202f%" in row[: row.index("</tr>")]
    assert client.get("/tableau-de-bord/axes/999999/").status_code == 404
    client.force_login(people.other)
    assert client.get(f"/tableau-de-bord/axes/{axis.pk}/?perimetre=direction:a").status_code == 403


def test_headline_set_matches_split_codes_not_longer_numbers(perimeter):
    assert headline_rank("S5a") == headline_rank("S5") == 4
    assert headline_rank("E7b") is not None
    assert headline_rank("C1b") is not None
    assert headline_rank("S10") is None
    assert headline_rank("S3a") is None
    assert headline_rank("C12") is None


def test_headline_cards_hold_split_codes(client, perimeter, people):
    commitment = perimeter.axes.get().commitments.get()
    Indicator.objects.create(
        commitment=commitment, code="S10", name="Pas phare", method="share",
        params={"measure": "count", "condition": "has_social"},
    )  # fmt: skip
    Indicator.objects.create(commitment=commitment, code="E7a", name="EGalim", unit="percent")
    compute_2024()
    client.force_login(people.pilot)
    page = text_of(client.get("/tableau-de-bord/"))
    headline = page[page.index('id="headline-heading"') : page.index('id="all-heading"')]
    assert 'data-code="E7a"' in headline
    assert 'data-code="S5"' in headline
    assert 'data-code="S10"' not in headline
