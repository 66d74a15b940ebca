from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "spaser.reports"
    verbose_name = "Rapport annuel, site public et données ouvertes"
