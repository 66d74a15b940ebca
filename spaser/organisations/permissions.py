"""Who may do what in an organisation's register. Enforced server-side by every view that reads or writes.

Rules:
- every member of the organisation (any role) reads its register; non-members get a 404;
- only the pilot edits the register (scheme fields, axes, commitments, objectives, actions, indicators,
  targets); superusers act as pilots;
- a referent (prescribing or resource direction) updates only the follow-up fields (status, progress and a
  comment kept in the history) of actions owned by its own direction;
- committee members read only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import DIRECTION_ROLES, Membership, Organisation, Role
from .selectors import membership_for, organisation_for

if TYPE_CHECKING:
    from spaser.schemes.models import Action


def can_view_organisation(membership: Membership | None) -> bool:
    return membership is not None


def can_edit_register(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.PILOT


def can_update_action_progress(membership: Membership | None, action: Action) -> bool:
    """Pilot: any action; referent: actions owned by its own direction; nobody else."""
    if membership is None:
        return False
    if membership.role == Role.PILOT:
        return True
    return (
        membership.role in DIRECTION_ROLES
        and membership.direction_id is not None
        and action.owner_direction_id == membership.direction_id
    )


def user_can_view(user, organisation: Organisation) -> bool:
    return can_view_organisation(membership_for(user, organisation))


def user_can_edit_register(user, organisation: Organisation) -> bool:
    return can_edit_register(membership_for(user, organisation))


def user_can_update_action_progress(user, action: Action) -> bool:
    organisation = action.commitment.axis.scheme.organisation
    return can_update_action_progress(membership_for(user, organisation), action)


def require_member(user, *, pilot: bool = False, not_member: str, not_pilot: str = "") -> tuple:
    """The user's organisation and role, for a view: Http404 (`not_member`) outside any organisation,
    PermissionDenied (`not_pilot`) when the pilot is required. The one access check of the app's pages."""
    organisation = organisation_for(user)
    membership = membership_for(user, organisation)
    if not can_view_organisation(membership):
        raise Http404(not_member)
    if pilot and not can_edit_register(membership):
        raise PermissionDenied(not_pilot)
    return organisation, membership
