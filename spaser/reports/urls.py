"""The pilot's report pages, mounted under /rapports/ (namespace "reports")."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/generer/", views.generate, name="generate"),
    path("versions/<int:pk>/", views.detail, name="detail"),
    path("versions/<int:pk>/valider/", views.validate, name="validate"),
    path("versions/<int:pk>/publier/", views.publish, name="publish"),
    path("versions/<int:pk>/rouvrir/", views.reopen, name="reopen"),
    path("versions/<int:pk>/corriger/", views.correct, name="correct"),
    path("versions/<int:pk>/<str:name>", views.report_file, name="file"),
]
