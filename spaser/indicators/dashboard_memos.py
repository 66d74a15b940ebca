"""The dashboards' reads kept per process until the organisation's data change (ADR 0017): the periods with
values, the figures of a page, the directions table, an indicator's page.

They are built from the scheme, its register (axes, commitments, indicators, targets), the stored values and,
for an indicator's breakdowns, the contracts: every save or deletion of one of them renews the organisation's
data stamp (indicators/apps.py, organisations/data_stamp.py), and the next request of every process reads
the new stamp, so a figure is never shown older than the data. Results are shared between requests: the views
and templates only read them.
"""

from __future__ import annotations

from datetime import date

from spaser.organisations.data_stamp import memo
from spaser.organisations.models import Organisation
from spaser.schemes.models import Scheme

from . import selectors
from .indicator_selectors import IndicatorPage, indicator_page
from .periods import Period
from .scopes import Scope


def current_scheme(organisation: Organisation) -> Scheme | None:
    """The scheme the dashboards show (adopted first, then the latest)."""
    return memo(organisation, "dashboard_scheme", None, organisation.schemes.current().first, size=16)


def periods(organisation: Organisation, scheme: Scheme) -> list[Period]:
    """The periods with stored values."""
    return memo(organisation, "dashboard_periods", scheme.pk, lambda: selectors.available_periods(scheme))


def default_period(organisation: Organisation, scheme: Scheme) -> Period | None:
    """The period shown when none is asked."""
    return memo(organisation, "dashboard_period", scheme.pk, lambda: selectors.default_period(scheme))


def figures(
    organisation: Organisation, scheme: Scheme, period: Period, scope: str, *, part: tuple = ()
) -> list[selectors.Figure]:
    """The figures of the whole scheme, or of one axis (`part=("axis", pk)`) or commitment."""
    filters = {{"axis": "commitment__axis", "commitment": "commitment"}[part[0]]: part[1]} if part else {}

    def compute():
        indicators = selectors._scheme_indicators(scheme, **filters)
        return selectors.figures_for(scheme=scheme, period=period, scope=scope, indicators=indicators)

    return memo(organisation, "dashboard_figures", (scheme.pk, period, scope, part), compute, size=128)


def direction_rows(
    organisation: Organisation, scheme: Scheme, period: Period, headline: list, directions: list
) -> list[selectors.DirectionRow]:
    key = (scheme.pk, period, tuple(f.indicator.pk for f in headline), tuple(d.pk for d in directions))
    return memo(
        organisation,
        "dashboard_directions",
        key,
        lambda: selectors.direction_rows(
            indicators=[f.indicator for f in headline], directions=directions, period=period
        ),
        size=32,
    )


def indicator(organisation: Organisation, scheme: Scheme, code: str):
    """The scheme's indicator of this code with its register and targets, or None."""
    return memo(
        organisation,
        "dashboard_indicator",
        (scheme.pk, code),
        lambda: selectors._scheme_indicators(scheme, code=code).first(),
        size=128,
    )


def page(organisation: Organisation, indicator, scope: Scope, period: Period, today: date) -> IndicatorPage:
    """An indicator's page: its figure, trend and breakdowns (these read the contracts)."""
    return memo(
        organisation,
        "dashboard_indicator_page",
        (indicator.pk, scope.key, period, today),
        lambda: indicator_page(indicator=indicator, scope=scope, period=period, today=today),
        size=128,
    )
