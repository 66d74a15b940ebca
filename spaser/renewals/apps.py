from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "spaser.renewals"
    verbose_name = "Radar des renouvellements"

    def ready(self) -> None:
        from spaser.indicators.objects import COUNTABLES

        from .countables import RENEWAL_REVIEWS

        COUNTABLES["renewal_reviews"] = RENEWAL_REVIEWS

        from django.db.models.signals import post_delete, post_save

        from .models import RenewalReview
        from .receivers import on_review_change

        for signal in (post_save, post_delete):  # a decided review clears a flag of the radar
            signal.connect(on_review_change, sender=RenewalReview, dispatch_uid=f"stamp-review-{signal}")
