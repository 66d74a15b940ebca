"""Who sees which figures, and the filters of a dashboard page read from the URL (`periode`, `perimetre`).

Rules (docs/dashboards.md):
- every member of the organisation reads its dashboards; outside it, a 404 (`require_member`);
- a prescribing referent sees the organisation, the buyers and its own direction, not the other directions
  (403); the pilot, committee members and resource referents (who advise every direction) see them all;
- a direction referent (prescribing or resource) lands on its own direction's dashboard, unless it asks for
  the organisation explicitly (`perimetre=organisation`).

A filter that cannot be read (an unknown period or scope) is a 404 whose message says what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from spaser.organisations.models import DIRECTION_ROLES, Membership, Organisation, Role
from spaser.organisations.permissions import require_member
from spaser.schemes.models import Scheme

from . import dashboard_memos
from .models import ORGANISATION_SCOPE
from .periods import Period
from .scopes import Scope, organisation_scopes

NOT_MEMBER = "Vous n'appartenez à aucune organisation : demandez un rôle au pilote du schéma."
OTHER_DIRECTION = "Vous ne voyez que les indicateurs de votre direction et ceux de l'organisation."


def may_see_scope(membership: Membership | None, scope: Scope) -> bool:
    if scope.kind != "direction" or membership is None:
        return True
    if membership.role == Role.PRESCRIBING_REFERENT:
        return scope.direction is not None and scope.direction.pk == membership.direction_id
    return True


def landing_direction(membership: Membership | None):
    """The direction a referent lands on, None for the other roles."""
    if membership is not None and membership.role in DIRECTION_ROLES and membership.direction_id:
        return membership.direction
    return None


@dataclass(frozen=True)
class Board:
    """What a dashboard page shows: whose scheme, which period, which scope, and the choices around them."""

    organisation: Organisation
    membership: Membership | None
    scheme: Scheme | None
    period: Period | None
    scope: Scope | None
    scopes: list[Scope]  # the scopes the user may choose
    periods: list[Period]  # the periods with stored values

    @property
    def query(self) -> str:
        """The filters as a query string, for every link of the page (« periode=2024&perimetre=… »)."""
        params = {}
        if self.period is not None:
            params["periode"] = self.period.slug
        if self.scope is not None:
            params["perimetre"] = self.scope.key
        return urlencode(params)

    @property
    def sees_all_directions(self) -> bool:
        return self.membership is None or self.membership.role != Role.PRESCRIBING_REFERENT

    @property
    def directions(self) -> list:
        return [s.direction for s in self.scopes if s.kind == "direction"]

    @property
    def period_years(self) -> list[tuple[int, list[Period]]]:
        """The periods with values, grouped by year (for the period selector's option groups)."""
        years: dict[int, list[Period]] = {}
        for period in self.periods:
            years.setdefault(period.year, []).append(period)
        return list(years.items())


def member(request: HttpRequest) -> tuple[Organisation, Membership | None]:
    return require_member(request.user, not_member=NOT_MEMBER)


def read_period(
    request: HttpRequest, organisation: Organisation, scheme: Scheme, periods: list[Period]
) -> Period | None:
    """The period asked (`periode`, or `annee` of the first dashboard's links), else the default one."""
    slug = request.GET.get("periode") or request.GET.get("annee")
    if not slug:
        return dashboard_memos.default_period(organisation, scheme)
    try:
        period = Period.parse(slug.strip())
    except ValueError as error:
        raise Http404(str(error)) from None
    if period not in periods and period.year not in scheme.years:
        raise Http404(
            f"Aucune valeur pour {period.label} : le schéma couvre {scheme.period_start}-{scheme.period_end}."
        )
    return period


def read_scope(scopes: list[Scope], key: str, membership: Membership | None) -> Scope:
    scope = next((s for s in scopes if s.key == key), None)
    if scope is None:
        raise Http404(
            f"Périmètre inconnu : « {key} » (attendu : organisation, direction:<identifiant> ou "
            "buyer:<SIREN ou SIRET>)."
        )
    if not may_see_scope(membership, scope):
        raise PermissionDenied(OTHER_DIRECTION)
    return scope


def board(request: HttpRequest, *, scope_key: str | None = None) -> Board:
    """The filters of the page for the user: 404 outside the organisation or on a bad filter, 403 on a
    direction the user may not see. `scope_key` fixes the scope (the direction pages); otherwise it is
    read from `perimetre` (the organisation by default). A board without scheme has no period nor scope."""
    organisation, membership = member(request)
    scheme = dashboard_memos.current_scheme(organisation)
    every_scope = organisation_scopes(organisation, mutualised=bool(scheme and scheme.mutualised))
    key = scope_key or request.GET.get("perimetre", "").strip() or ORGANISATION_SCOPE
    scope = read_scope(every_scope, key, membership)
    if scheme is None:
        return Board(organisation, membership, None, None, scope, [], [])
    periods = dashboard_memos.periods(organisation, scheme)
    period = read_period(request, organisation, scheme, periods)
    visible = [s for s in every_scope if may_see_scope(membership, s)]
    return Board(organisation, membership, scheme, period, scope, visible, periods)
