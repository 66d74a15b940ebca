"""The meeting pack as files: /gouvernance/seances/<pk>/dossier.pdf and dossier.xlsx.

Any member of the meeting's organisation downloads them (404 outside). A held meeting serves the bytes frozen
when it was held — never rendered again, so a later import changes nothing; a planned meeting gets a preview
rendered now from live data for its date, whose file name says « apercu »; a cancelled meeting, or one held
outside Spaser, has no pack (404, with the reason).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_GET

from spaser.core.documents import PDF_TYPE, XLSX_TYPE, content_disposition
from spaser.organisations.selectors import membership_for

from .. import rendering, selectors, services, workbook
from ..models import Meeting
from ..permissions import can_read

NOT_MEMBER = "Cette séance n'existe pas ou n'appartient pas à votre organisation."
FORMATS = {
    "pdf": ("pack_pdf", PDF_TYPE, rendering.pack_pdf),
    "xlsx": ("pack_xlsx", XLSX_TYPE, workbook.pack_xlsx),
}


def _download(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("committee__organisation"), pk=pk)
    organisation = meeting.committee.organisation
    if not can_read(membership_for(request.user, organisation), organisation):
        raise Http404(NOT_MEMBER)
    field, content_type, render = FORMATS[extension]
    if meeting.is_frozen:
        meeting = services.ensure_pack_files(meeting)  # rendered once from the frozen JSON if still missing
        stored = getattr(meeting, field)
        if not stored:
            raise Http404("Le dossier figé de cette séance n'a pas de fichier dans ce format.")
        content, preview = bytes(stored), False
    else:
        pack, _frozen, reason = selectors.meeting_pack(meeting)
        if pack is None:
            raise Http404(reason)
        content, preview = render(pack), True
    name = rendering.file_name(meeting.committee.kind, meeting.date, extension, preview=preview)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    if preview:
        response["Cache-Control"] = "no-store"
    return response


@require_GET
def pack_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")


@require_GET
def pack_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "xlsx")


urlpatterns = [
    path("seances/<int:pk>/dossier.pdf", pack_pdf, name="pack_pdf"),
    path("seances/<int:pk>/dossier.xlsx", pack_xlsx, name="pack_xlsx"),
]
