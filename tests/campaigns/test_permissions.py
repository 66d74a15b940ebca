"""Who sees and does what: outside the organisation → 404, a forbidden action → 403, a referent only ever sees
its own direction's entries."""

import pytest
from django.urls import reverse

from spaser.campaigns import services
from spaser.campaigns.models import EntryStatus
from tests.factories import UserFactory

from .conftest import entry_of

pytestmark = pytest.mark.django_db


def _status(client, user, method, url, data=None):
    client.force_login(user)
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("pilot", 200),
        ("prescribing_referent", 403),
        ("resource_referent", 403),
        ("committee_member", 403),
        ("outsider", 404),
    ],
)
def test_only_the_pilot_opens_a_campaign(client, world, role, expected):
    assert _status(client, getattr(world, role), "get", reverse("campaigns:open")) == expected


@pytest.mark.parametrize("role", ["pilot", "prescribing_referent", "resource_referent", "committee_member"])
def test_every_member_sees_the_list_and_the_campaign(client, world, campaign, role):
    user = getattr(world, role)
    assert _status(client, user, "get", reverse("campaigns:list")) == 200
    assert _status(client, user, "get", reverse("campaigns:detail", args=[campaign.pk])) == 200


def test_another_organisation_does_not_see_the_campaign(client, world, campaign):
    client.force_login(world.outsider)
    assert campaign.title not in client.get(reverse("campaigns:list")).content.decode()
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 404


def test_a_referent_sees_only_its_direction_on_the_campaign_page(client, world, campaign):
    client.force_login(world.resource_referent)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "E5 — Part du réemploi" in page
    assert "T6 — Agents formés" not in page
    assert "T2 — Dépenses évitées" not in page
    # Asking for another direction in the URL shows nothing more.
    page = client.get(reverse("campaigns:detail", args=[campaign.pk]), {"direction": world.prescribing.slug})
    assert "T6 — Agents formés" not in page.content.decode()

    client.force_login(world.committee_member)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert all(code in page for code in ("E5 —", "T6 —", "T2 —"))
    assert "Valider" not in page
    assert "Relancer maintenant" not in page


@pytest.mark.parametrize(
    ("role", "view", "edit"),
    [
        ("pilot", 200, 302),
        ("prescribing_referent", 200, 302),  # T6 belongs to the prescribing direction
        ("resource_referent", 403, 403),
        ("committee_member", 200, 403),
        ("outsider", 404, 404),
    ],
)
def test_entry_page_per_role(client, world, campaign, role, view, edit):
    url = reverse("campaigns:entry", args=[entry_of(campaign, world.trained).pk])
    user = getattr(world, role)
    assert _status(client, user, "get", url) == view
    assert _status(client, user, "post", url, {"value": "3", "action": "save"}) == edit


def test_committee_members_read_the_entry_without_a_form(client, world, campaign):
    client.force_login(world.committee_member)
    page = client.get(
        reverse("campaigns:entry", args=[entry_of(campaign, world.trained).pk])
    ).content.decode()
    assert "Transmettre au pilote" not in page
    assert "Pas encore saisie" in page


def test_the_entry_without_direction_is_the_pilots(client, world, campaign):
    url = reverse("campaigns:entry", args=[entry_of(campaign, world.avoided).pk])
    assert _status(client, world.prescribing_referent, "get", url) == 403
    assert _status(client, world.pilot, "post", url, {"value": "1000", "action": "submit"}) == 302


@pytest.mark.parametrize(
    ("role", "expected"),
    [("prescribing_referent", 403), ("resource_referent", 403), ("committee_member", 403), ("outsider", 404)],
)
def test_only_the_pilot_reviews_closes_and_reminds(client, world, campaign, role, expected):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, value="3"
    )
    user = getattr(world, role)
    for name, data in (("validate", {}), ("send_back", {"review_comment": "Non"})):
        assert _status(client, user, "post", reverse(f"campaigns:{name}", args=[entry.pk]), data) == expected
    for name in ("close", "reopen", "remind"):
        assert _status(client, user, "post", reverse(f"campaigns:{name}", args=[campaign.pk])) == expected
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_review_urls_refuse_get(client, world, campaign):
    entry = entry_of(campaign, world.reuse)
    assert _status(client, world.pilot, "get", reverse("campaigns:validate", args=[entry.pk])) == 405


def test_pages_require_login(client, campaign):
    response = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_another_organisations_pilot_cannot_reach_the_entries(client, world, campaign):
    entry = entry_of(campaign, world.reuse)
    assert _status(client, world.outsider, "get", reverse("campaigns:evidence", args=[entry.pk])) == 404
    assert _status(client, world.outsider, "post", reverse("campaigns:validate", args=[entry.pk])) == 404


def test_a_user_without_organisation_gets_404(client, world, campaign):
    client.force_login(UserFactory())
    assert client.get(reverse("campaigns:list")).status_code == 404
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 404
