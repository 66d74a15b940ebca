"""Public report pages and open-data downloads, mounted under /public/ with the scheme pages (namespace
"public"): stable URLs per year and per version."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("<slug:slug>/rapports/", public_views.report_list, name="reports"),
    path("<slug:slug>/rapports/<int:year>/", public_views.report_year, name="report"),
    path(
        "<slug:slug>/rapports/<int:year>/v<int:version>/", public_views.report_version, name="report_version"
    ),
    path("<slug:slug>/rapports/<int:year>/<str:name>", public_views.report_file, name="report_file"),
    path(
        "<slug:slug>/rapports/<int:year>/v<int:version>/<str:name>",
        public_views.report_version_file,
        name="report_version_file",
    ),
]
