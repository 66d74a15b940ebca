"""The interactive documentation (Swagger UI) served offline and within the strict CSP: django-ninja's
bundled Swagger UI files, read from the installed package (no CDN), started by our own script file (no
inline script, its settings in a data attribute)."""

from __future__ import annotations

from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}


class OfflineSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "openapi_url": self.get_openapi_url(api, kwargs),
                "asset_css": reverse("api_docs_asset", args=["swagger-ui.css"]),
                "asset_js": reverse("api_docs_asset", args=["swagger-ui-bundle.js"]),
            },
        )


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """One of the whitelisted Swagger UI files of the ninja package, cached a day."""
    if name not in ASSETS:
        raise Http404("Fichier inconnu.")
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
