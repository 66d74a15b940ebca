"""The observatory's pages, mounted under /observatoire/ (namespace "observatory")."""

app_name = "observatory"
urlpatterns: list = []
