"""The report workflow: generate, reopen, validate, publish, correct; refusals, audit and immutability."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from spaser.governance.models import Decision, Meeting, MeetingStatus
from spaser.reports import opendata, services
from spaser.reports.models import AnnualReport, ReportStatus
from tests.reports.conftest import TODAY, YEAR, store

pytestmark = pytest.mark.django_db(transaction=False)


def generate(world, **kwargs):
    return services.report_generate(scheme=world.scheme, year=YEAR, user=world.pilot, today=TODAY, **kwargs)


def published(world):
    report = generate(world)
    report = services.report_validate(report=report, decision=world.decision, user=world.pilot)
    return services.report_publish(report=report, user=world.pilot, today=date(2026, 3, 1))


def test_generate_creates_then_regenerates_the_draft(world):
    report = generate(world)
    assert (report.version, report.status, report.content["status"]) == (1, "draft", "draft")
    assert len(report.content_sha256) == 64
    store(world.s1, YEAR, "21", numerator="10", denominator="50")
    again = generate(world)
    assert again.pk == report.pk
    assert again.content["axes"][0]["commitments"][0]["indicators"][0]["value"] == "21"
    assert again.history.count() == 2


def test_only_the_pilot_writes(world):
    for user in (world.committee_member, world.resource_referent, world.outsider):
        with pytest.raises(PermissionDenied):
            services.report_generate(scheme=world.scheme, year=YEAR, user=user, today=TODAY)
    assert not AnnualReport.objects.exists()


def test_year_outside_the_scheme_or_to_come_is_refused(world):
    with pytest.raises(ValidationError, match="hors de la période"):
        services.report_generate(scheme=world.scheme, year=2023, user=world.pilot, today=TODAY)
    with pytest.raises(ValidationError, match="n'a pas commencé"):
        services.report_generate(scheme=world.scheme, year=2027, user=world.pilot, today=TODAY)


def test_validate_requires_the_copil_decision_of_the_years_review(world):
    report = generate(world)
    with pytest.raises(ValidationError, match=r"\(COPIL\) du 20/06/2025.*revue annuelle 2025"):
        services.report_validate(report=report, decision=world.june_decision, user=world.pilot)
    cotech = Meeting.objects.filter(committee=world.cotech).first()
    with pytest.raises(ValidationError, match="n'est pas un COPIL"):
        services.report_validate(
            report=report, decision=Decision.objects.create(meeting=cotech, text="x"), user=world.pilot
        )
    planned = Meeting.objects.create(
        committee=world.copil, date=date(2026, 1, 5), validates_annual_review=True, annual_review_year=YEAR
    )
    with pytest.raises(ValidationError, match="n'est pas tenue"):
        services.report_validate(
            report=report, decision=Decision.objects.create(meeting=planned, text="x"), user=world.pilot
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    with pytest.raises(PermissionDenied):
        services.report_validate(report=report, decision=world.decision, user=world.committee_member)
    report = services.report_validate(report=report, decision=world.decision, user=world.pilot)
    assert report.status == ReportStatus.VALIDATED
    assert report.validated_by == world.pilot
    assert report.content["validation"]["meeting_date"] == "2025-12-12"
    assert list(services.eligible_decisions(report)) == [world.decision]


def test_validated_report_is_not_regenerated_until_reopened(world):
    report = services.report_validate(report=generate(world), decision=world.decision, user=world.pilot)
    with pytest.raises(ValidationError, match="rouvrez-le"):
        generate(world)
    report = services.report_reopen(report=report, user=world.pilot)
    assert report.status == ReportStatus.DRAFT
    assert report.decision is None
    assert report.content["validation"] is None
    with pytest.raises(ValidationError, match="déjà en brouillon"):
        services.report_reopen(report=report, user=world.pilot)
    with pytest.raises(ValidationError, match="n'est pas validé"):
        services.report_publish(report=report, user=world.pilot)


def test_publish_freezes_version_date_validation_and_renders_the_pdf(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = published(world)
    assert report.status == ReportStatus.PUBLISHED
    content = report.content
    assert (content["version"], content["status"], content["published_on"]) == (1, "published", "2026-03-01")
    assert content["validation"]["committee"] == "COPIL du SPASER"
    assert report.content_sha256 == services.sha256(services.canonical_json(content).encode())
    report.refresh_from_db()
    assert bytes(report.pdf).startswith(b"%PDF")
    assert report.pdf_sha256 == services.sha256(bytes(report.pdf))
    assert [h.status for h in report.history.order_by("history_id")] == ["draft", "validated", "published"]


def test_published_report_never_changes(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = published(world)
    report.refresh_from_db()
    frozen = (report.content, report.content_sha256, bytes(report.pdf), opendata.to_csv(report.content))
    # The data change and are recomputed: the published version stays what it was.
    store(world.s1, YEAR, "29", numerator="29", denominator="100")
    world.s1.name = "Un autre intitulé"
    world.s1.save()
    with pytest.raises(ValidationError, match="publié"):
        generate(world)
    for write in (
        lambda: services.report_reopen(report=report, user=world.pilot),
        lambda: services.report_validate(report=report, decision=world.decision, user=world.pilot),
        lambda: services.report_publish(report=report, user=world.pilot),
    ):
        with pytest.raises(ValidationError, match="ne change plus"):
            write()
    services.ensure_report_pdf(report)
    report.refresh_from_db()
    assert (
        report.content,
        report.content_sha256,
        bytes(report.pdf),
        opendata.to_csv(report.content),
    ) == frozen


def test_correction_is_a_new_version_with_its_erratum(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = published(world)
    with pytest.raises(ValidationError, match="Erratum"):
        services.report_correct(report=first, erratum="  ", user=world.pilot)
    store(world.s1, YEAR, "19", numerator="19", denominator="100")
    second = services.report_correct(report=first, erratum="S1 : 19 % et non 18 %.", user=world.pilot)
    assert (second.version, second.status, second.content["erratum"]) == (
        2,
        "draft",
        "S1 : 19 % et non 18 %.",
    )
    with pytest.raises(ValidationError, match="déjà en préparation"):
        services.report_correct(report=first, erratum="autre", user=world.pilot)
    # Regenerating the correction keeps its erratum.
    assert generate(world).content["erratum"] == "S1 : 19 % et non 18 %."
    second = services.report_validate(report=second, decision=world.decision, user=world.pilot)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.report_publish(report=second, user=world.pilot, today=date(2026, 4, 1))
    assert (second.content["version"], second.content["erratum"]) == (2, "S1 : 19 % et non 18 %.")
    assert AnnualReport.objects.latest_published(world.scheme, YEAR) == second
    first.refresh_from_db()
    assert first.status == ReportStatus.PUBLISHED
    assert first.content["version"] == 1
    with pytest.raises(ValidationError, match="dernière version publiée"):
        services.report_correct(report=first, erratum="x", user=world.pilot)


def test_constraints_one_unpublished_per_year_and_erratum_from_version_2(world):
    report = generate(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.create(
            scheme=world.scheme,
            year=YEAR,
            version=2,
            erratum="x",
            content={},
            generated_at=report.generated_at,
        )
    report.status = ReportStatus.PUBLISHED
    report.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.create(
            scheme=world.scheme, year=YEAR, version=2, content={}, generated_at=report.generated_at
        )


def test_a_review_of_another_year_does_not_validate(world):
    # A COPIL whose held meeting validates another year's review cannot validate this report.
    world.review_copil.annual_review_year = 2024
    world.review_copil.save()
    with pytest.raises(ValidationError, match="revue annuelle 2025"):
        services.report_validate(report=generate(world), decision=world.decision, user=world.pilot)
    assert world.review_copil.status == MeetingStatus.HELD


def test_the_decision_that_validated_a_report_cannot_be_removed(world):
    """Found by the authorisation matrix: removing it crashed (ProtectedError, HTTP 500)."""
    from spaser.governance import decisions as governance
    from spaser.organisations.models import Membership

    services.report_validate(report=generate(world), decision=world.decision, user=world.pilot)
    membership = Membership.objects.get(user=world.pilot, organisation=world.organisation)
    with pytest.raises(ValidationError, match=f"valide le rapport annuel {YEAR} \\(version 1\\)"):
        governance.decision_remove(decision=world.decision, membership=membership)
    assert Decision.objects.filter(pk=world.decision.pk).exists()
    governance.decision_remove(decision=world.june_decision, membership=membership)  # no report: removed
    assert not Decision.objects.filter(pk=world.june_decision.pk).exists()
