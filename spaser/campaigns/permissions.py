"""Who may do what in an input campaign (on top of spaser/organisations/permissions.py).

- Every member of the organisation sees the list of campaigns; non-members get a 404.
- The pilot opens, closes, reopens and reminds; validates or sends back entries; sees and enters every entry.
- A referent (prescribing or resource direction) sees and enters only the entries of its own direction.
- Committee members read every entry and change nothing.
"""

from __future__ import annotations

from spaser.organisations.models import DIRECTION_ROLES, Membership, Role

from .models import CampaignEntry


def is_pilot(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.PILOT


def is_referent(membership: Membership | None) -> bool:
    return (
        membership is not None and membership.role in DIRECTION_ROLES and membership.direction_id is not None
    )


def sees_all_entries(membership: Membership | None) -> bool:
    return membership is not None and membership.role in (Role.PILOT, Role.COMMITTEE_MEMBER)


def can_view_entry(membership: Membership | None, entry: CampaignEntry) -> bool:
    if sees_all_entries(membership):
        return True
    return is_referent(membership) and entry.direction_id == membership.direction_id


def can_enter(membership: Membership | None, entry: CampaignEntry) -> bool:
    """The pilot, or a referent of the entry's direction (an entry without direction is the pilot's)."""
    if is_pilot(membership):
        return True
    return (
        is_referent(membership)
        and entry.direction_id is not None
        and (entry.direction_id == membership.direction_id)
    )


def can_review(membership: Membership | None) -> bool:
    return is_pilot(membership)
