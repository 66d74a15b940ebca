from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "spaser.indicators"
    label = "indicators"

    def ready(self):
        from spaser.contracts.signals import contracts_changed

        from .tasks import schedule_recompute

        # Values follow the data: every committed change of contracts, registers or suppliers recomputes.
        contracts_changed.connect(schedule_recompute, dispatch_uid="indicators-recompute")
