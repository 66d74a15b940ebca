from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "spaser.contracts"
    label = "contracts"

    def ready(self) -> None:
        from spaser.organisations.data_stamp import on_contracts_changed

        from .signals import contracts_changed

        contracts_changed.connect(on_contracts_changed, dispatch_uid="organisations-data-stamp")
