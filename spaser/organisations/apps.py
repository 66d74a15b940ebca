from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "spaser.organisations"
    label = "organisations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import data_stamp
        from .models import Buyer, Direction

        for model in (Buyer, Direction):  # the perimeter, and the directions contracts are matched on
            for signal in (post_save, post_delete):
                signal.connect(
                    data_stamp.on_buyer_or_direction_change, sender=model, dispatch_uid=f"stamp-{model}"
                )
