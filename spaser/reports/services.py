"""Writes of the annual report (docs/reports.md): generate (or regenerate) the draft, reopen, validate with a
COPIL decision, publish, correct with a new version. Keyword-only, typed, atomic; every function checks
permissions.py (PermissionDenied) and refuses in French (ValidationError naming the field or the meeting);
every change is historised (django-simple-history).

A published report never changes: no service writes one, except `ensure_report_pdf`, which stores its PDF
once (rendered from the frozen content, outside any transaction, by a conditional UPDATE while still missing:
the approach of governance.services.ensure_pack_files).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from spaser.governance.models import CommitteeKind, Decision, MeetingStatus
from spaser.schemes.models import Scheme

from .content import build_report_content
from .models import AnnualReport, ReportStatus
from .permissions import NOT_PILOT, user_can_manage

PUBLISHED_IS_FROZEN = "Le rapport {year} version {version} est publié : il ne change plus."


def canonical_json(content: dict) -> str:
    """The text whose SHA-256 is the content's fingerprint (`AnnualReport.content_sha256`)."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _freeze(report: AnnualReport, content: dict) -> None:
    text = canonical_json(content)
    report.content = json.loads(text)
    report.content_sha256 = sha256(text.encode("utf-8"))


def _require_pilot(user, scheme: Scheme) -> None:
    if not user_can_manage(user, scheme.organisation):
        raise PermissionDenied(NOT_PILOT)


def _locked(report: AnnualReport) -> AnnualReport:
    """The report as stored now, locked for the transaction."""
    return AnnualReport.objects.select_for_update().select_related("scheme__organisation").get(pk=report.pk)


def _require_not_published(report: AnnualReport) -> None:
    if report.status == ReportStatus.PUBLISHED:
        raise ValidationError(PUBLISHED_IS_FROZEN.format(year=report.year, version=report.version))


def _check_year(scheme: Scheme, year: int, today: date) -> None:
    if year not in scheme.years:
        raise ValidationError(
            {
                "year": f"Année : {year} est hors de la période du schéma « {scheme.title} » "
                f"({scheme.period_start}-{scheme.period_end})."
            }
        )
    if year > today.year:
        raise ValidationError({"year": f"Année : l'année {year} n'a pas commencé."})


def report_generate(*, scheme: Scheme, year: int, user, today: date | None = None) -> AnnualReport:
    """Create the draft of `year` (version 1, or the next version of a correction already opened), or
    rebuild the content of the existing draft from the stored values. Refused on a validated report (reopen
    it first) and when the year's report is published (publish a correction instead)."""
    _require_pilot(user, scheme)
    today = today or timezone.localdate()
    _check_year(scheme, year, today)
    with transaction.atomic():
        Scheme.objects.select_for_update().filter(pk=scheme.pk).first()  # serialises the year's writes
        report = AnnualReport.objects.unpublished().filter(scheme=scheme, year=year).first()
        if report is None:
            if AnnualReport.objects.published().filter(scheme=scheme, year=year).exists():
                raise ValidationError(
                    f"Le rapport {year} est publié : il ne change plus. Pour corriger une erreur, créez une "
                    "nouvelle version avec son erratum."
                )
            report = AnnualReport(scheme=scheme, year=year, version=1)
        elif report.status == ReportStatus.VALIDATED:
            raise ValidationError(
                f"Le rapport {year} est validé : rouvrez-le (retour au brouillon) avant de le régénérer."
            )
        content = build_report_content(scheme=scheme, year=year, today=today)
        content["erratum"] = report.erratum
        _freeze(report, content)
        report.generated_at = timezone.now()
        report.generated_by = user
        report.save()
    return report


def report_reopen(*, report: AnnualReport, user) -> AnnualReport:
    """A validated report back to draft (its validation is withdrawn)."""
    _require_pilot(user, report.scheme)
    with transaction.atomic():
        report = _locked(report)
        _require_not_published(report)
        if report.status != ReportStatus.VALIDATED:
            raise ValidationError(f"Le rapport {report.year} n'est pas validé : il est déjà en brouillon.")
        report.status = ReportStatus.DRAFT
        report.decision = None
        report.validated_at = None
        report.validated_by = None
        content = dict(report.content, status=ReportStatus.DRAFT.value, validation=None)
        _freeze(report, content)
        report.save()
    return report


def eligible_decisions(report: AnnualReport):
    """The decisions that may validate `report`: taken in a held COPIL of the scheme's organisation that
    records the validation of the year's annual review."""
    return (
        Decision.objects.filter(
            meeting__committee__organisation_id=report.scheme.organisation_id,
            meeting__committee__kind=CommitteeKind.COPIL,
            meeting__status=MeetingStatus.HELD,
            meeting__validates_annual_review=True,
            meeting__annual_review_year=report.year,
        )
        .select_related("meeting__committee")
        .order_by("-meeting__date", "pk")
    )


def _decision_errors(report: AnnualReport, decision: Decision) -> str | None:
    meeting = decision.meeting
    committee = meeting.committee
    name = f"{committee.get_kind_display()} du {meeting.date:%d/%m/%Y}"
    if committee.organisation_id != report.scheme.organisation_id:
        return "Décision : elle doit avoir été prise par un comité de l'organisation du schéma."
    if committee.kind != CommitteeKind.COPIL:
        return f"Décision : la séance « {name} » n'est pas un COPIL ; seul le COPIL valide le rapport annuel."
    if meeting.status != MeetingStatus.HELD:
        return f"Décision : la séance « {name} » n'est pas tenue ({meeting.get_status_display().lower()})."
    if not meeting.validates_annual_review or meeting.annual_review_year != report.year:
        return (
            f"Décision : la séance « {name} » n'enregistre pas la validation de la revue annuelle "
            f"{report.year}."
        )
    return None


def report_validate(*, report: AnnualReport, decision: Decision, user) -> AnnualReport:
    """A draft validated by a decision of the COPIL that validated the year's annual review."""
    _require_pilot(user, report.scheme)
    with transaction.atomic():
        report = _locked(report)
        _require_not_published(report)
        if report.status != ReportStatus.DRAFT:
            raise ValidationError(f"Le rapport {report.year} est déjà validé.")
        decision = Decision.objects.select_related("meeting__committee").get(pk=decision.pk)
        error = _decision_errors(report, decision)
        if error:
            raise ValidationError({"decision": error})
        report.status = ReportStatus.VALIDATED
        report.decision = decision
        report.validated_at = timezone.now()
        report.validated_by = user
        content = dict(report.content, status=ReportStatus.VALIDATED.value, validation=_validation(decision))
        _freeze(report, content)
        report.save()
    return report


def _validation(decision: Decision) -> dict:
    meeting = decision.meeting
    return {
        "meeting_date": meeting.date.isoformat(),
        "committee": meeting.committee.name,
        "decision": decision.text,
    }


def report_publish(*, report: AnnualReport, user, today: date | None = None) -> AnnualReport:
    """A validated report published: its content frozen with its version, publication date, validation
    and erratum, and its SHA-256; its PDF rendered after the commit (tasks.render_report_pdf)."""
    _require_pilot(user, report.scheme)
    today = today or timezone.localdate()
    with transaction.atomic():
        report = _locked(report)
        _require_not_published(report)
        if report.status != ReportStatus.VALIDATED:
            raise ValidationError(
                f"Le rapport {report.year} n'est pas validé : faites-le valider par le COPIL avant de le "
                "publier."
            )
        decision = Decision.objects.select_related("meeting__committee").get(pk=report.decision_id)
        report.status = ReportStatus.PUBLISHED
        report.published_at = timezone.now()
        report.published_on = today
        report.published_by = user
        content = dict(
            report.content,
            status=ReportStatus.PUBLISHED.value,
            version=report.version,
            published_on=today.isoformat(),
            validation=_validation(decision),
            erratum=report.erratum,
        )
        _freeze(report, content)
        report.save()
        transaction.on_commit(lambda pk=report.pk: _queue_pdf(pk))
    return report


def _queue_pdf(pk: int) -> None:
    from .tasks import render_report_pdf

    render_report_pdf(pk)


def report_correct(*, report: AnnualReport, erratum: str, user, today: date | None = None) -> AnnualReport:
    """From the latest published version N: a new draft N+1 carrying `erratum`, its content rebuilt from
    the stored values. Version N stays published, untouched, at its own URL."""
    _require_pilot(user, report.scheme)
    erratum = (erratum or "").strip()
    if not erratum:
        raise ValidationError({"erratum": "Erratum : expliquez ce que la nouvelle version corrige."})
    with transaction.atomic():
        Scheme.objects.select_for_update().filter(pk=report.scheme_id).first()
        latest = AnnualReport.objects.latest_published(report.scheme, report.year)
        if latest is None or latest.pk != report.pk:
            raise ValidationError(
                f"Seule la dernière version publiée du rapport {report.year} peut être corrigée."
            )
        if AnnualReport.objects.unpublished().filter(scheme_id=report.scheme_id, year=report.year).exists():
            raise ValidationError(
                f"Une nouvelle version du rapport {report.year} est déjà en préparation : complétez-la."
            )
        last = AnnualReport.objects.filter(scheme_id=report.scheme_id, year=report.year).aggregate(
            last=Max("version")
        )["last"]
        correction = AnnualReport(scheme=report.scheme, year=report.year, version=last + 1, erratum=erratum)
        content = build_report_content(scheme=report.scheme, year=report.year, today=today)
        content["erratum"] = erratum
        _freeze(correction, content)
        correction.generated_at = timezone.now()
        correction.generated_by = user
        correction.save()
    return correction


def ensure_report_pdf(report: AnnualReport) -> AnnualReport:
    """A published report's PDF: rendered once from its frozen content if missing, then stored by one UPDATE
    only while still missing (two workers never replace a stored file; no lock is held while rendering)."""
    if report.status != ReportStatus.PUBLISHED or report.pdf is not None:
        return report
    from .rendering import report_pdf

    content = bytes(report_pdf(report.content))
    AnnualReport.objects.filter(pk=report.pk, pdf__isnull=True, status=ReportStatus.PUBLISHED).update(
        pdf=content, pdf_sha256=sha256(content)
    )
    report.refresh_from_db()
    return report
