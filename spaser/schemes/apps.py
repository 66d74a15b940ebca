from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "spaser.schemes"
    label = "schemes"
