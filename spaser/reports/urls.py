"""The pilot's report pages, mounted under /rapports/ (namespace "reports")."""

app_name = "reports"
urlpatterns: list = []
