"""`spaser renewal_radar [--months 3|6|12] [--direction SLUG] [--json] [--organisation SLUG]`: the contracts
due, their end or renewal date, whether the date is estimated, and the state of their renewal review."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from spaser.organisations.models import Organisation
from spaser.renewals import selectors


class Command(BaseCommand):
    help = "Liste les marchés à échéance (radar des renouvellements) et l'état de leur revue du besoin."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, choices=selectors.MONTH_CHOICES, default=12)
        parser.add_argument("--direction", default="", help="identifiant court (slug) d'une direction")
        parser.add_argument("--organisation", default="", help="identifiant court de l'organisation")
        parser.add_argument("--json", action="store_true", help="sortie JSON")

    def handle(self, *args, months: int, direction: str, organisation: str, json: bool, **options):
        organisations = Organisation.objects.order_by("name")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"Organisation inconnue : « {organisation} ».")
        today = timezone.localdate()
        output = []
        found_direction = False
        for org in organisations:
            scope = None
            if direction:
                scope = org.directions.filter(slug=direction).first()
                if scope is None:
                    continue
                found_direction = True
            flags = selectors.radar_flags(org, direction=scope, today=today)
            contracts = selectors.radar_queryset(org, direction=scope, months=months, today=today)
            for row in selectors.radar_rows(contracts, today=today, flags=flags):
                output.append(
                    {
                        "organisation": org.slug,
                        "uid": row.contract.uid,
                        "object": row.contract.object,
                        "direction": row.contract.direction.slug if row.contract.direction else None,
                        "date": row.due_date.isoformat(),
                        "date_kind": row.date_kind,
                        "estimated": row.estimated,
                        "overdue": row.overdue,
                        "review_state": row.state,
                        "decision": row.review.decision if row.review else None,
                        "renewed_without_review": row.unreviewed_renewal is not None,
                    }
                )
        if direction and not found_direction:
            raise CommandError(f"Direction inconnue : « {direction} ».")
        if json:
            self.stdout.write(_dumps(output))
            return
        for item in output:
            estimated = " (estimée)" if item["estimated"] else ""
            flag = " — RENOUVELÉ SANS REVUE" if item["renewed_without_review"] else ""
            self.stdout.write(
                f"{item['date']}{estimated}  {selectors.STATES[item['review_state']]:<16}  "
                f"{item['uid']}  {item['object'][:60]}{flag}"
            )
        self.stdout.write(f"{len(output)} marché(s) à échéance dans les {months} mois ou en retard.")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
