from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "spaser.organisations"
    label = "organisations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import data_stamp
        from .models import Buyer, Direction, Organisation

        # the perimeter, the directions contracts are matched on, and the organisation itself (its name is
        # on the memos' schemes and figures)
        for model in (Buyer, Direction, Organisation):
            for signal in (post_save, post_delete):
                signal.connect(
                    data_stamp.on_organisation_data_change, sender=model, dispatch_uid=f"stamp-{model}"
                )
