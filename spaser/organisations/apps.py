from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "spaser.organisations"
    label = "organisations"
