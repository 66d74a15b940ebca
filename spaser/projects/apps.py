from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "spaser.projects"
    verbose_name = "Projets d'achat"

    def ready(self) -> None:
        from spaser.indicators.objects import COUNTABLES

        from .countables import NEED_REVIEWS, PURCHASE_PROJECTS

        COUNTABLES["purchase_projects"] = PURCHASE_PROJECTS
        COUNTABLES["need_reviews"] = NEED_REVIEWS
