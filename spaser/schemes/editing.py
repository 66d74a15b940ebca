"""Writes made through the register pages: keyword-only, typed, atomic.

(File imports live in services.py.) Permission checks are made by the views before calling these; the
functions themselves only ever touch the fields their name says.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from .models import Action, ActionStatus, Axis, Commitment, Indicator, Objective, Scheme, Target

RegisterObject = Scheme | Axis | Commitment | Objective | Action | Indicator


def _siblings(instance: models.Model) -> models.QuerySet | None:
    if isinstance(instance, Axis):
        return Axis.objects.filter(scheme_id=instance.scheme_id)
    if isinstance(instance, Commitment):
        return Commitment.objects.filter(axis_id=instance.axis_id)
    if isinstance(instance, Objective | Action | Indicator):
        return type(instance).objects.filter(commitment_id=instance.commitment_id)
    return None


def next_position(instance: models.Model) -> int:
    siblings = _siblings(instance)
    if siblings is None:
        return 0
    if instance.pk:
        siblings = siblings.exclude(pk=instance.pk)
    highest = siblings.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def register_object_save(*, instance: RegisterObject) -> RegisterObject:
    """Validate and save a register object built by a form (created or changed).

    An empty position places the object after its siblings.
    """
    if hasattr(instance, "position") and instance.position is None:
        instance.position = next_position(instance)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def register_object_delete(*, instance: RegisterObject) -> dict[str, int]:
    """Delete a register object and everything under it; returns the counts deleted per model."""
    _, per_model = instance.delete()
    return per_model


@transaction.atomic
def action_progress_update(*, action: Action, status: str, progress: int, comment: str = "") -> Action:
    """Update an action's follow-up (status and progress) and nothing else; the comment goes to history."""
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Statut inconnu."})
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": "L'avancement doit être compris entre 0 et 100 %."})
    action.status = status
    action.progress = progress
    action._change_reason = comment.strip()[:100] or None
    action.save(update_fields=["status", "progress"])
    return action


@dataclass(frozen=True)
class TargetChanges:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.deleted


@transaction.atomic
def indicator_targets_save(*, indicator: Indicator, values: dict[int, Decimal | None]) -> TargetChanges:
    """Set the indicator's target per year: a value creates or updates, None removes.

    Years outside the scheme period can only be removed. Years not in `values` are left untouched.
    """
    scheme = indicator.scheme
    outside = sorted(year for year, value in values.items() if value is not None and year not in scheme.years)
    if outside:
        raise ValidationError(
            f"Années hors de la période du schéma ({scheme.period_start}-{scheme.period_end}) : "
            + ", ".join(map(str, outside))
        )
    existing = {target.year: target for target in indicator.targets.select_for_update()}
    created = updated = deleted = 0
    for year, value in sorted(values.items()):
        target = existing.get(year)
        if value is None:
            if target is not None:
                target.delete()
                deleted += 1
        elif target is None:
            Target.objects.create(indicator=indicator, year=year, value=value)
            created += 1
        elif target.value != value:
            target.value = value
            target.save(update_fields=["value"])
            updated += 1
    return TargetChanges(created=created, updated=updated, deleted=deleted)
