"""Exports of indicator values (XLSX, CSV, JSON), mounted under /tableau-de-bord/exports/ (namespace
"indicator_exports"), and the page that offers them. Filters in the query string: `annee`, `periode`,
`perimetre` (each may repeat; absent or « all »: all), `sep` for the CSV, `schema` (slug) for another scheme
than the current one.

Members of the organisation only; a prescribing referent exports the organisation's, the buyers' and its own
direction's values (the dashboards' rule); pilot, committee members and resource referents every scope. A bad
filter is a 400, an unknown year or scope a 404, a scope out of reach a 403, each with its French message."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from spaser.organisations.models import Membership, Role
from spaser.organisations.permissions import require_member
from spaser.schemes.models import Scheme

from .export_formats import check_separator, csv_lines, json_chunks, write_xlsx
from .exports import PERIOD_ORDER, FilterError, Filters, export_rows, parse_filters, scope_labels
from .models import IndicatorValue
from .periods import Period

NOT_MEMBER = "Vous n'appartenez à aucune organisation : aucun indicateur à exporter."
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportRequest:
    scheme: Scheme
    filters: Filters
    labels: dict[str, str]


def allowed_scopes(membership: Membership, labels: dict[str, str]) -> set[str] | None:
    """The scope keys a member may export, None for all. The dashboards' rule
    (dashboard_access.may_see_scope): a prescribing referent sees the organisation, the buyers and its own
    direction, not the other directions."""
    if membership.role != Role.PRESCRIBING_REFERENT:
        return None
    own = f"direction:{membership.direction.slug}" if membership.direction is not None else None
    return {key for key in labels if not key.startswith("direction:") or key == own}


def _scheme(organisation, slug: str | None) -> Scheme:
    schemes = organisation.schemes.select_related("organisation")
    scheme = schemes.filter(slug=slug).first() if slug else schemes.current().first()
    if scheme is None:
        raise FilterError(
            f"Aucun schéma « {slug} » dans votre organisation."
            if slug
            else "Votre organisation n'a pas de schéma.",
            404,
        )
    return scheme


def _export_request(request: HttpRequest) -> tuple[ExportRequest, set[str] | None]:
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    scheme = _scheme(organisation, request.GET.get("schema"))
    labels = scope_labels(scheme)
    allowed = allowed_scopes(membership, labels)
    filters = parse_filters(
        scheme=scheme,
        years=request.GET.getlist("annee"),
        periods=request.GET.getlist("periode"),
        scopes=request.GET.getlist("perimetre"),
        labels=labels,
        allowed_scopes=allowed,
    )
    return ExportRequest(scheme, filters, labels), allowed


def _refused(request: HttpRequest, error: FilterError) -> HttpResponse:
    return render(request, "indicators/exports/refused.html", {"message": error.message}, status=error.status)


def _filename(export: ExportRequest, extension: str) -> str:
    years = "-".join(map(str, export.filters.years)) or "toutes-annees"
    return f"indicateurs-{export.scheme.slug}-{years}.{extension}"


def _rows(export: ExportRequest):
    return export_rows(scheme=export.scheme, filters=export.filters, labels=export.labels)


@require_GET
def values_csv(request: HttpRequest) -> HttpResponse:
    try:
        export, _allowed = _export_request(request)
        sep = check_separator(request.GET.get("sep", ";"))
    except FilterError as error:
        return _refused(request, error)
    lines = csv_lines(_rows(export), sep=sep)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(export, "csv")}"'
    return response


@require_GET
def values_json(request: HttpRequest) -> HttpResponse:
    try:
        export, _allowed = _export_request(request)
    except FilterError as error:
        return _refused(request, error)
    chunks = json_chunks(_rows(export), scheme=export.scheme, filters=export.filters)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(export, "json")}"'
    return response


@require_GET
def values_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        export, _allowed = _export_request(request)
    except FilterError as error:
        return _refused(request, error)
    # A spooled file: small workbooks stay in memory, large ones go to disk. FileResponse closes it.
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_xlsx(_rows(export), handle, scheme=export.scheme, filters=export.filters, labels=export.labels)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=_filename(export, "xlsx"), content_type=XLSX_TYPE
    )


@require_GET
def export_index(request: HttpRequest) -> HttpResponse:
    """The choices of the export (format, year, period, scope, separator) as a form."""
    try:
        export, allowed = _export_request(request)
    except FilterError as error:
        return _refused(request, error)
    scheme = export.scheme
    stored = IndicatorValue.objects.filter(indicator__commitment__axis__scheme=scheme)
    years = sorted(set(stored.values_list("year", flat=True)))
    keys = set(stored.values_list("period", flat=True).distinct())
    periods = [(key, _period_choice(key)) for key in PERIOD_ORDER if key in keys]
    scopes = [(key, label) for key, label in export.labels.items() if allowed is None or key in allowed]
    return render(
        request,
        "indicators/exports/index.html",
        {
            "organisation": scheme.organisation,
            "scheme": scheme,
            "years": years,
            "periods": periods,
            "scopes": scopes,
            "restricted": allowed is not None,
            "breadcrumbs": [
                ("Tableau de bord", reverse("indicators:dashboard")),
                ("Exporter les valeurs", ""),
            ],
        },
    )


def _period_choice(key: str) -> str:
    """« 1er trimestre », « mars », « de janvier à fin mars »: a period's label without its year."""
    label = Period(2000, key).label
    if key == "A":
        return "l'année entière"
    return label.replace(" 2000", "").replace("2000, ", "")
