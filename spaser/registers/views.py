"""Register pages, for the pilot (others get a 403, non-members a 404): history, then upload → column mapping
→ preview (a dry run: nothing written) → import → result with the per-row file.

Processing is synchronous: files are limited to MAX_BYTES and MAX_ROWS (tables.py), a few seconds at most.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from spaser.organisations.permissions import require_member

from . import selectors
from .forms import MappingForm, UploadForm
from .mapping import clean_mapping, field_specs, header_score, propose_mapping
from .models import RegisterImport, RegisterKind, RegisterUpload
from .runs import prepare
from .services import import_insertion, import_register, purge_stale_uploads, save_mapping
from .tables import Table, TableError, read_table
from .values import cell_text

KIND_SLUGS = {"marches": RegisterKind.CONTRACTS, "insertion": RegisterKind.INSERTION}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
PREVIEW_ROWS = 20


def _pilot_organisation(request):
    organisation, _membership = require_member(
        request.user,
        pilot=True,
        not_member="Aucune organisation.",
        not_pilot="Seul le pilote du schéma importe des registres.",
    )
    return organisation


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Registres internes", reverse("registers:index")), *items]


def _upload(request, pk: int) -> tuple[RegisterUpload, object]:
    organisation = _pilot_organisation(request)
    upload = get_object_or_404(RegisterUpload, pk=pk, organisation=organisation)
    return upload, organisation


def index(request):
    organisation = _pilot_organisation(request)
    page = Paginator(selectors.register_imports(organisation), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "registers/index.html",
        {
            "page": page,
            "mappings": selectors.saved_mappings(organisation),
            "breadcrumbs": [("Registres internes", "")],
        },
    )


def upload(request, kind_slug: str):
    organisation = _pilot_organisation(request)
    kind = KIND_SLUGS.get(kind_slug)
    if kind is None:
        raise Http404("Type de fichier inconnu.")
    form = UploadForm(request.POST or None, request.FILES or None, organisation=organisation, kind=kind)
    if request.method == "POST" and form.is_valid():
        purge_stale_uploads(organisation=organisation)
        data = form.cleaned_data
        saved = data["saved_mapping"]
        pending = RegisterUpload.objects.create(
            organisation=organisation,
            kind=kind,
            file=data["file"],
            original_name=Path(data["file"].name).name[:255],
            encoding=data["encoding"],
            delimiter=data["delimiter"],
            saved_mapping=saved,
            mapping=saved.mapping if saved else {},
            created_by=request.user,
        )
        try:
            _read(pending)
        except TableError as error:
            pending.file.delete(save=False)
            pending.delete()
            form.add_error("file", str(error))
        else:
            return redirect("registers:mapping", pk=pending.pk)
    label = RegisterKind(kind).label
    return render(
        request,
        "registers/upload.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": label,
            "breadcrumbs": _crumbs((f"Importer : {label}", "")),
        },
    )


def _read(pending: RegisterUpload, sheet: str | None = None) -> Table:
    return read_table(
        pending.file.path,
        name=pending.original_name,
        sheet=pending.sheet if sheet is None else sheet,
        encoding=pending.encoding,
        delimiter=pending.delimiter,
        header_score=header_score(pending.kind),
    )


def mapping(request, pk: int):
    pending, organisation = _upload(request, pk)
    sheet = request.GET.get("feuille", request.POST.get("sheet"))
    try:
        table = _read(pending, sheet)
    except TableError as error:
        messages.error(request, str(error))
        return redirect("registers:upload", kind_slug=SLUG_OF_KIND[pending.kind])
    if pending.mapping and sheet in (None, pending.sheet):
        initial_mapping = clean_mapping(pending.mapping, kind=pending.kind)
    else:
        initial_mapping = propose_mapping(table.headers, kind=pending.kind)
    form = MappingForm(
        request.POST or None,
        kind=pending.kind,
        headers=table.headers,
        has_default_buyer=organisation.buyers.count() == 1,
        initial={f"field_{key}": header for key, header in initial_mapping.items()},
    )
    if request.method == "POST" and form.is_valid():
        pending.mapping, pending.sheet = form.mapping(), table.sheet
        pending.save(update_fields=["mapping", "sheet"])
        name = form.cleaned_data["save_as"].strip()
        if name:
            pending.saved_mapping = save_mapping(
                organisation=organisation,
                kind=pending.kind,
                name=name,
                mapping=pending.mapping,
                user=request.user,
            )
            pending.save(update_fields=["saved_mapping"])
            messages.success(request, f"Correspondance « {name} » enregistrée.")
        return redirect("registers:preview", pk=pending.pk)
    sample = table.rows[:3]
    return render(
        request,
        "registers/mapping.html",
        {
            "pending": pending,
            "table": table,
            "form": form,
            "sample": sample,
            "delimiter_label": "tabulation" if table.delimiter == "\t" else f"« {table.delimiter} »",
            "breadcrumbs": _crumbs((pending.original_name, ""), ("Correspondance des colonnes", "")),
        },
    )


def _run(pending: RegisterUpload, organisation, user, *, dry_run: bool):
    service = import_register if pending.kind == RegisterKind.CONTRACTS else import_insertion
    return service(
        path=pending.file.path,
        organisation=organisation,
        mapping=pending.mapping,
        mapping_name=pending.saved_mapping.name if pending.saved_mapping else "",
        user=user,
        file_name=pending.original_name,
        sheet=pending.sheet,
        encoding=pending.encoding,
        delimiter=pending.delimiter,
        dry_run=dry_run,
    )


def preview(request, pk: int):
    pending, organisation = _upload(request, pk)
    try:
        result = _run(pending, organisation, request.user, dry_run=True)
        prepared = prepare(
            path=pending.file.path,
            kind=pending.kind,
            organisation=organisation,
            mapping=pending.mapping,
            file_name=pending.original_name,
            sheet=pending.sheet,
            encoding=pending.encoding,
            delimiter=pending.delimiter,
        )
    except TableError as error:
        messages.error(request, str(error))
        return redirect("registers:mapping", pk=pending.pk)
    specs = [spec for spec in field_specs(pending.kind) if spec.key in prepared.mapping]
    return render(
        request,
        "registers/preview.html",
        {
            "pending": pending,
            "result": result,
            "columns": [(spec.label, prepared.mapping[spec.key]) for spec in specs],
            "rows": [
                (outcome, [outcome_value(outcome, spec.key) for spec in specs])
                for outcome in result.outcomes[:PREVIEW_ROWS]
            ],
            "rejected": [o for o in result.outcomes[PREVIEW_ROWS:] if o.fate == "rejected"][:200],
            "preview_rows": PREVIEW_ROWS,
            "breadcrumbs": _crumbs((pending.original_name, ""), ("Aperçu", "")),
        },
    )


def outcome_value(outcome, key: str) -> str:
    value = outcome.values.get(key)
    if value is True:
        return "oui"
    if value is False:
        return "non"
    return cell_text(value) if value is not None else ""


@require_POST
def run(request, pk: int):
    pending, organisation = _upload(request, pk)
    try:
        result = _run(pending, organisation, request.user, dry_run=False)
    except TableError as error:
        messages.error(request, str(error))
        return redirect("registers:mapping", pk=pending.pk)
    # The uploaded file may hold personal data (insertion participants): kept no longer than needed.
    pending.file.delete(save=False)
    pending.delete()
    messages.success(request, result.summary_text())
    return redirect("registers:detail", pk=result.batch)


def _run_of(request, pk: int) -> RegisterImport:
    organisation = _pilot_organisation(request)
    return get_object_or_404(
        RegisterImport.objects.select_related("batch", "batch__user"), batch_id=pk, organisation=organisation
    )


def detail(request, pk: int):
    run_ = _run_of(request, pk)
    rows, total = selectors.report_rows(run_)
    return render(
        request,
        "registers/import_detail.html",
        {
            "run": run_,
            "batch": run_.batch,
            "rows": rows,
            "total": total,
            "breadcrumbs": _crumbs((run_.batch.source_name, "")),
        },
    )


def report(request, pk: int):
    run_ = _run_of(request, pk)
    if not run_.batch.report_file:
        raise Http404("Pas de fichier de résultat pour cet import.")
    return FileResponse(
        run_.batch.report_file.open("rb"),
        as_attachment=True,
        filename=f"resultat-{Path(run_.batch.source_name).stem}.csv",
        content_type="text/csv; charset=utf-8",
    )
