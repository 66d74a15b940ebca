"""The COPIL sections of the meeting pack (docs/governance.md, domain.md §9): the trajectory per axis, a
scorecard per direction, and the annual review. `packs.build_pack` calls them for COPIL packs.

Every function returns JSON-ready data: dates ISO, decimals as strings, year keys as strings (so a live
preview and a frozen pack — a JSON round trip — read the same).

- **Period.** The pack's year to date (`pack_period`, as packs.pack_period): January to the end of the last
  complete month before the meeting (a COPIL on 10 December 2026 reads « cumul à fin novembre 2026 », C11);
  in January, the whole previous year. The figures of that period are **computed when the pack is built**
  (as the pack's indicators: indicators.selectors.live_figures), whatever periods the stored values cover;
  manual indicators give their stored values.
- **Trajectory.** Per axis, each indicator's organisation values per year of the scheme up to the period's
  year — the stored annual value (« A ») of the past years, the year to date computed for the period's year
  — the yearly targets (the register's, or the straight line between them: `targets.yearly_target`) of every
  year of the scheme, the final target (the last one set), and the status against the period's target (pro
  rata for additive quantities, as on the dashboard).
- **Scorecards.** Per direction of the organisation: the headline indicators computed on its scope for the
  period — a rate is judged against the scheme's target, a quantity (number, euros, hours) has no direction
  target (« sans cible »); the plan's actions it owns that are past due and not done (`actions_late`, and
  the list); the reviews it has to decide (`reviews_pending`: *juste besoin* reviews of its projects at need
  definition, and renewal decisions of its contracts due within 3 months or overdue); for a resource
  direction, the advice it owes past its deadline (`advice_overdue`; None for a prescribing direction: not
  applicable, not zero); the corrective actions it owns still open (and how many are overdue).
- **Annual review.** The review of year Y reports on Y's results; « the second COPIL of the year validates the
  annual review » (domain.md §9): the second COPIL of Y validates Y's review on the figures to the end of
  November. So a COPIL of the second half of the year, or one following a COPIL already held in the same
  year, is *expected* to validate the review of its own year; a COPIL of the first half looks back at the
  previous year's review (still validatable there when December's COPIL missed it). `validated` says whether
  a held COPIL recorded the validation (Meeting.validates_annual_review, annual_review_year).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from spaser.indicators.engine import compute_scheme
from spaser.indicators.models import ORGANISATION_SCOPE, IndicatorValue
from spaser.indicators.periods import Period
from spaser.indicators.scopes import organisation_scopes
from spaser.indicators.selectors import headline_rank, live_figures
from spaser.indicators.status import NO_TARGET, scheme_status
from spaser.indicators.targets import ADDITIVE_UNITS, final_target, period_target, yearly_target
from spaser.organisations.models import DirectionKind
from spaser.projects.models import Advice, Outcome, Project
from spaser.projects.stages import FINAL, Stage
from spaser.renewals.selectors import radar_queryset
from spaser.schemes.models import Action, ActionStatus, Scheme

from .models import Committee, CommitteeKind, CorrectiveAction, Meeting
from .sections import number, pack_period

RENEWAL_MONTHS = 3  # renewal decisions counted as pending in a scorecard: due within 3 months, or overdue


def _indicators(scheme: Scheme):
    return scheme.indicators().select_related("commitment__axis__scheme").prefetch_related("targets")


# -- trajectory ---------------------------------------------------------------------------------------------


def trajectory(scheme: Scheme, on: date) -> list[dict]:
    """Per axis (register order), its indicators' values per year, yearly and final targets, status."""
    period = pack_period(on)
    figures = live_figures(scheme=scheme, period=period, today=timezone.localdate())
    indicators = [figure.indicator for figure in figures]
    past_years = [year for year in scheme.years if year < period.year]
    annual: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for indicator_id, year, value in IndicatorValue.objects.filter(
        indicator__in=indicators, scope=ORGANISATION_SCOPE, period="A", year__in=past_years
    ).values_list("indicator_id", "year", "value"):
        annual[indicator_id][year] = value
    axes: dict[int, dict] = {}
    for figure in figures:
        indicator = figure.indicator
        axis = indicator.commitment.axis
        entry = axes.setdefault(
            axis.pk,
            {"axis": f"{axis.code}. {axis.title}", "axis_code": axis.code, "indicators": []},
        )
        targets = {target.year: target.value for target in indicator.targets.all()}
        values = {str(year): number(annual[indicator.pk].get(year)) for year in past_years}
        if period.year in scheme.years:
            values[str(period.year)] = number(figure.number)
        yearly = {}
        for year in scheme.years:
            target = yearly_target(indicator, year, targets)
            yearly[str(year)] = number(target.value) if target else None
        final = final_target(indicator, targets)
        entry["indicators"].append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "values": values,
                "targets": yearly,
                "final_target": number(final[1]) if final else None,
                "final_year": final[0] if final else None,
                "period": {"year": period.year, "key": period.key, "label": period.label},
                "target": number(figure.target.value) if figure.target else None,
                "target_kind": figure.target.label if figure.target else None,
                "status": figure.status.key,
                "status_label": figure.status.label,
            }
        )
    return list(axes.values())


# -- scorecards ---------------------------------------------------------------------------------------------


def _headline_indicators(scheme: Scheme) -> list:
    ranked = [(headline_rank(i.code), i.code, i) for i in _indicators(scheme)]
    return [indicator for rank, _code, indicator in sorted(r for r in ranked if r[0] is not None)]


def _late_actions(scheme: Scheme, on: date) -> dict[int, list[dict]]:
    actions = (
        Action.objects.filter(commitment__axis__scheme=scheme, owner_direction__isnull=False, due_date__lt=on)
        .exclude(status__in=[ActionStatus.DONE, ActionStatus.ABANDONED])
        .order_by("due_date", "pk")
    )
    late: dict[int, list[dict]] = defaultdict(list)
    for action in actions:
        late[action.owner_direction_id].append(
            {
                "title": action.title,
                "due_date": action.due_date.isoformat(),
                "status": action.status,
                "status_label": action.get_status_display(),
                "progress": action.progress,
            }
        )
    return late


def _reviews_pending(organisation, on: date) -> tuple[Counter, Counter]:
    projects = Counter(
        Project.objects.for_organisation(organisation)
        .filter(stage=Stage.NEED)
        .filter(Q(need_review__isnull=True) | Q(need_review__outcome=Outcome.PENDING))
        .values_list("direction_id", flat=True)
    )
    renewals = Counter(
        radar_queryset(organisation, months=RENEWAL_MONTHS, today=on)
        .filter(decided=False)
        .values_list("direction_id", flat=True)
    )
    return projects, renewals


def _advice_overdue(organisation, on: date) -> Counter:
    return Counter(
        Advice.objects.open()
        .filter(project__organisation=organisation, deadline__lt=on)
        .exclude(project__stage__in=FINAL)
        .values_list("resource_direction_id", flat=True)
    )


def _corrective(organisation, on: date) -> tuple[Counter, Counter]:
    open_actions, overdue = Counter(), Counter()
    for direction_id, due in (
        CorrectiveAction.objects.for_organisation(organisation)
        .open()
        .values_list("owner_direction_id", "due_date")
    ):
        open_actions[direction_id] += 1
        if due < on:
            overdue[direction_id] += 1
    return open_actions, overdue


def _direction_values(scheme: Scheme, indicators: list, directions: list, period: Period) -> dict:
    """{(scope key, indicator id): (value, details)} of the headline indicators on each direction's scope for
    the period: computed now, manual ones as stored."""
    keys = {f"direction:{direction.slug}" for direction in directions}
    scopes = [
        scope for scope in organisation_scopes(scheme.organisation, mutualised=False) if scope.key in keys
    ]
    computed = compute_scheme(
        indicators=[indicator for indicator in indicators if not indicator.is_manual],
        scopes=scopes,
        years=[period.year],
        scheme=scheme,
        today=timezone.localdate(),
        periods=lambda _indicator, _year, _today: [period],
    )
    found = {
        (figure.scope.key, figure.indicator.pk): (figure.result.value, figure.result.details)
        for figure in computed
    }
    manual = IndicatorValue.objects.for_period(period).filter(
        indicator__in=[indicator for indicator in indicators if indicator.is_manual], scope__in=keys
    )
    for value in manual:
        found[(value.scope, value.indicator_id)] = (value.value, value.details)
    return found


def _cell(indicator, measured: Decimal | None, period: Period) -> dict:
    target = None
    if indicator.unit not in ADDITIVE_UNITS:
        targets = {t.year: t.value for t in indicator.targets.all()}
        target = period_target(indicator, period, targets)
    status = scheme_status(measured, target.value if target else None, indicator)
    if measured is not None and target is None:
        status = NO_TARGET
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "value": number(measured),
        "target": number(target.value) if target else None,
        "status": status.key,
        "status_label": status.label,
    }


def scorecards(scheme: Scheme, on: date) -> list[dict]:
    """One scorecard per direction of the scheme's organisation (by name). A fixed number of queries."""
    organisation = scheme.organisation
    period = pack_period(on)
    directions = list(organisation.directions.order_by("name", "pk"))
    indicators = _headline_indicators(scheme)
    values = _direction_values(scheme, indicators, directions, period)
    late = _late_actions(scheme, on)
    projects, renewals = _reviews_pending(organisation, on)
    advice = _advice_overdue(organisation, on)
    open_actions, overdue_actions = _corrective(organisation, on)
    cards = []
    for direction in directions:
        scope = f"direction:{direction.slug}"
        mine = [(indicator, values.get((scope, indicator.pk), (None, {}))) for indicator in indicators]
        contracts = max(((details or {}).get("contrats", 0) for _i, (_v, details) in mine), default=0)
        resource = direction.kind == DirectionKind.RESOURCE
        cards.append(
            {
                "direction": str(direction),
                "direction_name": direction.name,
                "slug": direction.slug,
                "kind": direction.kind,
                "kind_label": direction.get_kind_display(),
                "period": {"year": period.year, "key": period.key, "label": period.label},
                "contracts": contracts,
                "indicators": [_cell(indicator, value, period) for indicator, (value, _d) in mine],
                "actions_late": len(late[direction.pk]),
                "actions_late_rows": late[direction.pk],
                "reviews_pending": projects[direction.pk] + renewals[direction.pk],
                "reviews_pending_projects": projects[direction.pk],
                "reviews_pending_renewals": renewals[direction.pk],
                "advice_overdue": advice[direction.pk] if resource else None,
                "corrective_actions_open": open_actions[direction.pk],
                "corrective_actions_overdue": overdue_actions[direction.pk],
            }
        )
    return cards


# -- annual review ------------------------------------------------------------------------------------------


def review_year(committee: Committee, on: date, *, exclude: Meeting | None = None) -> tuple[int, bool]:
    """(year under review, whether this COPIL is expected to validate it): see the module docstring."""
    earlier = Meeting.objects.held().filter(committee=committee, date__year=on.year, date__lt=on)
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    if on.month >= 7 or earlier.exists():
        return on.year, True
    return on.year - 1, False


def annual_review(committee: Committee, on: date, *, meeting: Meeting | None = None) -> dict | None:
    """For a COPIL: the year under review, whether a held COPIL validated it, and which. None for a COTECH,
    and for a year no scheme of the organisation covers (no review is due for it)."""
    if committee.kind != CommitteeKind.COPIL:
        return None
    year, expected = review_year(committee, on, exclude=meeting)
    if not Scheme.objects.filter(
        organisation_id=committee.organisation_id, period_start__lte=year, period_end__gte=year
    ).exists():
        return None
    validation = (
        Meeting.objects.held()
        .filter(committee=committee, validates_annual_review=True, annual_review_year=year)
        .order_by("date", "pk")
        .first()
    )
    here = bool(
        meeting is not None and meeting.validates_annual_review and meeting.annual_review_year == year
    )
    if validation is not None:
        label = f"Revue annuelle {year} validée par le COPIL du {validation.date:%d/%m/%Y}."
    elif here:
        label = f"Revue annuelle {year} : sa validation est inscrite à cette séance."
    elif expected:
        label = f"Revue annuelle {year} à valider : ce COPIL est le second de l'année."
    else:
        label = f"Revue annuelle {year} non validée : aucun COPIL ne l'a encore enregistrée."
    return {
        "year": year,
        "expected": expected,
        "validated": validation is not None,
        "validated_here": here,
        "meeting": (
            {"id": validation.pk, "date": validation.date.isoformat()} if validation is not None else None
        ),
        "label": label,
    }
