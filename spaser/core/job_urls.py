from django.urls import path

from . import job_views

app_name = "jobs"
urlpatterns = [
    path("", job_views.job_list, name="list"),
    path("<int:pk>/", job_views.job_detail, name="detail"),
    path("<int:pk>/etat.json", job_views.job_state_json, name="state"),
    path("<int:pk>/relancer/", job_views.job_retry, name="retry"),
]
