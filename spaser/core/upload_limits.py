"""Uploads above SPASER_MAX_UPLOAD_MB are refused before their body is received, not after.

Two layers (docs/decisions/0015-upload-limit-before-the-body.md):

- `UploadLimitMiddleware`, high in MIDDLEWARE (before sessions and CSRF: nothing has read the body yet), reads
  only the request's `Content-Length`. Above the limit plus `FORM_MARGIN` (the other fields of the form), it
  answers 413 at once — a French page, or a French JSON `{"detail": …}` under /api/ — without reading
  `request.body` nor `request.POST`: a 300 Mo upload is refused after its headers, not after 300 Mo. A
  malformed `Content-Length` is a French 400. Without `Content-Length` (chunked transfer encoding), Django's
  WSGI request reads no body at all (it takes the length as 0): nothing to refuse there.
- `UploadLimitHandler`, first of FILE_UPLOAD_HANDLERS, counts the bytes really received across the files of a
  request (defence in depth: the header under the margin, absent, or lying on a server that does not cut the
  body at `Content-Length`). A file that goes beyond the limit stops being stored at once (the default
  handlers behind it never see another byte and their partial temporary file is deleted); its remaining
  bytes are only counted, so that the form says its true size: the view receives a `RefusedUpload` (no
  content, the true `size`), which every upload form of Spaser refuses on its size with its own French
  message (« Le fichier « … » pèse … : la taille maximale … »). Beyond the limit plus the margin in all —
  only possible without the middleware's check — the upload is stopped (`StopUpload`) and the middleware
  answers 413 before the view runs.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone

MIB = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 200
FORM_MARGIN = MIB  # the form's other fields and the multipart boundaries, beside the file itself
API_PREFIX = "/api/"
_STOPPED = "_spaser_upload_stopped"  # set on the request when the handler stopped an upload


def file_limit() -> int:
    """The largest file accepted online, in bytes."""
    return int(float(getattr(settings, "SPASER_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)) * MIB)


def request_limit() -> int:
    """The largest request body accepted: the file limit and a margin for the other fields."""
    return file_limit() + FORM_MARGIN


def megabytes(size: int) -> str:
    """209715200 → '200 Mo'; 10485 → '0,01 Mo' (French decimal comma)."""
    value = size / MIB
    text = f"{value:.0f}" if value >= 10 else f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " Mo"


def _answer(request: HttpRequest, *, status: int, title: str, message: str, advice: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            {"detail": f"{message} {advice}"}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    else:
        html = render_to_string(
            "core/413.html",
            {"title": title, "message": message, "advice": advice, "when": timezone.localtime()},
        )
        response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def too_large_response(request: HttpRequest, *, size: int | None, name: str = "") -> HttpResponse:
    limit = megabytes(file_limit())
    what = f"Le fichier « {name} »" if name else "L'envoi"
    weight = f" pèse {megabytes(size)} :" if size else " est trop volumineux :"
    message = (
        f"{what}{weight} la taille maximale acceptée en ligne est de {limit} (réglage SPASER_MAX_UPLOAD_MB). "
        "Rien n'a été enregistré."
    )
    if request.path.startswith(API_PREFIX):
        advice = f"Envoyez un fichier de {limit} au plus (compressé en .zip ou .gz)."
    else:
        advice = (
            f"Compressez le fichier en .zip ou .gz (un fichier DECP compressé pèse souvent dix fois moins) "
            f"pour qu'il pèse {limit} au plus, puis envoyez-le de nouveau ; ou demandez à l'administrateur "
            "de l'importer sur le serveur avec la commande « spaser import_decp » (ou « spaser "
            "import_register » pour un registre), qui n'a pas de limite de taille."
        )
    return _answer(request, status=413, title="Fichier trop volumineux", message=message, advice=advice)


def malformed_length_response(request: HttpRequest, raw: str) -> HttpResponse:
    return _answer(
        request,
        status=400,
        title="Requête mal formée",
        message=(
            f"L'en-tête Content-Length de la requête (« {raw[:40]} ») n'est pas un nombre d'octets valide : "
            "Spaser ne peut pas savoir quelle quantité de données lire."
        ),
        advice="Renvoyez le formulaire depuis votre navigateur ; un programme doit envoyer un Content-Length "
        "entier positif.",
    )


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH")
        # No Content-Length (chunked transfer encoding): Django's WSGI request reads no body then (length 0).
        if raw not in (None, ""):
            try:
                length = int(raw)
            except ValueError:
                return malformed_length_response(request, raw)
            if length < 0:
                return malformed_length_response(request, raw)
            if length > request_limit():
                # Answered from the headers alone: neither request.body nor request.POST is touched.
                return too_large_response(request, size=length)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        """Parse a multipart body now (CSRF would next): an upload stopped midway never reaches a view."""
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.FILES  # noqa: B018 — reads the body through the upload handlers
            stopped = getattr(request, _STOPPED, None)
            if stopped is not None:
                return too_large_response(request, size=None, name=stopped)
        return None


class RefusedUpload(UploadedFile):
    """A file received beyond the limit: its name and true size, none of its content."""

    refused = True

    def __init__(self, *, name: str, size: int, content_type: str | None, charset: str | None):
        super().__init__(io.BytesIO(b""), name, content_type, size, charset)


class UploadLimitHandler(FileUploadHandler):
    """First upload handler: counts the bytes of every file of a request against the limit (see above)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = file_limit()
        self.total = 0  # bytes of every file of the request so far
        self.file_bytes = 0
        self.refusing = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file_bytes = 0
        self.refusing = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.file_bytes += len(raw_data)
        self.total += len(raw_data)
        if self.total > self.limit + FORM_MARGIN:
            if self.request is not None:
                setattr(self.request, _STOPPED, self.file_name or "")
            # Django then reads what is left of the body only up to Content-Length; with no such bound (no
            # middleware check, a server that does not cut the body), the connection is to be dropped.
            raise StopUpload(connection_reset=True)
        if self.file_bytes > self.limit or self.refusing:
            if not self.refusing:
                self.refusing = True
                self._discard_partial_files()
            return None  # the handlers behind this one never see these bytes
        return raw_data

    def file_complete(self, file_size: int):
        if not self.refusing:
            return None  # the next handler (memory or temporary file) returns the file
        return RefusedUpload(
            name=self.file_name, size=self.file_bytes, content_type=self.content_type, charset=self.charset
        )

    def _discard_partial_files(self) -> None:
        """Close (and so delete) what the default handlers stored of this file before the limit."""
        if self.request is None:
            return
        for handler in self.request.upload_handlers:
            partial = getattr(handler, "file", None) if handler is not self else None
            if partial is not None:
                partial.close()
