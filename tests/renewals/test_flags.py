"""A renewal without a decided review is flagged (docs/renewals.md)."""

from datetime import timedelta

from spaser.renewals import selectors, services
from spaser.renewals.models import Decision

from .conftest import TODAY, months


def _flags(world, direction=None):
    return selectors.radar_flags(world.organisation, direction=direction, today=TODAY)


def test_extension_by_modification_after_the_first_end(world):
    # notified 26 months ago for 24 months, extended to 36: its first end passed 2 months ago
    extended = world.contract(
        notification_date=months(-26),
        duration_months=24,
        current_duration_months=36,
        end_date=months(10),
        end_date_estimated=True,
    )
    world.contract(notification_date=months(-6), duration_months=12, current_duration_months=24)
    flags = _flags(world)
    assert list(flags) == [extended.pk]
    assert flags[extended.pk].renewal_date == months(-2)
    assert "24 → 36 mois" in flags[extended.pk].reason


def test_newer_contract_of_same_buyer_cpv_division_and_direction(world):
    ended = world.contract(notification_date=months(-40), end_date=months(-4))
    successor = world.contract(notification_date=months(-3), end_date=months(33))
    world.contract(notification_date=months(-40), end_date=months(-5), cpv_division="90")  # other CPV: none
    other_direction = world.contract(
        notification_date=months(-40), end_date=months(-4), direction=world.resource
    )
    late = world.contract(notification_date=months(-40), end_date=months(-11))  # successor 8 months after: no
    flags = _flags(world)
    assert set(flags) == {ended.pk}
    assert flags[ended.pk].successor == successor
    assert other_direction.pk not in flags
    assert late.pk not in flags


def test_a_decided_review_clears_the_flag_a_pending_one_does_not(world):
    ended = world.contract(notification_date=months(-40), end_date=TODAY - timedelta(days=40))
    world.contract(notification_date=TODAY - timedelta(days=5), end_date=months(36))
    membership = world.pilot.memberships.get()
    review = services.review_start(contract=ended, membership=membership, user=world.pilot)
    assert ended.pk in _flags(world)
    services.review_decide(
        review=review,
        membership=membership,
        user=world.pilot,
        decision=Decision.RENEW,
        justification="Besoin confirmé, périmètre identique.",
    )
    assert _flags(world) == {}


def test_flag_shown_on_radar_rows(world):
    extended = world.contract(
        notification_date=months(-13),
        duration_months=12,
        current_duration_months=18,
        end_date=months(5),
        end_date_estimated=True,
    )
    flags = _flags(world, direction=world.prescribing)
    rows = selectors.radar_rows(
        selectors.radar_queryset(world.organisation, today=TODAY), today=TODAY, flags=flags
    )
    assert rows[0].contract == extended
    assert rows[0].unreviewed_renewal is not None


def test_the_radar_lists_the_oldest_flags_and_links_to_all(world, client, monkeypatch):
    """At 100 000 contracts the flags are thousands (RESULTS.md « Charge »): the page lists the oldest."""
    from django.urls import reverse

    from spaser.renewals import views

    monkeypatch.setattr(views, "FLAGS_SHOWN", 2)
    for first_end in (-2, -3, -4):  # notified for 12 months, extended to 24: renewed `first_end` months ago
        world.contract(
            notification_date=months(first_end - 12),
            duration_months=12,
            current_duration_months=24,
            end_date=months(first_end + 12),
            end_date_estimated=True,
        )
    client.force_login(world.pilot)
    body = client.get(reverse("renewals:radar")).content.decode()
    assert "3 marchés renouvelés sans revue du besoin" in body
    notice = body.split('id="flags-title"')[1].split("</section>")[0]
    assert notice.count("<li>") == 2
    assert months(-4).strftime("%d/%m/%Y") in notice
    assert months(-2).strftime("%d/%m/%Y") not in notice
    assert f"?etat={selectors.STATE_UNREVIEWED_RENEWAL}" in notice
    assert "Voir les 3 marchés" in notice
