from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "spaser.governance"
    verbose_name = "Gouvernance : comités, séances, décisions, actions correctives"

    def ready(self) -> None:
        from spaser.indicators.objects import COUNTABLES

        from .countables import MEETINGS

        COUNTABLES["meetings"] = MEETINGS
