from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "spaser.indicators"
    label = "indicators"
