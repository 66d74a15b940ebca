"""The HTTP API, mounted under /api/ (docs/api.md): v1 (django-ninja) and the token page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import docs, views
from .api import api

v1_patterns, v1_app_name, v1_namespace = api.urls
# The API authenticates by token only: its views (and the docs) bypass the site's LoginRequiredMiddleware,
# and are CSRF-exempt (ninja marks them so: no cookie is read).
for pattern in v1_patterns:
    pattern.callback = login_not_required(pattern.callback)

urlpatterns = [
    path("v1/", (v1_patterns, v1_app_name, v1_namespace)),
    path("v1/docs/assets/<str:name>", login_not_required(docs.docs_asset), name="api_docs_asset"),
    path("jetons/", views.token_list, name="api_tokens"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke, name="api_token_revoke"),
]
