"""The renewal radar in the pack (renewals.selectors, docs/renewals.md) seen from the meeting date: how
many marchés come to term within 3, 6 and 12 months, how many are overdue (date passed, no decided review),
how many were renewed without a review over the last 12 months; and the rows due within 3 months or overdue
(overdue first, at most ROWS_CAP, with how many more)."""

from __future__ import annotations

from django.db.models import Count, Q

from spaser.contracts.end_dates import add_months
from spaser.renewals import selectors as radar

from . import PackContext, direction_name, iso

ROWS_CAP = 50
SOON_MONTHS = 3


def renewals(context: PackContext) -> dict:
    organisation, on = context.organisation, context.on
    contracts = radar.radar_queryset(organisation, months=12, today=on)
    # Aliases distinct from the annotations they filter on (an aggregate named « overdue » would shadow it).
    found = contracts.order_by().aggregate(
        **{
            f"within_{months}": Count("pk", filter=Q(overdue=False, due__lte=add_months(on, months)))
            for months in radar.MONTH_CHOICES
        },
        overdue_count=Count("pk", filter=Q(overdue=True)),
    )
    counts = {str(months): found[f"within_{months}"] for months in radar.MONTH_CHOICES}
    counts["overdue"] = found["overdue_count"]
    flags = radar.radar_flags(organisation, direction=None, today=on)
    counts["without_review"] = len(flags)
    soon = radar.radar_queryset(organisation, months=SOON_MONTHS, today=on)
    shown = list(soon[:ROWS_CAP])
    total = counts[str(SOON_MONTHS)] + counts["overdue"]
    rows = [
        {
            "uid": row.contract.uid,
            "object": row.contract.object,
            "direction": direction_name(row.contract.direction),
            "due_date": iso(row.due_date),
            "date_label": row.date_label,
            "estimated": row.estimated,
            "overdue": row.overdue,
            "state": row.state,
            "state_label": row.state_label,
            "renewed_without_review": row.unreviewed_renewal is not None,
        }
        for row in radar.radar_rows(shown, today=on, flags=flags)
    ]
    return {
        "counts": counts,
        "rows": rows,
        "more": max(total - len(rows), 0),
        "without_review_rows": [
            {
                "uid": flag.contract.uid,
                "object": flag.contract.object,
                "direction": direction_name(flag.contract.direction),
                "renewal_date": iso(flag.renewal_date),
                "reason": flag.reason,
            }
            for flag in radar.with_contracts(
                sorted(flags.values(), key=lambda f: (f.renewal_date, f.uid))[:ROWS_CAP]
            )
        ],
        "note": f"Marchés (hors concessions) arrivant à échéance dans les {SOON_MONTHS} mois ou en retard "
        "(date passée sans décision de renouvellement) ; renouvellements sans revue des 12 derniers mois.",
    }
