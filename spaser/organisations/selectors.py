"""Reads about who belongs where: the organisation a user works in and the role they hold there."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from .models import Membership, Organisation, Role

_CACHE_ATTRIBUTE = "_spaser_membership_cache"


def _cache(user) -> dict:
    cache = getattr(user, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTRIBUTE, cache)
    return cache


def organisation_for(user) -> Organisation | None:
    """The organisation shown to `user` by default.

    A member's first organisation (by name); a superuser without membership sees the first organisation.
    Anonymous users have none. Cached on the user object, i.e. for the duration of a request.
    """
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    cache = _cache(user)
    if "organisation" not in cache:
        membership = (
            Membership.objects.filter(user=user)
            .select_related("organisation", "direction")
            .order_by("organisation__name")
        ).first()
        if membership is not None:
            cache["organisation"] = membership.organisation
            if not user.is_superuser:  # the role there too (membership_for): one query less per request
                cache[("membership", membership.organisation_id)] = membership
        elif user.is_superuser:
            cache["organisation"] = Organisation.objects.order_by("name").first()
        else:
            cache["organisation"] = None
    return cache["organisation"]


def membership_for(user, organisation: Organisation | None) -> Membership | None:
    """The role `user` holds in `organisation`, or None when they do not belong to it.

    Superusers act as pilots of every organisation: when they hold no pilot membership, an unsaved
    pilot membership is returned (never save it).
    """
    if organisation is None or user is None or not user.is_authenticated:
        return None
    cache = _cache(user)
    key = ("membership", organisation.pk)
    if key not in cache:
        membership = (
            Membership.objects.filter(user=user, organisation=organisation)
            .select_related("direction")
            .first()
        )
        if user.is_superuser and (membership is None or membership.role != Role.PILOT):
            membership = Membership(user=user, organisation=organisation, role=Role.PILOT)
        cache[key] = membership
    return cache[key]
