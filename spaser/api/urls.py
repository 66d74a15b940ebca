"""The HTTP API, mounted under /api/ (docs/api.md)."""

urlpatterns: list = []
