"""Who may read and write renewal reviews.

- every member of the organisation reads the radar, except a prescribing referent, who sees only the
  radar of its own direction;
- the pilot, and the referents (prescribing or resource) of the contract's direction, write its review;
- committee members, and referents of other directions, read only.
"""

from __future__ import annotations

from spaser.contracts.models import Contract
from spaser.organisations.models import DIRECTION_ROLES, Membership, Role


def is_pilot(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.PILOT


def forced_direction_id(membership: Membership) -> int | None:
    """The only direction a member may see on the radar, or None when it sees all."""
    if membership.role == Role.PRESCRIBING_REFERENT:
        return membership.direction_id
    return None


def can_view_contract(membership: Membership | None, contract: Contract) -> bool:
    if membership is None:
        return False
    forced = forced_direction_id(membership)
    return forced is None or contract.direction_id == forced


def can_write_review(membership: Membership | None, contract: Contract) -> bool:
    if membership is None:
        return False
    if membership.role == Role.PILOT:
        return True
    return (
        membership.role in DIRECTION_ROLES
        and membership.direction_id is not None
        and contract.direction_id == membership.direction_id
    )
