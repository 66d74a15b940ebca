"""Execution alerts (domain.md §9):

- **insertion hours behind plan**: the insertion-hour periods of the organisation's contracts that ended
  before the meeting date with realised hours below planned, summed by contract (the gap is planned − realised
  over those periods); periods with no realised hours reported are counted apart (unknown is not « behind »);
- **DECP not published within 2 months** (R2196-1): contracts notified in the 12 months before the 2-month
  delay ran out that are known only from an internal register (`origin` « register »: no DECP import has seen
  them; those under 40 000 € HT, not subject to publication, apart), or published more than 61 days after
  notification (the delay of indicator T7a);
- **late payments**: Spaser holds no payment data, so the alert is `available: false` with the reason, plus
  the latest value of the manual indicator C5 (average payment delay) when a campaign entered one.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum

from spaser.contracts.end_dates import add_months
from spaser.contracts.models import ContractOrigin
from spaser.indicators.models import ORGANISATION_SCOPE, IndicatorValue
from spaser.indicators.periods import Period
from spaser.registers.models import InsertionHours

from . import PackContext, iso, number, unavailable

DECP_DELAY_DAYS = 61  # « within two months », as indicator T7a counts it
DECP_DELAY_MONTHS = 2
DECP_LOOKBACK_MONTHS = 12
DECP_THRESHOLD = Decimal("40000")  # € HT: publication is due from this amount
PAYMENT_CODE = "C5"
NO_PAYMENTS = (
    "Aucune donnée de paiement dans Spaser (les paiements du système financier ne sont pas importés) : les "
    "paiements au-delà de 30 jours ne peuvent pas être repérés ici."
)


def _ended_hours(context: PackContext):
    return InsertionHours.objects.filter(
        context.buyer_filter("contract__buyer_siret"), period_end__lt=context.on
    )


def insertion_behind_plan(context: PackContext) -> list[dict]:
    hours = _ended_hours(context).filter(hours_planned__gt=0)
    behind = (
        hours.filter(hours_realised__lt=F("hours_planned"))
        .values("contract__uid", "contract__object", "contract__direction__name")
        .annotate(
            periods=Count("pk"),
            planned=Sum("hours_planned"),
            realised=Sum("hours_realised"),
            last_period_end=Max("period_end"),
        )
        .order_by("contract__uid")
    )
    rows = [
        {
            "uid": row["contract__uid"],
            "object": row["contract__object"],
            "direction": row["contract__direction__name"],
            "periods": row["periods"],
            "planned": number(row["planned"]),
            "realised": number(row["realised"]),
            "gap": number(row["planned"] - row["realised"]),
            "last_period_end": iso(row["last_period_end"]),
        }
        for row in behind
    ]
    rows.sort(key=lambda row: (-Decimal(row["gap"]), row["uid"]))
    return rows


def decp_unpublished(context: PackContext) -> list[dict]:
    on = context.on
    deadline = add_months(on, -DECP_DELAY_MONTHS)  # notified before: the two months have run out
    since = add_months(deadline, -DECP_LOOKBACK_MONTHS)
    register_only = Q(origin=ContractOrigin.REGISTER) & (
        Q(amount__isnull=True) | Q(amount__gte=DECP_THRESHOLD)
    )
    late = Q(publication_date__gt=F("notification_date") + timedelta(days=DECP_DELAY_DAYS))
    contracts = (
        context.contracts()
        .filter(notification_date__lt=deadline, notification_date__gte=since)
        .filter(register_only | late)
        .select_related("direction")
        .order_by("notification_date", "uid")
    )
    rows = []
    for contract in contracts:
        if contract.origin == ContractOrigin.REGISTER:
            reason = "Absent des DECP : connu seulement du registre interne"
            if contract.amount is None:
                reason += " (montant inconnu)"
            publication_delay = None
        else:
            publication_delay = (contract.publication_date - contract.notification_date).days
            reason = (
                f"Publié le {contract.publication_date:%d/%m/%Y}, "
                f"{publication_delay} jours après la notification"
            )
        rows.append(
            {
                "uid": contract.uid,
                "object": contract.object,
                "direction": contract.direction.name if contract.direction else None,
                "amount": number(contract.amount),
                "notification_date": iso(contract.notification_date),
                "publication_date": iso(contract.publication_date),
                "days_since": (on - contract.notification_date).days,
                "publication_delay": publication_delay,
                "reason": reason,
            }
        )
    return rows


def _latest_manual_payment_values(context: PackContext) -> list[dict]:
    """The latest organisation value of each C5 indicator (C5, C5a…) up to the meeting's year."""
    if context.scheme is None:
        return []
    values = (
        IndicatorValue.objects.filter(
            indicator__commitment__axis__scheme=context.scheme,
            indicator__code__startswith=PAYMENT_CODE,
            scope=ORGANISATION_SCOPE,
            year__lte=context.on.year,
            value__isnull=False,
        )
        .select_related("indicator")
        .order_by()
    )
    latest: dict[int, tuple] = {}
    for value in values:
        if value.indicator.code[len(PAYMENT_CODE) :][:1].isdigit():
            continue  # C50 is not C5
        period = Period(value.year, value.period)
        key = (value.year, period.months[-1], value.period == "A")
        if value.year == context.on.year and period.months[-1] >= context.on.month:
            continue  # a period not over at the meeting date is left out
        if value.indicator_id not in latest or key > latest[value.indicator_id][0]:
            latest[value.indicator_id] = (key, value, period)
    return [
        {
            "code": value.indicator.code,
            "name": value.indicator.name,
            "value": number(value.value),
            "unit": value.indicator.unit,
            "period": period.slug,
            "period_label": period.label,
            "data_date": iso(value.data_date),
            "perimeter": value.perimeter,
        }
        for _key, value, period in sorted(latest.values(), key=lambda item: item[1].indicator.code)
    ]


def late_payments(context: PackContext) -> dict:
    return {"available": False, "reason": NO_PAYMENTS, "manual": _latest_manual_payment_values(context)}


def alerts(context: PackContext) -> dict:
    """The three alerts; one with no data behind it at all (no insertion hours imported, no contract in the
    perimeter) says so instead of an empty list."""
    ended = _ended_hours(context).aggregate(
        periods=Count("pk"), unreported=Count("pk", filter=Q(hours_realised__isnull=True))
    )
    if ended["periods"]:
        insertion = insertion_behind_plan(context)
    else:
        insertion = unavailable(
            "Aucune période d'heures d'insertion terminée avant la séance dans les registres importés : "
            "l'avancement des clauses d'insertion n'est pas connu."
        )
    if context.contracts().exists():
        decp = decp_unpublished(context)
    else:
        decp = unavailable("Aucun marché dans le périmètre de l'organisation : publication non vérifiable.")
    return {
        "insertion_behind_plan": insertion,
        "insertion_unreported_periods": ended["unreported"],
        "late_payments": late_payments(context),
        "decp_unpublished": decp,
    }
