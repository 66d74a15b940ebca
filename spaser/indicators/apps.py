from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "spaser.indicators"
    label = "indicators"

    def ready(self):
        from spaser.contracts.signals import contracts_changed

        from .tasks import schedule_recompute

        # Values follow the data: every committed change of contracts, registers or suppliers recomputes.
        contracts_changed.connect(schedule_recompute, dispatch_uid="indicators-recompute")
        connect_stamp_receivers()


def connect_stamp_receivers() -> None:
    """The dashboards' memos (dashboard_memos.py) read schemes, their register and the stored values: every
    save or deletion of one renews the data stamp (spaser/organisations/data_stamp.py). Django sends these
    signals for deletions by cascade too, and no code writes these models by queryset `update()` or bulk."""
    from django.db.models.signals import post_delete, post_save

    from spaser.organisations.data_stamp import on_scheme_data_change

    for model in stamped_models():
        for signal in (post_save, post_delete):
            signal.connect(on_scheme_data_change, sender=model, dispatch_uid=f"stamp-{model.__name__}")


def stamped_models() -> list:
    from spaser.schemes.models import Axis, Commitment, Indicator, Scheme, Target

    from .models import IndicatorValue

    return [Scheme, Axis, Commitment, Indicator, Target, IndicatorValue]
