from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "spaser.observatory"
    verbose_name = "Observatoire national : indicateurs de tous les acheteurs, comparaison entre pairs"
