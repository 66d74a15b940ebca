"""The pages as users see them: list with progress and empty state, the opening form, the campaign page
grouped by direction with URL filters and bounded queries, the entry page with target, previous value and
history."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from spaser.campaigns import services
from spaser.campaigns.models import CampaignEntry
from spaser.indicators.models import IndicatorValue
from spaser.schemes.models import Unit
from tests.factories import IndicatorFactory

from .conftest import entry_of

pytestmark = pytest.mark.django_db


def test_empty_list_invites_the_pilot_to_open_a_campaign(client, world):
    client.force_login(world.pilot)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert "Aucune campagne de saisie pour l'instant." in page
    assert reverse("campaigns:open") in page
    client.force_login(world.prescribing_referent)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert "Le pilote du schéma ouvre les campagnes" in page
    assert reverse("campaigns:open") not in page


def test_list_shows_status_period_progress_and_due_date(client, world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="3"
    )
    services.validate_entry(entry=entry, user=world.pilot)
    client.force_login(world.committee_member)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert "1 / 3 validée" in page
    assert "15/02/2026" in page
    assert "Ouverte" in page


def test_open_form_lists_the_manual_indicators_checked(client, world):
    client.force_login(world.pilot)
    page = client.get(reverse("campaigns:open")).content.decode()
    for indicator in (world.trained, world.reuse, world.avoided):
        assert f'value="{indicator.pk}"' in page
    assert page.count("checked") == 3
    assert f'value="{world.indicator.pk}"' not in page  # computed: never entered
    assert "<legend" in page
    assert "Indicateurs à saisir" in page


def test_campaign_page_groups_by_direction_and_filters_in_the_url(client, world, campaign):
    services.submit_entry(entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="3")
    client.force_login(world.pilot)
    url = reverse("campaigns:detail", args=[campaign.pk])
    page = client.get(url).content.decode()
    # Named directions in alphabetical order, then the pilot's entries.
    assert page.index(world.resource.name) < page.index(world.prescribing.name) < page.index("Sans direction")
    assert 'Valider <span class="visually-hidden">E5</span>' in page
    filtered = client.get(url, {"statut": "submitted"}).content.decode()
    assert "E5 — Part du réemploi" in filtered
    assert "T6 — Agents" not in filtered
    assert "1 saisie sur 3." in filtered
    by_direction = client.get(url, {"direction": world.prescribing.slug}).content.decode()
    assert "T6 — Agents" in by_direction
    assert "E5 — Part" not in by_direction
    pilot_only = client.get(url, {"direction": "pilote"}).content.decode()
    assert "T2 — Dépenses" in pilot_only
    assert "T6 — Agents" not in pilot_only


def test_validate_in_place_returns_to_the_filtered_campaign_page(client, world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="3"
    )
    client.force_login(world.pilot)
    back_to = reverse("campaigns:detail", args=[campaign.pk]) + "?statut=submitted"
    response = client.post(reverse("campaigns:validate", args=[entry.pk]), {"next": back_to})
    assert response["Location"] == back_to
    response = client.post(
        reverse("campaigns:validate", args=[entry.pk]), {"next": "https://ailleurs.example/"}
    )
    assert response["Location"] == reverse("campaigns:entry", args=[entry.pk])  # no open redirect


def test_campaign_page_queries_do_not_grow_with_entries(client, world, django_assert_max_num_queries):
    for n in range(30):
        IndicatorFactory(
            commitment=world.commitment, code=f"M{n}", method="manual", params={},
            owner_direction=[world.prescribing, world.resource, None][n % 3],
        )  # fmt: skip
    campaign = services.open_campaign(
        scheme=world.scheme, year=2025, due_date=date(2026, 2, 1), user=world.pilot
    )
    for entry in CampaignEntry.objects.filter(campaign=campaign, direction=world.resource)[:5]:
        services.submit_entry(entry=entry, user=world.resource_referent, value="1")
    client.force_login(world.pilot)
    url = reverse("campaigns:detail", args=[campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count('class="badge badge--') >= 33


def test_entry_page_shows_target_previous_value_and_history(client, world, campaign):
    IndicatorValue.objects.create(
        indicator=world.reuse, year=2024, period="A", scope="organisation", value=Decimal("7.5"),
        numerator=Decimal("7.5"), denominator=1, perimeter="Saisie 2024", method_version="manual/1",
    )  # fmt: skip
    entry = entry_of(campaign, world.reuse)
    services.save_entry(entry=entry, user=world.resource_referent, value="8", comment="Premier chiffre")
    services.submit_entry(entry=entry, user=world.resource_referent, value="9", comment="Chiffre revu")
    client.force_login(world.pilot)
    page = client.get(reverse("campaigns:entry", args=[entry.pk])).content.decode()
    assert "10 %" in page
    assert "cible de l&#x27;année" in page
    assert "7,5 %" in page
    assert "Saisie 2024" in page
    assert "Saisie transmise au pilote" in page
    assert "Saisie enregistrée" in page
    assert '<del><span class="visually-hidden">avant : </span>8 %</del>' in page
    assert '<ins><span class="visually-hidden">après : </span>9 %</ins>' in page
    assert world.resource_referent.get_full_name() in page
    assert "Valider la saisie" in page
    assert "Ce qu&#x27;il faut corriger" in page


def test_entry_value_field_says_its_unit(client, world, campaign):
    client.force_login(world.pilot)
    page = client.get(
        reverse("campaigns:entry", args=[entry_of(campaign, world.avoided).pk])
    ).content.decode()
    assert "Valeur (€)" in page
    assert "Un montant en euros" in page
    assert world.avoided.unit == Unit.EURO
