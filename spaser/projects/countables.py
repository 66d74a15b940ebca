"""Indicators counted from purchase projects, their need reviews and the advice of the resource directions
(registered in COUNTABLES by apps.py; method `objects`, docs/indicators.md).

`purchase_projects`:
- `advised` (T4): advice given (« rendu ») in the period, on its date given; the denominator is the advice in
  play: given in the period, or asked before its end and still awaited at its end. Details by resource
  direction and by the project's stage when the advice was asked. For a direction: the advice it gave when it
  is a resource direction, the advice given on its projects otherwise.
- `climate_conforming_share` (E4): among the projects whose consultation was launched in the period, on or
  after 22 August 2026 (climate.CLIMATE_LAW_START), the share conforming to the Loi Climat (climate.check):
  a requirement not decided yet makes the project unknown (counted in the denominator, never as no); a
  derogation does not make a project conform.
- `carbon_reviewed_share` (E8): among the projects launched in the period, the share whose need review
  covered carbon and energy (question c_carbon_energy answered yes); « ne sait pas » is unknown.

`need_reviews` (T2), project need reviews and renewal reviews together, decided in the period (decision date):
- `changed_needs`: the needs changed by the review — project outcomes reduce, pool, rent, re-use, repair,
  stop (models.CHANGED); renewal decisions other than « reconduire à l'identique »;
- `avoided_amount`: Σ € avoided of those decisions.
The denominator is the number of decisions; `unknown` the changed needs without an amount avoided. For a
direction: its projects and its contracts.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from spaser.indicators.objects import Countable
from spaser.indicators.periods import Period
from spaser.indicators.results import Result, money, percent
from spaser.organisations.models import DirectionKind

from . import climate
from .models import CHANGED, Advice, AdviceStatus, NeedReview, Outcome, Project
from .stages import Stage

VERSION = "projects/1"
OPEN = (AdviceStatus.REQUESTED, AdviceStatus.IN_PROGRESS)


def _advised(scheme, direction, start: date, end: date) -> Result:
    advices = Advice.objects.filter(project__organisation=scheme.organisation)
    if direction is not None:
        if direction.kind == DirectionKind.RESOURCE:
            advices = advices.filter(resource_direction=direction)
        else:
            advices = advices.filter(project__direction=direction)
    given = advices.filter(status=AdviceStatus.GIVEN, given_at__date__gte=start, given_at__date__lt=end)
    awaited = advices.filter(created_at__date__lt=end).filter(
        Q(status__in=OPEN) | Q(status=AdviceStatus.GIVEN, given_at__date__gte=end)
    )
    rows = list(
        given.values_list("resource_direction__short_name", "resource_direction__name", "stage_at_request")
    )
    waiting = awaited.count()
    by_direction = Counter(short or name for short, name, _stage in rows)
    by_stage = Counter(Stage(stage).label if stage in Stage.values else "non précisée" for *_, stage in rows)
    count = len(rows)
    total = count + waiting
    details = {
        "avis_rendus": count,
        "avis_attendus_en_fin_de_periode": waiting,
        "par_direction_ressource": dict(sorted(by_direction.items())),
        "par_etape_a_la_saisine": dict(sorted(by_stage.items())),
    }
    return Result(Decimal(count) if total else None, Decimal(count), Decimal(total), 0, VERSION, details)


def _launched(scheme, direction, start: date, end: date):
    projects = Project.objects.filter(
        organisation=scheme.organisation, launched_on__gte=start, launched_on__lt=end
    )
    return projects.filter(direction=direction) if direction is not None else projects


def _climate(scheme, direction, start: date, end: date) -> Result:
    projects = _launched(scheme, direction, max(start, climate.CLIMATE_LAW_START), end)
    conforming = not_conforming = undecided = derogations = 0
    for project in projects:
        verdict = climate.check(project).conforming
        if project.climate_derogation.strip() and verdict is not True:
            derogations += 1
            not_conforming += 1  # a derogation is recorded, the consultation does not conform
        elif verdict is True:
            conforming += 1
        elif verdict is False:
            not_conforming += 1
        else:
            undecided += 1
    total = conforming + not_conforming + undecided
    details = {
        "consultations_lancees": total,
        "conformes": conforming,
        "non_conformes": not_conforming,
        "dont_derogations": derogations,
        "non_decidees": undecided,
    }
    return Result(
        percent(Decimal(conforming), Decimal(total)),
        Decimal(conforming),
        Decimal(total),
        undecided,
        VERSION,
        details,
    )


def _carbon(scheme, direction, start: date, end: date) -> Result:
    answers = Counter()
    for review_answers in NeedReview.objects.filter(
        project__in=_launched(scheme, direction, start, end)
    ).values_list("answers", flat=True):
        answers[((review_answers or {}).get("c_carbon_energy") or {}).get("answer") or "unknown"] += 1
    total = _launched(scheme, direction, start, end).count()  # a project without a review is unknown
    yes, no = answers["yes"], answers["no"]
    unknown = total - yes - no
    details = {"consultations_lancees": total, "carbone_examine": yes, "non_examine": no, "inconnu": unknown}
    return Result(
        percent(Decimal(yes), Decimal(total)), Decimal(yes), Decimal(total), unknown, VERSION, details
    )


PROJECT_MEASURES = {
    "advised": _advised,
    "climate_conforming_share": _climate,
    "carbon_reviewed_share": _carbon,
}


def compute_projects(scheme, direction, period: Period, measure: str) -> Result:
    if measure not in PROJECT_MEASURES:
        raise ValueError(f"Mesure inconnue : « {measure} ».")
    start, end = period.first_day, period.day_after
    return PROJECT_MEASURES[measure](scheme, direction, start, end)


def compute_reviews(scheme, direction, period: Period, measure: str) -> Result:
    from spaser.renewals.models import Decision, RenewalReview

    if measure not in ("changed_needs", "avoided_amount"):
        raise ValueError(f"Mesure inconnue : « {measure} ».")
    start, end = period.first_day, period.day_after
    organisation = scheme.organisation
    projects = NeedReview.objects.decided().filter(
        project__organisation=organisation, reviewed_at__date__gte=start, reviewed_at__date__lt=end
    )
    renewals = (
        RenewalReview.objects.for_organisation(organisation)
        .decided()
        .filter(reviewed_at__date__gte=start, reviewed_at__date__lt=end)
    )
    if direction is not None:
        projects = projects.filter(project__direction=direction)
        renewals = renewals.filter(contract__direction=direction)
    changed_projects = projects.filter(outcome__in=CHANGED)
    changed_renewals = renewals.exclude(decision=Decision.RENEW)
    outcomes = Counter(projects.values_list("outcome", flat=True))
    decisions = Counter(renewals.values_list("decision", flat=True))
    decided = sum(outcomes.values()) + sum(decisions.values())
    changed = changed_projects.count() + changed_renewals.count()
    avoided = (projects.aggregate(total=Sum("avoided_amount"))["total"] or Decimal(0)) + (
        renewals.aggregate(total=Sum("avoided_amount"))["total"] or Decimal(0)
    )
    unknown = (
        changed_projects.filter(avoided_amount__isnull=True).count()
        + changed_renewals.filter(avoided_amount__isnull=True).count()
    )
    details = {
        "decisions": decided,
        "besoins_modifies": changed,
        "montant_evite": money(avoided),
        "revues_de_projets": {
            label: outcomes[value] for value, label in Outcome.choices if value != Outcome.PENDING
        },
        "revues_de_renouvellement": {
            label: decisions[value] for value, label in Decision.choices if value != Decision.PENDING
        },
    }
    number = Decimal(changed) if measure == "changed_needs" else avoided
    return Result(number if decided else None, number, Decimal(decided), unknown, VERSION, details)


PURCHASE_PROJECTS = Countable(
    label="projets d'achat et avis des directions ressources",
    measures={
        "advised": "nombre d'avis rendus par les directions ressources",
        "climate_conforming_share": "part des consultations lancées depuis le 22 août 2026 conformes à la "
        "loi Climat",
        "carbon_reviewed_share": "part des consultations lancées dont la revue du besoin a examiné le "
        "carbone et l'énergie",
    },
    units={"advised": "count", "climate_conforming_share": "percent", "carbon_reviewed_share": "percent"},
    compute=compute_projects,
    perimeter="projets d'achat de l'organisation : avis rendus dans la période, consultations lancées dans "
    "la période (docs/indicators.md)",
    version=VERSION,
)

NEED_REVIEWS = Countable(
    label="revues du juste besoin (projets d'achat et renouvellements)",
    measures={
        "changed_needs": "nombre de besoins supprimés, réduits, mutualisés, loués ou réemployés après revue",
        "avoided_amount": "montant évité par les revues du besoin (€ HT)",
    },
    units={"changed_needs": "count", "avoided_amount": "euro"},
    compute=compute_reviews,
    perimeter="revues du besoin des projets d'achat et revues de renouvellement des marchés de "
    "l'organisation, décidées dans la période",
    version=VERSION,
)
