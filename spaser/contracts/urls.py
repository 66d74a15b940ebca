"""Contract pages, mounted under /marches/ (namespace "contracts")."""

from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("export.csv", views.contract_export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.contract_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/direction/", views.contract_direction, name="set_direction"),
    path("<int:pk>/direction/regles/", views.contract_direction_clear, name="clear_direction"),
    path("attribution/", views.rule_list, name="rules"),
    path("attribution/nouvelle/", views.rule_create, name="rule_create"),
    path("attribution/<int:pk>/modifier/", views.rule_edit, name="rule_edit"),
    path("attribution/<int:pk>/supprimer/", views.rule_delete, name="rule_delete"),
    path("attribution/appliquer/", views.rules_apply, name="rules_apply"),
    path("non-attribues/", views.unattributed_list, name="unattributed"),
]
