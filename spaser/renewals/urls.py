from django.urls import path

from . import views

app_name = "renewals"
urlpatterns = [
    path("", views.radar, name="radar"),
    path("export.csv", views.radar_csv, name="csv"),
    path("marche/<int:pk>/", views.review, name="review"),
]
