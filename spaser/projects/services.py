"""Writes of purchase projects (create, update, link contracts). Stage moves, referral and override live in
workflow.py; need reviews in reviews.py; advice in advising.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from spaser.contracts.models import Contract
from spaser.organisations.models import DirectionKind, Role

from . import workflow
from .models import NeedReview, Project
from .permissions import can_create_project, can_edit_project

EDITABLE_FIELDS = (
    "title",
    "description",
    "cpv",
    "nature",
    "estimated_amount",
    "duration_months",
    "planned_launch_date",
    "planned_notification_date",
    "renewed_contract",
    "env_clause",
    "env_criterion",
    "env_criterion_weight",
    "social_clause",
    "social_criterion",
    "insertion_hours",
    "reserved_lot",
    "climate_derogation",
)


def next_reference(organisation, year: int) -> str:
    """P-<year>-<n>, n one more than the highest of the year in the organisation."""
    prefix = f"P-{year}-"
    numbers = [
        int(ref[len(prefix) :])
        for ref in Project.objects.filter(
            organisation=organisation, reference__startswith=prefix
        ).values_list("reference", flat=True)
        if ref[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _in_perimeter(organisation, contract_ids) -> set:
    """The ids among `contract_ids` of contracts in the organisation's perimeter."""
    return set(
        Contract.objects.for_organisation(organisation)
        .filter(pk__in=contract_ids)
        .values_list("pk", flat=True)
    )


def _validate(project: Project) -> None:
    errors = {}
    if project.direction.organisation_id != project.organisation_id:
        errors["direction"] = "Direction : elle doit appartenir à l'organisation."
    if (
        project.planned_launch_date
        and project.planned_notification_date
        and project.planned_notification_date < project.planned_launch_date
    ):
        errors["planned_notification_date"] = (
            "Notification prévue : elle ne peut pas précéder le lancement prévu de la consultation."
        )
    if project.env_criterion is False and project.env_criterion_weight:
        errors["env_criterion_weight"] = (
            "Pondération du critère environnemental : sans objet quand aucun critère environnemental "
            "n'est prévu."
        )
    if project.renewed_contract_id and not _in_perimeter(project.organisation, [project.renewed_contract_id]):
        errors["renewed_contract"] = (
            "Marché renouvelé : ce marché n'est pas dans le périmètre de l'organisation."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(*, organisation, membership, user, direction=None, **fields) -> Project:
    """A new project at need definition, with its (empty) need review and the advice the rules require."""
    if not can_create_project(membership):
        raise PermissionDenied(
            "Seuls le pilote et les référents des directions peuvent créer un projet d'achat."
        )
    if membership.role != Role.PILOT:
        direction = membership.direction
    if direction is None:
        raise ValidationError({"direction": "Direction : choisissez la direction qui porte le projet."})
    if direction.kind not in (DirectionKind.PRESCRIBING, DirectionKind.RESOURCE):
        raise ValidationError({"direction": "Direction : type de direction inconnu."})
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Champs non modifiables : {', '.join(sorted(unknown))}")
    project = Project(organisation=organisation, direction=direction, created_by=user, **fields)
    _validate(project)
    project.full_clean(exclude=["reference"])
    for _attempt in range(3):  # two people creating at the same instant: the second takes the next number
        project.reference = next_reference(organisation, timezone.localdate().year)
        try:
            with transaction.atomic():
                project.save()
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError("Impossible d'attribuer une référence au projet : réessayez.")
    NeedReview.objects.create(project=project)
    workflow.refer(project)
    return project


@transaction.atomic
def project_update(*, project: Project, membership, **fields) -> Project:
    """Update the editable fields; the referral rules are applied again (new advice asked, none withdrawn)."""
    if not can_edit_project(membership, project):
        raise PermissionDenied(workflow.NOT_ALLOWED)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Champs non modifiables : {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(project, name, value)
    _validate(project)
    project.full_clean()
    project.save(update_fields=[*fields, "updated_at"])  # never the stage: only workflow.move changes it
    if not project.is_launched:
        workflow.refer(project)
    return project


@transaction.atomic
def project_link_contracts(*, project: Project, membership, contracts) -> Project:
    """Attach the contracts the project produced (after notification); they must be the organisation's."""
    if not can_edit_project(membership, project):
        raise PermissionDenied(workflow.NOT_ALLOWED)
    inside = _in_perimeter(project.organisation, [c.pk for c in contracts])
    outside = ", ".join(c.uid for c in contracts if c.pk not in inside)
    if outside:
        raise ValidationError({"contracts": f"Marchés : {outside} hors du périmètre de l'organisation."})
    project.contracts.add(*contracts)
    return project
