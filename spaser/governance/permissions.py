"""Who may see and do what in governance. Enforced server-side by every view and service.

- every member of the organisation reads committees, meetings, packs, minutes and corrective actions;
- the pilot (superusers act as pilot) manages committees and members, prepares meetings (agenda), holds them
  (freezing the pack), records attendance, decisions and corrective actions;
- the referents of a corrective action's owner direction update it (status and follow-up comment); the pilot
  updates any.
"""

from __future__ import annotations

from spaser.organisations.models import DIRECTION_ROLES, Membership, Role


def can_read(membership: Membership | None, organisation) -> bool:
    return membership is not None and membership.organisation_id == organisation.pk


def can_manage(membership: Membership | None, organisation) -> bool:
    return can_read(membership, organisation) and membership.role == Role.PILOT


def can_update_action(membership: Membership | None, action) -> bool:
    if not can_read(membership, action.organisation):
        return False
    if membership.role == Role.PILOT:
        return True
    return membership.role in DIRECTION_ROLES and membership.direction_id == action.owner_direction_id
