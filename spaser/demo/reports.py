"""The annual report of the demo (issue 7): the draft of the year whose review the held COPIL validated, built
through the real service, ready for the pilot to validate with that COPIL's decision and to publish
(/rapports/). Once: a later load leaves the reports as the users made them."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from spaser.governance.models import CommitteeKind, Meeting, MeetingStatus
from spaser.reports.models import AnnualReport
from spaser.reports.services import report_generate
from spaser.schemes.models import Scheme


def load_demo_report(scheme: Scheme) -> str:
    if AnnualReport.objects.filter(scheme=scheme).exists():
        return "rapports déjà présents (laissés tels quels)"
    copil = (
        Meeting.objects.filter(
            committee__organisation=scheme.organisation,
            committee__kind=CommitteeKind.COPIL,
            status=MeetingStatus.HELD,
            validates_annual_review=True,
        )
        .order_by("-date")
        .first()
    )
    if copil is None or copil.annual_review_year not in scheme.years:
        return "aucun COPIL tenu n'a validé de revue annuelle du schéma : pas de rapport à préparer"
    pilot = get_user_model().objects.get(username="pilote")
    report = report_generate(scheme=scheme, year=copil.annual_review_year, user=pilot)
    return (
        f"rapport annuel {report.year} en brouillon, à valider avec la décision du COPIL du "
        f"{copil.date:%d/%m/%Y} puis à publier"
    )
