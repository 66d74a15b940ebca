"""A public world for the public-site tests: an adopted scheme with a full tree (E1 has a national target),
its archived first edition, a draft of the same organisation and a draft of another one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from spaser.organisations.models import OrganisationKind
from spaser.schemes.models import ActionStatus, SchemeStatus
from tests.factories import (
    ActionFactory,
    AxisFactory,
    CommitmentFactory,
    IndicatorFactory,
    ObjectiveFactory,
    OrganisationFactory,
    SchemeFactory,
    TargetFactory,
    build_register,
)

DRAFT_SECRET = "Brouillon confidentiel du pilote"


def build_public_world() -> SimpleNamespace:
    register = build_register(name="Département de la Seine-Saint-Denis", siren="229300082")
    scheme = register.scheme
    ecology = AxisFactory(scheme=scheme, code="II", title="Des achats écologiquement responsables")
    commitment = CommitmentFactory(axis=ecology, code="II.1", title="Verdir les marchés")
    ObjectiveFactory(commitment=commitment, text="Toutes les consultations avec une clause environnementale.")
    ActionFactory(
        commitment=commitment,
        owner_direction=register.resource,
        title="Rédiger des clauses types",
        status=ActionStatus.DONE,
        progress=100,
        due_date=date(2025, 3, 31),
    )
    e1 = IndicatorFactory(
        commitment=commitment,
        code="E1",
        name="Marchés comportant une considération environnementale",
        source="DECP",
        definition="Part des marchés notifiés dans l'année avec une considération environnementale.",
    )
    for year, value in [(2024, "40"), (2028, "100")]:
        TargetFactory(indicator=e1, year=year, value=Decimal(value))
    archived = SchemeFactory(
        organisation=register.organisation,
        slug="spaser-2018",
        title="SPASER 2018-2022",
        edition=1,
        period_start=2018,
        period_end=2022,
        status=SchemeStatus.ARCHIVED,
        adoption_date=date(2018, 6, 28),
    )
    draft = SchemeFactory(
        organisation=register.organisation,
        slug="spaser-projet",
        title=DRAFT_SECRET,
        edition=3,
        period_start=2029,
        period_end=2033,
        status=SchemeStatus.DRAFT,
        adoption_date=None,
    )
    AxisFactory(scheme=draft, code="X", title=f"{DRAFT_SECRET} : axe")
    other_draft = SchemeFactory(
        organisation=OrganisationFactory(name="Commune en préparation", kind=OrganisationKind.COMMUNE),
        slug="commune-projet",
        title=f"{DRAFT_SECRET} (commune)",
        status=SchemeStatus.DRAFT,
        adoption_date=None,
    )
    return SimpleNamespace(
        register=register,
        scheme=scheme,
        archived=archived,
        draft=draft,
        other_draft=other_draft,
        e1=e1,
        organisation=register.organisation,
    )


REPORT_YEAR = 2025


def published_report(world: SimpleNamespace):
    """The 2025 report of the world's scheme, published through part R's services (validated by a COPIL
    decision of the annual review), made once per world."""
    if getattr(world, "report", None) is None:
        from spaser.governance.models import Committee, CommitteeKind, Decision, Meeting, MeetingStatus
        from spaser.reports.services import report_generate, report_publish, report_validate

        copil = Committee.objects.create(
            organisation=world.organisation, kind=CommitteeKind.COPIL, name="COPIL du SPASER"
        )
        meeting = Meeting.objects.create(
            committee=copil,
            date=date(REPORT_YEAR, 12, 12),
            status=MeetingStatus.HELD,
            validates_annual_review=True,
            annual_review_year=REPORT_YEAR,
        )
        decision = Decision.objects.create(meeting=meeting, text="Le COPIL valide la revue annuelle 2025.")
        pilot, today = world.register.pilot, date(REPORT_YEAR + 1, 2, 15)
        report = report_generate(scheme=world.scheme, year=REPORT_YEAR, user=pilot, today=today)
        report = report_validate(report=report, decision=decision, user=pilot)
        world.report = report_publish(report=report, user=pilot, today=today)
    return world.report
