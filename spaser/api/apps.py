from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "spaser.api"
    verbose_name = "API HTTP"
