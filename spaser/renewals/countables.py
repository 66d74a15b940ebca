"""Indicators T1-T3 counted from renewal reviews (registered in COUNTABLES by apps.py as `renewal_reviews`).

- `reviewed_share` (T1): among the contracts renewed or relaunched whose renewal date falls in the period, the
  share preceded by a review. Renewed or relaunched = a decided review whose decision keeps buying (renew,
  modify the scope, pool, rent: counted as reviewed, matched on the review's due date) + the contracts
  renewed without review (selectors.renewals_without_review, matched on their renewal date: not reviewed).
- `avoided_amount` (T2): € avoided by the reviews decided in the period (on their decision date); the
  denominator is the number of decisions, `unknown` the decisions other than « reconduire » without an amount.
- `planned_share` (T3): contracts whose radar date falls within the 12 months following the reference date
  (the end of the period, or today if earlier) that have a review opened for that date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from spaser.contracts.end_dates import add_months
from spaser.indicators.objects import Countable, run_memo
from spaser.indicators.periods import Period
from spaser.indicators.results import Result, money, percent

from .models import CONTINUING, Decision, RenewalReview

VERSION = "renewals/1"


def _reviews(organisation, direction):
    reviews = RenewalReview.objects.for_organisation(organisation)
    if direction is not None:
        reviews = reviews.filter(contract__direction=direction)
    return reviews


def compute(scheme, direction, period: Period, measure: str, *, today: date | None = None) -> Result:
    from .selectors import _base, renewals_without_review

    today = today or timezone.localdate()
    organisation = scheme.organisation
    start, end = period.first_day, period.day_after
    if measure == "reviewed_share":
        reviewed = (
            _reviews(organisation, direction)
            .decided()
            .filter(decision__in=CONTINUING, due_date__gte=start, due_date__lt=end)
            .count()
        )
        # The year's renewals without review, found once per run and scope, then matched on their date: the
        # same contracts as a search over the period itself (both cases of the rule select on that date).
        year_flags = run_memo(
            ("renewals_without_review", organisation.pk, direction and direction.pk, period.year, today),
            lambda: renewals_without_review(
                organisation,
                direction=direction,
                since=date(period.year, 1, 1),
                until=date(period.year + 1, 1, 1),
                today=today,
            ),
        )
        unreviewed = sum(1 for flag in year_flags.values() if start <= flag.renewal_date < end)
        total = reviewed + unreviewed
        details = {"renouvellements_revus": reviewed, "renouvellements_sans_revue": unreviewed}
        return Result(
            percent(Decimal(reviewed), Decimal(total)), Decimal(reviewed), Decimal(total), 0, VERSION, details
        )
    if measure == "avoided_amount":
        decided = (
            _reviews(organisation, direction)
            .decided()
            .filter(reviewed_at__date__gte=start, reviewed_at__date__lt=end)
        )
        total = decided.aggregate(total=Sum("avoided_amount"))["total"] or Decimal(0)
        by_decision = {label: 0 for value, label in Decision.choices if value != Decision.PENDING}
        for decision in decided.values_list("decision", flat=True):
            by_decision[Decision(decision).label] += 1
        count = sum(by_decision.values())
        unknown = decided.exclude(decision=Decision.RENEW).filter(avoided_amount__isnull=True).count()
        details = {"montant_evite": money(total), "decisions": by_decision}
        return Result(total, total, Decimal(count), unknown, VERSION, details)
    if measure == "planned_share":
        reference = min(end, today)
        reviews = RenewalReview.objects.filter(contract=OuterRef("pk"), due_date=OuterRef("due"))
        ending = _base(organisation, direction).filter(due__gte=reference, due__lt=add_months(reference, 12))
        total = ending.count()
        planned = ending.filter(Exists(reviews)).count()
        details = {
            "date_de_reference": reference.isoformat(),
            "marches_a_echeance": total,
            "revues_ouvertes": planned,
        }
        return Result(
            percent(Decimal(planned), Decimal(total)), Decimal(planned), Decimal(total), 0, VERSION, details
        )
    raise ValueError(f"Mesure inconnue : « {measure} ».")


RENEWAL_REVIEWS = Countable(
    label="revues de renouvellement des marchés",
    measures={
        "reviewed_share": "part des renouvellements et relances précédés d'une revue du besoin",
        "avoided_amount": "montant évité par les décisions de revue (€ HT)",
        "planned_share": "part des marchés arrivant à échéance dans les 12 mois avec une revue ouverte",
    },
    units={"reviewed_share": "percent", "avoided_amount": "euro", "planned_share": "percent"},
    compute=compute,
    perimeter="marchés de l'organisation et leurs revues de renouvellement (docs/renewals.md)",
    version=VERSION,
)
