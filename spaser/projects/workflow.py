"""The project state machine: moves between the stages of stages.py, their guards, the referral of a project
to the resource directions and the pilot's override. Every move is recorded as a Transition.

Guards (domain.md §7-8, issue 5):
- leaving need definition forward requires a decided need review; a review concluding « renoncer à l'achat »
  lets the project only be abandoned;
- launching the consultation (documents → award) requires every required advice given (or « sans objet »),
  unless the pilot recorded an override with its reason; it also records the launch date, and a launch from
  22 August 2026 whose Loi Climat check finds a missing clause or criterion requires a derogation reason;
- execution requires at least one contract linked to the project;
- abandoning requires a comment (why), and so does stepping back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import climate
from .models import Advice, AdviceStatus, Outcome, Project, ReferralRule, Transition
from .permissions import can_edit_project, is_pilot
from .referral import matching_rules
from .stages import ORDER, Stage, allowed_targets

NOT_ALLOWED = "Seuls le pilote du schéma et les référents de la direction du projet peuvent le faire avancer."


@dataclass(frozen=True)
class Blocker:
    message: str
    overridable: bool = False  # the pilot may lift it with a recorded reason


def _forward(from_stage: str, to_stage: str) -> bool:
    return from_stage in ORDER and to_stage in ORDER and ORDER.index(to_stage) > ORDER.index(from_stage)


def missing_advices(project: Project) -> list[Advice]:
    return [a for a in project.advices.all() if a.required and not a.is_closed]


def blockers(project: Project, to_stage: str, *, comment: str = "") -> list[Blocker]:
    """Why the project cannot move to `to_stage` now (empty: it can)."""
    stage = project.stage
    if to_stage not in allowed_targets(stage):
        return [
            Blocker(
                f"Passage impossible de « {Stage(stage).label} » à « {Stage(to_stage).label} » : "
                "un projet avance d'une étape à la fois ou revient à l'étape précédente."
            )
        ]
    found: list[Blocker] = []
    forward = _forward(stage, to_stage)
    if not forward and not comment.strip():
        what = "de l'abandon" if to_stage == Stage.ABANDONED else "du retour à l'étape précédente"
        found.append(Blocker(f"Commentaire : indiquez le motif {what}."))
    review = getattr(project, "need_review", None)
    if forward and stage == Stage.NEED:
        if review is None or not review.is_decided:
            found.append(
                Blocker(
                    "La revue du juste besoin doit être menée et décidée avant de quitter la définition "
                    "du besoin."
                )
            )
        elif review.outcome == Outcome.STOP:
            found.append(
                Blocker(
                    "La revue du juste besoin a conclu à renoncer à l'achat : le projet ne peut "
                    "qu'être abandonné."
                )
            )
    if forward and to_stage == Stage.AWARD:
        pending = missing_advices(project)
        if pending and not project.has_advice_override:
            names = ", ".join(str(a.resource_direction) for a in pending)
            found.append(
                Blocker(
                    f"Avis obligatoires non rendus ({names}) : la consultation ne peut pas être lancée "
                    "sans eux, sauf dérogation motivée du pilote.",
                    overridable=True,
                )
            )
        conformity = climate.check(project, launch=project.launched_on or timezone.localdate())
        if conformity.applies and not conformity.conforming and not project.climate_derogation.strip():
            gaps = ", ".join(conformity.missing + conformity.undecided)
            found.append(
                Blocker(
                    f"Loi Climat (consultation lancée à partir du 22 août 2026) : {gaps} à prévoir, "
                    "ou motif de dérogation à indiquer dans le projet."
                )
            )
    if forward and to_stage == Stage.EXECUTION and not project.contracts.exists():
        found.append(Blocker("Rattachez au projet le ou les marchés notifiés avant de passer à l'exécution."))
    return found


@transaction.atomic
def move(*, project: Project, to_stage: str, membership, user, comment: str = "") -> Transition:
    """Move the project to `to_stage` if allowed; ValidationError listing every blocker otherwise."""
    if not can_edit_project(membership, project):
        raise PermissionDenied(NOT_ALLOWED)
    locked = Project.objects.select_for_update().get(
        pk=project.pk
    )  # two moves at once: the second sees the first
    found = blockers(locked, to_stage, comment=comment)
    if found:
        raise ValidationError([b.message for b in found])
    from_stage = locked.stage
    locked.stage = to_stage
    if to_stage == Stage.AWARD and locked.launched_on is None:
        locked.launched_on = timezone.localdate()
    locked.save(update_fields=["stage", "launched_on", "updated_at"])
    project.stage, project.launched_on = locked.stage, locked.launched_on
    return Transition.objects.create(
        project=locked, from_stage=from_stage, to_stage=to_stage, user=user, comment=comment.strip()
    )


@transaction.atomic
def override_advices(*, project: Project, membership, user, reason: str) -> Project:
    """The pilot lets the consultation launch without the missing advice; the reason is kept and audited."""
    if not is_pilot(membership) or membership.organisation_id != project.organisation_id:
        raise PermissionDenied("Seul le pilote du schéma peut déroger aux avis obligatoires.")
    if not reason.strip():
        raise ValidationError({"advice_override_reason": "Motif : il est obligatoire pour déroger aux avis."})
    project.advice_override_reason = reason.strip()
    project.advice_override_by = user
    project.advice_override_at = timezone.now()
    project.save(
        update_fields=["advice_override_reason", "advice_override_by", "advice_override_at", "updated_at"]
    )
    return project


@transaction.atomic
def refer(project: Project, *, today: date | None = None) -> list[Advice]:
    """Ask the advice the referral rules require and not yet asked; returns the advices created.
    Advice already asked is kept as is (a rule edited later does not withdraw it)."""
    today = today or timezone.localdate()
    rules = ReferralRule.objects.filter(organisation=project.organisation).select_related(
        "resource_direction"
    )
    existing = set(project.advices.values_list("resource_direction_id", flat=True))
    created = []
    for direction, matched in matching_rules(rules, project).items():
        if direction.pk in existing:
            continue
        days = min(rule.deadline_days for rule in matched)
        created.append(
            Advice.objects.create(
                project=project,
                resource_direction=direction,
                rule=matched[0],
                required=True,
                status=AdviceStatus.REQUESTED,
                deadline=today + timedelta(days=days),
                stage_at_request=project.stage,
            )
        )
    return created
