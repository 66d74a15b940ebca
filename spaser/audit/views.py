"""The audit page, /audit/ (namespace "audit"): the journal of every change to the register, targets,
indicator values, campaigns, decisions, corrective actions and annual reports of the user's organisation,
newest first, filtered, paginated (50), and its CSV export (docs/audit.md).

Only the pilot of the organisation and staff members (Django's `is_staff`; superusers act as pilots) see it:
another member gets a 403, someone outside any organisation a 404, an anonymous visitor the login page."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from spaser.core.listing import query_with
from spaser.organisations.models import Organisation, Role
from spaser.organisations.selectors import membership_for, organisation_for

from . import selectors
from .forms import AuditFilterForm

PER_PAGE = 50
NOT_MEMBER = "Vous n'appartenez à aucune organisation : il n'y a pas de journal des modifications à montrer."
NOT_PILOT = "Le journal des modifications est réservé au pilote du schéma et aux administrateurs."


def can_see_audit(user, membership) -> bool:
    return membership is not None and (membership.role == Role.PILOT or user.is_staff)


def _organisation(request: HttpRequest) -> Organisation:
    organisation = organisation_for(request.user)
    membership = membership_for(request.user, organisation)
    if membership is None:
        raise Http404(NOT_MEMBER)
    if not can_see_audit(request.user, membership):
        raise PermissionDenied(NOT_PILOT)
    return organisation


def _journal(request: HttpRequest, organisation: Organisation):
    form = AuditFilterForm(request.GET or None, users=selectors.users_choices(organisation))
    return form, selectors.Journal(organisation.pk, form.filters())


@require_GET
def audit_list(request):
    organisation = _organisation(request)
    form, journal = _journal(request, organisation)
    page = Paginator(journal, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_list.html",
        {
            "form": form,
            "filtered": form.active(),
            "page": page,
            "export_query": query_with(request.GET, page=None),
            "breadcrumbs": [("Journal des modifications", "")],
        },
    )


CSV_HEADER = [
    "Date",
    "Utilisateur",
    "Type d'objet",
    "Objet",
    "Identifiant",
    "Action",
    "Champ",
    "Avant",
    "Après",
    "Motif",
    "Adresse",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(journal: selectors.Journal, base_url: str) -> Iterator[list[str]]:
    yield CSV_HEADER
    for chunk in journal.iter_chunks():
        for line in chunk:
            when = timezone.localtime(line.when).strftime("%d/%m/%Y %H:%M:%S")
            common = [when, line.who, line.kind.label, line.object_name, str(line.object_id), line.action]
            tail = [line.reason, base_url + line.url if line.url else ""]
            if not line.changes:
                note = "état précédent non enregistré" if line.previous_unknown else ""
                yield [*common, "", "", note, *tail]
            for change in line.changes:
                yield [*common, change.field, change.before, change.after, *tail]


@require_GET
def audit_csv(request):
    organisation = _organisation(request)
    _form, journal = _journal(request, organisation)
    writer = csv.writer(_Echo(), delimiter=";")
    base_url = request.build_absolute_uri("/")[:-1]

    def stream() -> Iterator[str]:
        yield "\ufeff"  # BOM: a French Excel opens UTF-8 as such
        for row in _csv_rows(journal, base_url):
            yield writer.writerow(row)

    filename = f"journal-{organisation.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
