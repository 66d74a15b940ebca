"""The decisions recorded in the meeting's minutes, with what they are linked to."""

from __future__ import annotations

from spaser.governance.models import Decision

from . import PackContext, direction_name, local_day, unavailable


def decisions(context: PackContext):
    if context.meeting is None:
        return unavailable(
            "Dossier préparé hors séance : les décisions sont enregistrées au compte rendu d'une séance."
        )
    rows = Decision.objects.filter(meeting=context.meeting).select_related(
        "indicator", "commitment", "direction"
    )
    return [
        {
            "id": decision.pk,
            "text": decision.text,
            "indicator": decision.indicator.code if decision.indicator else None,
            "indicator_name": decision.indicator.name if decision.indicator else None,
            "commitment": decision.commitment.code if decision.commitment else None,
            "commitment_title": decision.commitment.title if decision.commitment else None,
            "direction": direction_name(decision.direction),
            "recorded_on": local_day(decision.created_at),
        }
        for decision in rows.order_by("created_at", "pk")
    ]
