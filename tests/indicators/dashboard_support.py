"""Shared set-up of the dashboard, indicator page and drill-down tests: one member per role in an
organisation, and the random world (world.py) carrying the whole computed catalogue, computed and stored."""

import html
import re
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from spaser.indicators.catalogue import CATALOGUE
from spaser.indicators.services import compute_scheme_indicators
from spaser.organisations.models import (
    Direction,
    DirectionKind,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
)
from spaser.schemes.models import Frequency, Indicator, Target

from .world import TODAY, YEARS, build_world

FREQUENCIES = [Frequency.YEARLY, Frequency.QUARTERLY, Frequency.MONTHLY, Frequency.SEMIANNUAL]


def text_of(response) -> str:
    """The page with runs of white space folded (the narrow no-break spaces of figures are kept) and
    entities read (« l'année » rather than « l&#x27;année »)."""
    return html.unescape(re.sub(r"[ \t\n]+", " ", response.content.decode()))


def members(organisation, *, own, other) -> SimpleNamespace:
    """A user per role: `own` and `other` are prescribing directions of the organisation; the resource
    referent gets a resource direction of its own; the outsider is the pilot of another organisation."""
    users = get_user_model().objects
    resource = Direction.objects.create(
        organisation=organisation, name="Délégation écologie", slug="ecologie", kind=DirectionKind.RESOURCE
    )

    def member(name, role, direction=None, organisation=organisation):
        user = users.create_user(name, password="un-mot-de-passe-long")
        Membership.objects.create(user=user, organisation=organisation, role=role, direction=direction)
        return user

    elsewhere = Organisation.objects.create(
        name="Ailleurs", slug="ailleurs", siren="200000000", kind=OrganisationKind.COMMUNE
    )
    return SimpleNamespace(
        pilot=member("pilote", Role.PILOT),
        committee=member("comite", Role.COMMITTEE_MEMBER),
        resource=member("ecologie", Role.RESOURCE_REFERENT, resource),
        own=member("referent-a", Role.PRESCRIBING_REFERENT, own),
        other=member("referent-b", Role.PRESCRIBING_REFERENT, other),
        outsider=member("externe", Role.PILOT, organisation=elsewhere),
        resource_direction=resource,
    )


def catalogue_world(*, contracts: int = 160, extra_directions: int = 0, seed: int = 7):
    """The random world with every catalogue indicator (computed ones with the catalogue's definition,
    the others manual), a target on the rates, every value computed for 2023-2025 as of TODAY."""
    scheme = build_world(seed=seed, contracts=contracts)
    commitment = scheme.axes.get().commitments.get()
    for number in range(extra_directions):
        Direction.objects.create(
            organisation=scheme.organisation,
            name=f"Direction en plus {number}",
            slug=f"plus-{number}",
            kind=DirectionKind.PRESCRIBING,
        )
    for index, definition in enumerate(CATALOGUE):
        indicator = Indicator.objects.create(
            commitment=commitment,
            code=definition.code,
            name=definition.name,
            unit=definition.unit,
            method=definition.method if definition.computed else "manual",
            params=definition.params if definition.computed else {},
            frequency=FREQUENCIES[index % len(FREQUENCIES)],
            position=index,
        )
        if definition.unit == "percent":
            for year in YEARS:
                Target.objects.create(indicator=indicator, year=year, value=Decimal(20 + 5 * (year - 2023)))
    compute_scheme_indicators(scheme=scheme, years=list(YEARS), today=TODAY)
    return scheme
