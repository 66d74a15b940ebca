from django.urls import path

from . import views

app_name = "registers"
urlpatterns = [
    path("", views.index, name="index"),
    path("importer/<slug:kind_slug>/", views.upload, name="upload"),
    path("fichiers/<int:pk>/correspondance/", views.mapping, name="mapping"),
    path("fichiers/<int:pk>/apercu/", views.preview, name="preview"),
    path("fichiers/<int:pk>/importer/", views.run, name="run"),
    path("imports/<int:pk>/", views.detail, name="detail"),
    path("imports/<int:pk>/resultat.csv", views.report, name="report"),
]
