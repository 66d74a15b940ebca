from django.urls import path  # noqa: F401 - filled in by this app's views

app_name = "imports"
urlpatterns: list = []
