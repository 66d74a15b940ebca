from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "spaser.projects"
    verbose_name = "Projets d'achat"
