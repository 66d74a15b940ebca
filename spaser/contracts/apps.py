from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "spaser.contracts"
    label = "contracts"
