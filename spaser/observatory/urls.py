"""The observatory's pages, mounted under /observatoire/ (namespace "observatory")."""

from django.urls import path

from . import views

app_name = "observatory"
urlpatterns = [
    path("", views.national, name="national"),
    path("position/", views.position, name="position"),
]
