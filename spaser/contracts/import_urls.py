"""Import pages, mounted under /imports/ (namespace "imports")."""

from django.urls import path

from . import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.history, name="history"),
    path("nouveau/", import_views.upload, name="upload"),
    path("<int:pk>/rapport.csv", import_views.report, name="report"),
    path("quarantaine/", import_views.quarantine_list, name="quarantine"),
    path("quarantaine/<int:pk>/", import_views.quarantine_detail, name="quarantined_record"),
    path("quarantaine/<int:pk>/ecarter/", import_views.quarantine_ignore, name="quarantined_ignore"),
]
