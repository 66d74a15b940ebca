from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "spaser.renewals"
    verbose_name = "Radar des renouvellements"

    def ready(self) -> None:
        from spaser.indicators.objects import COUNTABLES

        from .countables import RENEWAL_REVIEWS

        COUNTABLES["renewal_reviews"] = RENEWAL_REVIEWS
