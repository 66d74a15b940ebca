"""Indicator exports, included by the dashboard's urls under /tableau-de-bord/exports/: reverse them as
"indicators:indicator_exports:<name>" (index, xlsx, csv, json)."""

from django.urls import path

from . import export_views

app_name = "indicator_exports"
urlpatterns = [
    path("", export_views.export_index, name="index"),
    path("valeurs.xlsx", export_views.values_xlsx, name="xlsx"),
    path("valeurs.csv", export_views.values_csv, name="csv"),
    path("valeurs.json", export_views.values_json, name="json"),
]
