from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "spaser.registers"
    label = "registers"
    verbose_name = "Registres internes et heures d'insertion"
