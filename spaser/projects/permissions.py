"""Who may see and do what with purchase projects. Enforced server-side by every view and service.

- the pilot (and superusers acting as pilot) sees and edits every project, grants advice overrides, edits the
  referral rules and the clause library;
- a prescribing referent sees, creates and edits only its direction's projects (need review, stage moves);
- a resource referent sees the projects referred to its direction (an advice asked of it) and writes that
  advice;
- committee members read every project.
"""

from __future__ import annotations

from django.db.models import Q

from spaser.organisations.models import Membership, Role


def is_pilot(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.PILOT


def visible_projects(queryset, membership: Membership | None):
    """The projects of `queryset` the member may see."""
    if membership is None:
        return queryset.none()
    if membership.role in (Role.PILOT, Role.COMMITTEE_MEMBER):
        return queryset
    if membership.role == Role.PRESCRIBING_REFERENT:
        return queryset.filter(direction_id=membership.direction_id)
    if membership.role == Role.RESOURCE_REFERENT:
        return queryset.filter(
            Q(advices__resource_direction_id=membership.direction_id)
            | Q(direction_id=membership.direction_id)
        ).distinct()
    return queryset.none()


def can_view_project(membership: Membership | None, project) -> bool:
    if membership is None or membership.organisation_id != project.organisation_id:
        return False
    if membership.role in (Role.PILOT, Role.COMMITTEE_MEMBER):
        return True
    if project.direction_id == membership.direction_id:
        return True
    return (
        membership.role == Role.RESOURCE_REFERENT
        and project.advices.filter(resource_direction_id=membership.direction_id).exists()
    )


def can_edit_project(membership: Membership | None, project) -> bool:
    """Edit the project, fill its need review, move it between stages."""
    if membership is None or membership.organisation_id != project.organisation_id:
        return False
    if membership.role == Role.PILOT:
        return True
    return membership.role in (Role.PRESCRIBING_REFERENT, Role.RESOURCE_REFERENT) and (
        project.direction_id == membership.direction_id
    )


def can_create_project(membership: Membership | None) -> bool:
    return membership is not None and (
        membership.role == Role.PILOT
        or (
            membership.role in (Role.PRESCRIBING_REFERENT, Role.RESOURCE_REFERENT) and membership.direction_id
        )
    )


def can_write_advice(membership: Membership | None, advice) -> bool:
    """The pilot, or a referent of the resource direction asked."""
    if membership is None or membership.organisation_id != advice.project.organisation_id:
        return False
    if membership.role == Role.PILOT:
        return True
    return (
        membership.role == Role.RESOURCE_REFERENT and advice.resource_direction_id == membership.direction_id
    )
