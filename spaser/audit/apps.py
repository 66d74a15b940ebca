from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "spaser.audit"
    verbose_name = "Journal des modifications"

    def ready(self) -> None:
        from . import attribution

        attribution.connect()
