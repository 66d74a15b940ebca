"""The whole life of an entry, through the pages a user clicks, down to the IndicatorValue dashboards read."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from spaser.campaigns import services
from spaser.campaigns.models import Campaign, CampaignStatus, EntryStatus
from spaser.indicators.models import IndicatorValue
from spaser.indicators.services import compute_scheme_indicators

from .conftest import entry_of

pytestmark = pytest.mark.django_db


def test_opening_creates_one_entry_per_manual_indicator_for_its_owner(world, campaign):
    entries = {e.indicator.code: e for e in campaign.entries.select_related("indicator", "direction")}
    assert set(entries) == {"T6", "E5", "T2"}  # S1 is computed: not in the campaign
    assert entries["T6"].direction == world.prescribing
    assert entries["E5"].direction == world.resource
    assert entries["T2"].direction is None  # entered by the pilot
    assert all(e.status == EntryStatus.TO_ENTER for e in entries.values())
    assert campaign.title == "Saisie des indicateurs — 2025"
    assert campaign.history.get().history_user == world.pilot


def test_open_form_with_an_unticked_indicator(client, world):
    client.force_login(world.pilot)
    response = client.post(
        reverse("campaigns:open"),
        {
            "year": "2025",
            "period": "T2",
            "due_date": "2025-07-15",
            "indicators": [world.trained.pk, world.reuse.pk],
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.period == "T2"
    assert campaign.title == "Saisie des indicateurs — 2e trimestre 2025"
    assert sorted(campaign.entries.values_list("indicator__code", flat=True)) == ["E5", "T6"]


def test_a_second_campaign_for_the_same_period_is_refused(client, world, campaign):
    client.force_login(world.pilot)
    response = client.post(
        reverse("campaigns:open"),
        {"year": "2025", "period": "A", "due_date": "2026-03-01", "indicators": [world.trained.pk]},
    )
    assert response.status_code == 200
    assert "Une campagne existe déjà pour 2025." in response.content.decode()
    assert Campaign.objects.count() == 1


def test_open_campaign_refuses_a_computed_indicator_and_a_year_outside_the_scheme(world):
    with pytest.raises(ValidationError) as error:
        services.open_campaign(
            scheme=world.scheme, year=2031, period="A", due_date=date(2031, 1, 1), user=world.pilot,
            indicators=[world.indicator],
        )  # fmt: skip
    assert "2031" in error.value.message_dict["year"][0]
    assert "saisis manuellement" in error.value.message_dict["indicators"][0]


def test_enter_submit_send_back_resubmit_validate_publishes_the_value_with_its_provenance(
    client, world, campaign
):
    entry = entry_of(campaign, world.reuse)  # E5, owned by the resource direction
    url = reverse("campaigns:entry", args=[entry.pk])

    client.force_login(world.resource_referent)
    response = client.post(url, {"value": "12,5", "comment": "Tableau de suivi DTER", "action": "save"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.TO_ENTER
    assert entry.value == Decimal("12.5")
    assert entry.entered_by == world.resource_referent

    response = client.post(url, {"value": "12,5", "comment": "Tableau de suivi DTER", "action": "submit"})
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED

    client.force_login(world.pilot)
    back = client.post(
        reverse("campaigns:send_back", args=[entry.pk]),
        {"review_comment": "Ajoutez le mobilier des collèges."},
    )
    assert back.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SENT_BACK
    assert entry.review_comment == "Ajoutez le mobilier des collèges."
    assert not IndicatorValue.objects.exists()

    client.force_login(world.resource_referent)
    page = client.get(url).content.decode()
    assert "Ajoutez le mobilier des collèges." in page  # the pilot's comment is shown to the direction
    client.post(url, {"value": "14", "comment": "Avec le mobilier des collèges", "action": "submit"})

    client.force_login(world.pilot)
    client.post(reverse("campaigns:validate", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.VALIDATED
    assert entry.reviewed_by == world.pilot

    organisation_value = IndicatorValue.objects.get(
        indicator=world.reuse, year=2025, period="A", scope="organisation"
    )
    direction_value = IndicatorValue.objects.get(
        indicator=world.reuse, year=2025, period="A", scope=f"direction:{world.resource.slug}"
    )
    today = timezone.localdate()
    for value in (organisation_value, direction_value):
        assert value.value == Decimal("14")
        assert value.numerator == Decimal("14")
        assert value.denominator == 1
        assert value.unknown == 0
        assert value.method_version == "manual/1"
        assert value.data_date == today
        assert value.details == {
            "saisie": entry.pk,
            "campagne": campaign.pk,
            "commentaire": "Avec le mobilier des collèges",
            "justificatif": False,
        }
        assert value.perimeter == (
            f"Saisie de la direction Délégation à la transition écologique pour 2025, validée par "
            f"{world.pilot.get_full_name()} le {today:%d/%m/%Y}"
        )
    assert organisation_value.direction is None
    assert direction_value.direction == world.resource

    reasons = list(entry.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == [
        "Campagne ouverte : saisie attendue",
        "Saisie enregistrée",
        "Saisie transmise au pilote",
        "Renvoyée pour correction",
        "Saisie transmise au pilote",
        "Saisie validée",
    ]


def test_validation_is_idempotent(world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="9"
    )
    services.validate_entry(entry=entry, user=world.pilot)
    rows = IndicatorValue.history.count()
    entry_rows = entry.history.count()
    services.validate_entry(entry=entry, user=world.pilot)
    assert IndicatorValue.objects.count() == 2  # organisation and direction scopes
    assert IndicatorValue.history.count() == rows
    assert entry.history.count() == entry_rows


def test_the_pilot_enters_an_indicator_without_direction_for_the_organisation_only(world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.avoided), user=world.pilot, value="125000.50"
    )
    services.validate_entry(entry=entry, user=world.pilot)
    value = IndicatorValue.objects.get(indicator=world.avoided)
    assert value.scope == "organisation"
    assert value.value == Decimal("125000.5")
    assert value.perimeter.startswith("Saisie du pilote du schéma pour 2025, validée par")


def test_sending_back_a_validated_entry_keeps_the_value_until_a_new_validation(world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="9"
    )
    services.validate_entry(entry=entry, user=world.pilot)
    services.send_back_entry(
        entry=entry, user=world.pilot, comment="Le chiffre 2024 a été repris par erreur."
    )
    value = IndicatorValue.objects.get(indicator=world.reuse, scope="organisation")
    assert value.value == Decimal("9")  # nothing removed silently

    entry = services.submit_entry(entry=entry, user=world.resource_referent, value="11")
    services.validate_entry(entry=entry, user=world.pilot)
    value.refresh_from_db()
    assert value.value == Decimal("11")
    assert [h.value for h in value.history.order_by("history_id")] == [Decimal("9"), Decimal("11")]
    reasons = list(entry.history.values_list("history_change_reason", flat=True))
    assert "Validation reprise : renvoyée pour correction" in reasons


def test_a_closed_campaign_takes_no_entry_and_can_be_reopened(world, campaign):
    entry = entry_of(campaign, world.reuse)
    services.close_campaign(campaign=campaign, user=world.pilot)
    assert Campaign.objects.get().status == CampaignStatus.CLOSED
    with pytest.raises(ValidationError, match="clôturée"):
        services.save_entry(entry=entry, user=world.resource_referent, value="3")
    services.reopen_campaign(campaign=campaign, user=world.pilot)
    assert services.save_entry(entry=entry, user=world.resource_referent, value="3").value == Decimal("3")
    reasons = list(campaign.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["Campagne ouverte", "Campagne clôturée", "Campagne rouverte"]


def test_services_check_who_calls_them(world, campaign):
    entry = entry_of(campaign, world.reuse)
    with pytest.raises(PermissionDenied):
        services.save_entry(entry=entry, user=world.prescribing_referent, value="3")
    with pytest.raises(PermissionDenied):
        services.submit_entry(entry=entry, user=world.committee_member, value="3")
    entry = services.submit_entry(entry=entry, user=world.resource_referent, value="3")
    with pytest.raises(PermissionDenied):
        services.validate_entry(entry=entry, user=world.resource_referent)
    with pytest.raises(PermissionDenied):
        services.open_campaign(
            scheme=world.scheme, year=2026, due_date=date(2027, 1, 31), user=world.resource_referent
        )
    with pytest.raises(PermissionDenied):
        services.close_campaign(campaign=campaign, user=world.committee_member)


def test_a_submitted_entry_is_locked_for_the_direction(world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="3"
    )
    with pytest.raises(ValidationError, match="ne peut plus être modifiée"):
        services.save_entry(entry=entry, user=world.resource_referent, value="4")


def test_a_send_back_needs_a_comment(client, world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="3"
    )
    client.force_login(world.pilot)
    response = client.post(reverse("campaigns:send_back", args=[entry.pk]), {"review_comment": "  "})
    assert response.status_code == 200
    assert "Le commentaire est obligatoire" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_recomputing_the_indicators_leaves_validated_manual_values_alone(world, campaign):
    entry = entry_of(campaign, world.reuse)
    entry = services.submit_entry(entry=entry, user=world.resource_referent, value="9")
    services.validate_entry(entry=entry, user=world.pilot)
    compute_scheme_indicators(scheme=world.scheme, years=[2025])
    value = IndicatorValue.objects.get(indicator=world.reuse, year=2025, period="A", scope="organisation")
    assert value.value == Decimal("9")
    assert value.method_version == "manual/1"
