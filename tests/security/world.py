"""The world of the authorisation matrix: built once per module (tests/security/test_authorisation_matrix.py).

Organisation A (`world.organisation`) holds one object of every kind a URL of the app names: the register of
tests/factories.py with its members of every role, the committees, meetings and decisions of the report
tests, contracts of its perimeter, an import and its quarantined record, a register file and import, a
supplier, an input campaign, a purchase project asking advice, a referral rule and a clause, a corrective
action, a draft and a published annual report, a background job, an API token per user. Organisation B
(`world.other_organisation`) has its own pilot (`world.outsider`): every URL points at A's objects, so B's
pilot shows whether a view keeps to the user's own organisation.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from spaser.api import services as token_services
from spaser.campaigns import services as campaign_services
from spaser.contracts.models import (
    AttributionRule,
    ContractSupplier,
    ImportBatch,
    QuarantinedRecord,
)
from spaser.core.models import Job
from spaser.governance.models import AgendaItem, CommitteeMember, CorrectiveAction, Meeting, MeetingStatus
from spaser.projects.models import ClauseKind, ClauseRecommendation, ReferralRule
from spaser.registers.models import RegisterImport, RegisterKind, RegisterUpload
from spaser.reports import services as report_services
from spaser.reports.models import AnnualReport, ReportStatus
from spaser.schemes.models import Unit
from spaser.suppliers.models import Supplier
from tests.api.conftest import make_contract
from tests.factories import IndicatorFactory, SchemeFactory, TargetFactory, UserFactory
from tests.projects.conftest import make_project
from tests.reports.conftest import build_world

REPORT_TODAY = date(2026, 2, 15)


def build_matrix_world() -> SimpleNamespace:
    world = build_world()  # register, members of every role, outsider, committees, meetings, decisions
    organisation = world.organisation
    # The other organisation sorts after A, so that a superuser without membership works in A by default.
    world.other_organisation.name = "Zz Autre organisation"
    world.other_organisation.save()
    SchemeFactory(organisation=world.other_organisation, slug="spaser-autre", title="SPASER de B")
    world.superuser = UserFactory(username="superutilisateur", is_superuser=True, is_staff=True)
    world.no_membership = UserFactory(username="sans-organisation")
    buyer = organisation.buyers.get()

    # Contracts of A's perimeter (one attributed to the roads direction, due for renewal) and a supplier.
    today = timezone.localdate()
    world.contract = make_contract(
        1,
        uid=f"{buyer.identifier}M0001",
        buyer_siret=buyer.identifier,
        direction=world.prescribing,
        end_date=today + timedelta(days=90),
    )
    world.contract.save()
    world.supplier = Supplier.objects.create(
        identifier="55210055400012", siren="552100554", name="Routes et Cie"
    )
    ContractSupplier.objects.create(contract=world.contract, supplier=world.supplier)
    world.attribution_rule = AttributionRule.objects.create(
        organisation=organisation, cpv_prefix="45", direction=world.prescribing
    )

    # A DECP import run by the pilot, its report and one quarantined record.
    world.batch = ImportBatch.objects.create(source_name="decp.json", user=world.pilot, read=2, quarantined=1)
    world.batch.report_file.save("rapport.csv", ContentFile(b"position;motif\n1;essai\n"))
    world.quarantined = QuarantinedRecord.objects.create(
        batch=world.batch, position=1, reasons=["Identifiant absent."], raw={"objet": "Essai"}
    )

    # A register file waiting for its mapping, and a finished register import.
    world.register_upload = RegisterUpload.objects.create(
        organisation=organisation,
        kind=RegisterKind.CONTRACTS,
        file=ContentFile(b"numero;objet\n1;Essai\n", name="registre.csv"),
        original_name="registre.csv",
        created_by=world.pilot,
    )
    register_batch = ImportBatch.objects.create(source_name="registre.csv", kind="register", user=world.pilot)
    register_batch.report_file.save("resultat.csv", ContentFile(b"ligne;statut\n1;cree\n"))
    world.register_import = RegisterImport.objects.create(
        organisation=organisation, batch=register_batch, kind=RegisterKind.CONTRACTS
    )

    # An input campaign: one entry for the roads direction (T6), one for the pilot (T1, no direction).
    world.trained = IndicatorFactory(
        commitment=world.commitment, code="T6", name="Agents formés", unit=Unit.COUNT,
        owner_direction=world.prescribing, method="manual", params={}, source="Saisie",
        baseline_value=None, baseline_year=None,
    )  # fmt: skip
    TargetFactory(indicator=world.trained, year=2025, value=Decimal("40"))
    world.campaign = campaign_services.open_campaign(
        scheme=world.scheme, year=2025, period="A", due_date=date(2026, 2, 15), user=world.pilot
    )
    world.entry = world.campaign.entries.get(indicator=world.trained)
    world.entry.evidence.save("justificatif.pdf", ContentFile(b"%PDF-1.4 justificatif"), save=False)
    world.entry.evidence_name, world.entry.evidence_type = "justificatif.pdf", "pdf"
    world.entry.save()

    # A purchase project of the roads direction asking the advice of the ecology direction.
    world.referral_rule = ReferralRule.objects.create(
        organisation=organisation,
        resource_direction=world.resource,
        name="Travaux : avis de la transition écologique",
        cpv_prefixes="45",
        deadline_days=15,
    )
    world.clause = ClauseRecommendation.objects.create(
        organisation=organisation, cpv_prefix="45", family="Travaux", kind=ClauseKind.ENV_CLAUSE,
        title="Chantier à faibles nuisances", text="Tri des déchets en sept flux.",
    )  # fmt: skip
    world.project = make_project(world)
    world.advice = world.project.advices.get(resource_direction=world.resource)

    # Governance: a planned COTECH meeting with an agenda item, a committee member, a corrective action.
    world.planned = Meeting.objects.create(
        committee=world.cotech, date=today + timedelta(days=20), status=MeetingStatus.PLANNED
    )
    world.agenda_item = AgendaItem.objects.create(meeting=world.planned, position=1, title="Indicateurs")
    world.committee_member_row = CommitteeMember.objects.create(
        committee=world.cotech, name="Nadia Benali", function="Référente", direction=world.resource,
        user=world.resource_referent,
    )  # fmt: skip
    world.corrective_action = CorrectiveAction.objects.create(
        organisation=organisation, meeting=world.review_copil, title="Relancer la voirie",
        owner_direction=world.prescribing, due_date=today + timedelta(days=10), expected_effect="Effet",
    )  # fmt: skip

    # The June COPIL, held: its frozen pack (the bytes are served as stored, never rendered again).
    world.june_copil.pack = {"schema": "essai"}
    world.june_copil.pack_pdf, world.june_copil.pack_xlsx = b"%PDF-1.4 dossier", b"PK dossier"
    world.june_copil.save()

    # Annual reports: 2025 published (version 1) and its correction in draft (version 2).
    draft = report_services.report_generate(
        scheme=world.scheme, year=2025, user=world.pilot, today=REPORT_TODAY
    )
    draft.version = 2
    draft.erratum = "Correction d'une valeur."
    draft.save()
    world.published_report = AnnualReport.objects.create(
        scheme=world.scheme, year=2025, version=1, status=ReportStatus.PUBLISHED, content=draft.content,
        content_sha256=draft.content_sha256, generated_at=draft.generated_at, published_at=timezone.now(),
        published_on=REPORT_TODAY, decision=world.decision,
    )  # fmt: skip
    world.draft_report = draft

    # A background job of A, started by its pilot; an API token for every user.
    world.job = Job.objects.create(
        kind="decp_import", title="Import DECP", organisation=organisation, created_by=world.pilot
    )
    world.tokens = {}
    for user in (
        world.pilot, world.prescribing_referent, world.resource_referent, world.committee_member,
        world.outsider, world.superuser, world.no_membership,
    ):  # fmt: skip
        world.tokens[user.pk] = token_services.create_token(user=user, name="Matrice", days=30)
    world.pilot_token = world.tokens[world.pilot.pk]
    return world
