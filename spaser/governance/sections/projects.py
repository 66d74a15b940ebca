"""Purchase projects in the pack: the advice awaited from the resource directions on active projects
(`awaiting_advice`), and the projects in preparation — need definition to consultation documents — with their
planned considerations and their Loi Climat check (`projects_in_preparation`)."""

from __future__ import annotations

from django.db.models import F, Prefetch

from spaser.projects import climate
from spaser.projects.models import Advice, AdviceStatus, Project
from spaser.projects.stages import FINAL, ORDER, Stage

from . import PackContext, direction_name, iso, number

PREPARATION = ORDER[: ORDER.index(Stage.DOCUMENTS) + 1]  # need, sourcing, strategy, documents
CLIMATE_LABELS = {
    "yes": "Conforme",
    "no": "Non conforme",
    "unknown": "À compléter (clause ou critère non décidé)",
    "not_applicable": "Non concerné (lancement avant le 22 août 2026 ou non planifié)",
}


def awaiting_advice(context: PackContext) -> list[dict]:
    """Open advice (requested or in progress) on the organisation's active projects, most urgent first."""
    advices = (
        Advice.objects.open()
        .filter(project__organisation=context.organisation)
        .exclude(project__stage__in=FINAL)
        .select_related("project__direction", "resource_direction")
        .order_by("deadline", "project__reference", "pk")
    )
    return [
        {
            "reference": advice.project.reference,
            "title": advice.project.title,
            "direction": direction_name(advice.project.direction),
            "stage": advice.project.stage,
            "stage_label": Stage(advice.project.stage).label,
            "resource_direction": direction_name(advice.resource_direction),
            "required": advice.required,
            "status": advice.status,
            "status_label": AdviceStatus(advice.status).label,
            "deadline": iso(advice.deadline),
            "overdue": bool(advice.deadline and advice.deadline < context.on),
        }
        for advice in advices
    ]


def climate_of(project: Project) -> dict:
    """The Loi Climat check (projects.climate): conforming yes / no / unknown (something undecided), or not
    applicable; with what is missing and what is still undecided."""
    conformity = climate.check(project)
    if not conformity.applies:
        conforming = "not_applicable"
    else:
        conforming = {True: "yes", False: "no", None: "unknown"}[conformity.conforming]
    return {
        "applies": conformity.applies,
        "conforming": conforming,
        "label": CLIMATE_LABELS[conforming],
        "launch_date": iso(conformity.launch_date),
        "above_eu_threshold": conformity.above_eu_threshold,
        "missing": list(conformity.missing),
        "undecided": list(conformity.undecided),
        "derogation": project.climate_derogation,
    }


def projects_in_preparation(context: PackContext) -> list[dict]:
    projects = (
        Project.objects.for_organisation(context.organisation)
        .filter(stage__in=PREPARATION)
        .select_related("direction")
        .prefetch_related(
            Prefetch(
                "advices",
                queryset=Advice.objects.select_related("resource_direction").order_by("pk"),
            )
        )
        .order_by(F("planned_launch_date").asc(nulls_last=True), "reference")
    )
    return [
        {
            "reference": project.reference,
            "title": project.title,
            "direction": direction_name(project.direction),
            "stage": project.stage,
            "stage_label": Stage(project.stage).label,
            "estimated_amount": number(project.estimated_amount),
            "planned_launch_date": iso(project.planned_launch_date),
            "env_clause": project.env_clause,
            "env_criterion": project.env_criterion,
            "social_clause": project.social_clause,
            "social_criterion": project.social_criterion,
            "reserved_lot": project.reserved_lot,
            "insertion_hours": project.insertion_hours,
            "advices": [
                {
                    "resource_direction": direction_name(advice.resource_direction),
                    "required": advice.required,
                    "status": advice.status,
                    "status_label": AdviceStatus(advice.status).label,
                    "deadline": iso(advice.deadline),
                }
                for advice in project.advices.all()
            ],
            "climate": climate_of(project),
        }
        for project in projects
    ]
