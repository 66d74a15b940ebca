from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "spaser.suppliers"
    label = "suppliers"
    verbose_name = "Titulaires"
