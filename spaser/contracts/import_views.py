"""Import pages, under /imports/: upload a DECP file (run as a background job), the import history, each
import's report, and the quarantine (records that could not be contracts: read, correct and re-import, or
set aside).

Who sees what (kept simple on purpose):
- an import belongs to the organisation of the user who ran it: the history, the reports and the quarantine
  show the imports run by members of the user's organisation (`ImportBatch.user`);
- imports run from the command line have no user: only superusers see them here (a platform administrator's
  business, not one organisation's);
- every member reads the history and downloads reports; only the pilot uploads and works the quarantine.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from spaser.contracts.import_forms import (
    DecpUploadForm,
    QuarantineCorrectionForm,
    QuarantineFilterForm,
    QuarantineIgnoreForm,
)
from spaser.contracts.models import ImportBatch, QuarantinedRecord, QuarantineStatus
from spaser.contracts.quarantine import ignore_quarantined, reimport_quarantined
from spaser.contracts.tasks import launch_decp_import
from spaser.core.models import Job
from spaser.decp import DecpError
from spaser.organisations.permissions import can_edit_register, require_member

HISTORY_PAGE_SIZE = 25
QUARANTINE_PAGE_SIZE = 50
PILOT_ONLY = "Seul le pilote du schéma importe des données et traite la quarantaine."


# --- Access ----------------------------------------------------------------------------------------------


def _member(request, *, pilot: bool = False):
    """The user's organisation and role; 404 outside any organisation, 403 when the pilot is required."""
    return require_member(
        request.user,
        pilot=pilot,
        not_member="Aucune organisation ne vous est rattachée.",
        not_pilot=PILOT_ONLY,
    )


def visible_batches(*, organisation, user) -> QuerySet[ImportBatch]:
    scope = Q(user__memberships__organisation=organisation)
    if user.is_superuser:
        scope |= Q(user__isnull=True)
    return ImportBatch.objects.filter(scope).select_related("user")


def visible_quarantine(*, organisation, user) -> QuerySet[QuarantinedRecord]:
    return QuarantinedRecord.objects.filter(
        batch__in=visible_batches(organisation=organisation, user=user).values("pk")
    ).select_related("batch", "contract", "resolved_by")


def _breadcrumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Imports", reverse("imports:history")), *items]


# --- Upload and history ----------------------------------------------------------------------------------


def upload(request):
    organisation, _membership = _member(request, pilot=True)
    form = DecpUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = launch_decp_import(
            upload=form.cleaned_data["file"],
            user=request.user,
            organisation=organisation,
            source_label=form.cleaned_data["source_label"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("jobs:detail", pk=job.pk)
    return render(
        request,
        "imports/upload.html",
        {"form": form, "breadcrumbs": _breadcrumbs(("Importer un fichier DECP", ""))},
    )


def history(request):
    organisation, membership = _member(request)
    batches = visible_batches(organisation=organisation, user=request.user).order_by("-started_at", "-pk")
    page = Paginator(batches, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    running = Job.objects.for_organisation(organisation).unfinished().order_by("-created_at")[:10]
    return render(
        request,
        "imports/history.html",
        {
            "page": page,
            "running_jobs": running,
            "can_import": can_edit_register(membership),
            "breadcrumbs": [("Imports", "")],
        },
    )


def report(request, pk: int):
    organisation, _membership = _member(request)
    batch = get_object_or_404(visible_batches(organisation=organisation, user=request.user), pk=pk)
    if not batch.report_file:
        raise Http404("Cet import n'a pas de rapport.")
    try:
        handle = batch.report_file.open("rb")
    except FileNotFoundError:
        raise Http404("Le fichier du rapport a disparu du serveur.") from None
    return FileResponse(
        handle, as_attachment=True, filename=f"rapport-import-{batch.pk}.csv", content_type="text/csv"
    )


# --- Quarantine ------------------------------------------------------------------------------------------


def quarantine_list(request):
    organisation, _membership = _member(request, pilot=True)
    batches = visible_batches(organisation=organisation, user=request.user).filter(
        quarantined_records__isnull=False
    )
    batches = batches.distinct().order_by("-started_at", "-pk")
    form = QuarantineFilterForm(request.GET or None, batches=batches)
    records = visible_quarantine(organisation=organisation, user=request.user)
    status = form.status() if form.is_bound else QuarantineStatus.PENDING
    if status:
        records = records.filter(status=status)
    if form.is_bound and form.batch_id():
        records = records.filter(batch_id=form.batch_id())
    records = records.order_by("-batch__started_at", "batch_id", "position")
    page = Paginator(records, QUARANTINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/quarantine_list.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "status_label": QuarantineStatus(status).label if status else "",
            "breadcrumbs": _breadcrumbs(("Quarantaine", "")),
        },
    )


def _quarantined(request, pk: int) -> QuarantinedRecord:
    organisation, _membership = _member(request, pilot=True)
    return get_object_or_404(visible_quarantine(organisation=organisation, user=request.user), pk=pk)


def _render_record(request, record, *, correction=None, ignore=None, status=200):
    if correction is None:
        source = record.corrected_raw if record.corrected_raw is not None else record.raw
        correction = QuarantineCorrectionForm(initial={"corrected_json": _pretty(source)})
    return render(
        request,
        "imports/quarantine_detail.html",
        {
            "record": record,
            "raw_json": _pretty(record.raw),
            "corrected_json": _pretty(record.corrected_raw) if record.corrected_raw is not None else "",
            "is_pending": record.status == QuarantineStatus.PENDING,
            "correction_form": correction,
            "ignore_form": ignore or QuarantineIgnoreForm(),
            "breadcrumbs": _breadcrumbs(
                ("Quarantaine", reverse("imports:quarantine")), (f"Enregistrement n° {record.position}", "")
            ),
        },
        status=status,
    )


def quarantine_detail(request, pk: int):
    """The record, its reasons and raw source; POST = correct and re-import."""
    record = _quarantined(request, pk)
    if request.method != "POST":
        return _render_record(request, record)
    if record.status != QuarantineStatus.PENDING:
        messages.error(request, "Cet enregistrement a déjà été traité : il ne peut plus être corrigé.")
        return redirect("imports:quarantined_record", pk=record.pk)
    form = QuarantineCorrectionForm(request.POST)
    if form.is_valid():
        try:
            contract = reimport_quarantined(
                record=record, corrected_raw=form.cleaned_data["corrected_json"], user=request.user
            )
        except (DecpError, ValidationError) as error:
            form.add_error("corrected_json", _error_text(error))
        else:
            messages.success(
                request, f"Enregistrement corrigé et réimporté : le marché « {contract.uid} » est enregistré."
            )
            return redirect("imports:quarantined_record", pk=record.pk)
    record.refresh_from_db()  # a refused correction changes nothing: show the record as stored
    return _render_record(request, record, correction=form)


@require_POST
def quarantine_ignore(request, pk: int):
    record = _quarantined(request, pk)
    if record.status != QuarantineStatus.PENDING:
        messages.error(request, "Cet enregistrement a déjà été traité.")
        return redirect("imports:quarantined_record", pk=record.pk)
    form = QuarantineIgnoreForm(request.POST)
    if not form.is_valid():
        return _render_record(request, record, ignore=form)
    try:
        ignore_quarantined(record=record, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        form.add_error("reason", _error_text(error))
        return _render_record(request, record, ignore=form)
    messages.success(request, f"Enregistrement n° {record.position} écarté : il reste consultable.")
    return redirect(f"{reverse('imports:quarantine')}?lot={record.batch_id}")


def _pretty(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
