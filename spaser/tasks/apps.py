from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "spaser.tasks"
    verbose_name = "Mes tâches et relances"
