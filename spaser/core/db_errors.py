"""A locked, slow or unreachable database answers with a clear French 503, not a 500 traceback.

`DatabaseUnavailableMiddleware` turns `django.db.OperationalError` and `InterfaceError` (SQLite « database is
locked » after its busy timeout, PostgreSQL `statement_timeout` or lock timeout, connection refused or lost)
into:
- for pages, HTTP 503 with `core/503.html`: standalone (no context processor, no query: the database is
  what failed), the app's stylesheet, no inline script or style, a retry hint;
- for the API (/api/), HTTP 503 with a French JSON body {"detail": …};
both with `Retry-After` and `Cache-Control: no-store`, and a log line (logger `spaser.core.db_errors`, with
the traceback) for the administrator.

A view's error is caught by `process_exception`. An error raised earlier, in a middleware (the session or the
user read from the database), is turned into a 500 by Django before it comes back here: the
`got_request_exception` signal notes it on the request and the 500 is replaced on the way out. Place the
middleware high in MIDDLEWARE (right after the security headers one) so that the most is covered.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = 30  # seconds, sent as Retry-After and said on the page
API_PREFIX = "/api/"
MESSAGE = "La base de données est momentanément indisponible : votre demande n'a pas pu aboutir."
_NOTED = "_spaser_database_error"


def _detail(error: BaseException) -> str:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return (
            "Un autre traitement (un import, une sauvegarde) occupe la base de données et la libère trop "
            "lentement pour votre demande."
        )
    if "statement timeout" in text or "lock timeout" in text or "canceling statement" in text:
        return (
            "Votre demande a pris trop de temps (base de données surchargée ou données verrouillées par un "
            "autre traitement) et a été abandonnée."
        )
    return "Spaser n'a pas pu joindre sa base de données (serveur arrêté, redémarré ou saturé)."


def database_unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    detail = _detail(error)
    logger.error(
        "Base de données indisponible pendant %s %s : %s",
        request.method,
        request.path,
        error,
        exc_info=(type(error), error, error.__traceback__),
    )
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            {"detail": f"{MESSAGE} {detail} Réessayez dans {RETRY_AFTER} secondes environ."},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        html = render_to_string(
            "core/503.html",
            {
                "message": MESSAGE,
                "detail": detail,
                "retry_after": RETRY_AFTER,
                "method": request.method,
                "path": request.get_full_path(),
                "when": timezone.localtime(),
            },
        )
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def _note_database_error(sender, request=None, **kwargs) -> None:
    """`got_request_exception` receiver: remember a database error raised outside the view."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _NOTED, error)


got_request_exception.connect(_note_database_error, dispatch_uid="spaser.core.db_errors")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, _NOTED, None)
        if error is not None and response.status_code == 500:
            return database_unavailable_response(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable_response(request, exception)
        return None
