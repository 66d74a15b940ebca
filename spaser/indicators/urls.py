"""Dashboards, mounted under /tableau-de-bord/ (namespace "indicators"). Filters in the query string:
`periode` (2025, 2025-S1, 2025-T2, 2025-M03, 2025-C11) and `perimetre` (organisation, direction:<slug>,
buyer:<SIREN or SIRET>); see docs/dashboards.md."""

from django.urls import include, path

from . import indicator_views, views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("directions/<slug:slug>/", views.direction, name="direction"),
    path("axes/<int:pk>/", views.axis, name="axis"),
    path("engagements/<int:pk>/", views.commitment, name="commitment"),
    path("indicateurs/<str:code>/", indicator_views.indicator_detail, name="indicator"),
    path("indicateurs/<str:code>/marches/", indicator_views.drilldown_list, name="drilldown"),
    path("indicateurs/<str:code>/marches.csv", indicator_views.drilldown_csv, name="drilldown_csv"),
    path("exports/", include("spaser.indicators.export_urls")),
]
