"""Writes of the advice of the resource directions, the referral rules and the clause library.

- `advice_update`: the referent of the resource direction asked (or the pilot) records the
  recommendations, the status and the advice text; « rendu » needs the text or at least one recommendation,
  « sans objet » needs the text (why); who gave it and when is kept.
- `advice_request` / `advice_set_deadline`: the pilot refers a project by hand to a resource direction, and
  moves a deadline.
- rules and clauses: created, edited and (de)activated by the pilot only; never deleted from the pages, so
  that advice keeps its rule and the defaults are never recreated (defaults.py).

A referral rule with no criterion at all would refer every project: the pilot must say so explicitly
(`all_projects=True`, « toutes les acquisitions »), so that an empty rule is never a mistake; a rule that says
« toutes les acquisitions » cannot also carry criteria.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spaser.organisations.models import DirectionKind

from .models import (
    Advice,
    AdviceStatus,
    ClauseKind,
    ClauseRecommendation,
    Nature,
    Project,
    ReferralRule,
    ReservedKind,
)
from .permissions import can_write_advice, is_pilot
from .referral import split_list
from .stages import FINAL

NOT_ADVISER = "Seuls le pilote et les référents de la direction ressource saisie peuvent rédiger cet avis."
NOT_PILOT_RULES = (
    "Seul le pilote du schéma peut modifier les règles de saisine et la bibliothèque de clauses."
)
NOT_PILOT_REFER = "Seul le pilote du schéma peut saisir une direction ressource ou changer un délai."

BOOLEAN_RECOMMENDATIONS = (
    "insertion_clause",
    "reserved_lot",
    "social_criterion",
    "env_clause",
    "env_criterion",
    "sourcing",
    "sme_lots",
)
RECOMMENDATION_FIELDS = (
    *BOOLEAN_RECOMMENDATIONS,
    "insertion_hours",
    "reserved_kind",
    "env_criterion_weight",
    "sourcing_notes",
)
RULE_FIELDS = (
    "resource_direction",
    "name",
    "cpv_prefixes",
    "natures",
    "min_amount",
    "max_amount",
    "keywords",
    "deadline_days",
)
CLAUSE_FIELDS = ("cpv_prefix", "family", "kind", "title", "text", "suggested_weight", "source")
CRITERION_KINDS = (ClauseKind.ENV_CRITERION, ClauseKind.SOCIAL_CRITERION)
CPV_PREFIX = re.compile(r"^\d{2,8}$")
DEFAULT_DEADLINE_DAYS = 15


# --- Advice ----------------------------------------------------------------------------------------------


def _validate_recommendations(values: dict, status: str, comment: str) -> dict:
    errors: dict[str, str] = {}
    if status not in AdviceStatus.values:
        errors["status"] = "État : valeur inconnue."
    if values.get("insertion_hours") is not None and values.get("insertion_clause") is not True:
        errors["insertion_hours"] = (
            "Heures d'insertion recommandées : à indiquer seulement si une clause d'insertion est "
            "recommandée."
        )
    if values.get("reserved_kind") and values.get("reserved_lot") is not True:
        errors["reserved_kind"] = (
            "Type de réservation : à indiquer seulement si un lot réservé est recommandé."
        )
    if values.get("reserved_kind") and values["reserved_kind"] not in ReservedKind.values:
        errors["reserved_kind"] = "Type de réservation : valeur inconnue."
    weight = values.get("env_criterion_weight")
    if weight is not None:
        if values.get("env_criterion") is not True:
            errors["env_criterion_weight"] = (
                "Pondération du critère environnemental : à indiquer seulement si un critère "
                "environnemental est recommandé."
            )
        elif not 1 <= weight <= 100:
            errors["env_criterion_weight"] = (
                "Pondération du critère environnemental : un pourcentage entre 1 et 100."
            )
    if values.get("insertion_hours") is not None and values["insertion_hours"] < 1:
        errors["insertion_hours"] = "Heures d'insertion recommandées : un nombre d'heures positif."
    return errors


@transaction.atomic
def advice_update(
    *,
    advice: Advice,
    membership,
    user,
    status: str,
    comment: str = "",
    clauses=(),
    **recommendations,
) -> Advice:
    """Record the advice. `recommendations` are the fields of RECOMMENDATION_FIELDS (None: no opinion);
    the fields not given are reset (the form always sends them all)."""
    if not can_write_advice(membership, advice):
        raise PermissionDenied(NOT_ADVISER)
    unknown = set(recommendations) - set(RECOMMENDATION_FIELDS)
    if unknown:
        raise TypeError(f"Recommandations inconnues : {', '.join(sorted(unknown))}")
    values = {name: recommendations.get(name) for name in RECOMMENDATION_FIELDS}
    values["reserved_kind"] = values["reserved_kind"] or ""
    values["sourcing_notes"] = (values["sourcing_notes"] or "").strip()
    comment = (comment or "").strip()
    clauses = list(clauses)
    errors = _validate_recommendations(values, status, comment)
    organisation_id = advice.project.organisation_id
    foreign = [c for c in clauses if c.organisation_id != organisation_id]
    if foreign:
        errors["clauses"] = "Clauses retenues : elles doivent venir de la bibliothèque de l'organisation."
    has_recommendation = any(values[name] is not None for name in BOOLEAN_RECOMMENDATIONS) or clauses
    if status == AdviceStatus.GIVEN and not (comment or has_recommendation):
        errors["comment"] = "Avis : pour rendre l'avis, rédigez-le ou donnez au moins une recommandation."
    if status == AdviceStatus.NOT_NEEDED and not comment:
        errors["comment"] = "Avis : indiquez pourquoi l'avis est sans objet."
    if errors:
        raise ValidationError(errors)

    was_closed = advice.is_closed
    for name, value in values.items():
        setattr(advice, name, value)
    advice.status = status
    advice.comment = comment
    if advice.is_closed and not was_closed:
        advice.given_by, advice.given_at = user, timezone.now()
    elif not advice.is_closed:
        advice.given_by, advice.given_at = None, None
    advice._history_user = user
    advice.full_clean(exclude=["project", "resource_direction", "rule"])
    advice.save()
    advice.clauses.set(clauses)
    return advice


def _validate_deadline(deadline: date | None) -> None:
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": "À rendre avant le : la date ne peut pas être passée."})


@transaction.atomic
def advice_request(
    *,
    project: Project,
    direction,
    membership,
    user,
    deadline: date | None = None,
    required: bool = True,
) -> Advice:
    """The pilot asks a resource direction's advice on a project (besides the referral rules)."""
    if not is_pilot(membership) or membership.organisation_id != project.organisation_id:
        raise PermissionDenied(NOT_PILOT_REFER)
    if direction is None:
        raise ValidationError({"direction": "Direction ressource : choisissez-la."})
    if direction.organisation_id != project.organisation_id or direction.kind != DirectionKind.RESOURCE:
        raise ValidationError(
            {"direction": "Direction ressource : ce doit être une direction ressource de l'organisation."}
        )
    if project.stage in FINAL:
        raise ValidationError("Le projet est terminé ou abandonné : il ne peut plus être soumis pour avis.")
    if project.advices.filter(resource_direction=direction).exists():
        raise ValidationError(
            {"direction": f"Direction ressource : l'avis de « {direction} » est déjà demandé sur ce projet."}
        )
    _validate_deadline(deadline)
    advice = Advice(
        project=project,
        resource_direction=direction,
        required=required,
        status=AdviceStatus.REQUESTED,
        deadline=deadline or timezone.localdate() + timedelta(days=DEFAULT_DEADLINE_DAYS),
        stage_at_request=project.stage,
    )
    advice._history_user = user
    advice.save()
    return advice


@transaction.atomic
def advice_set_deadline(*, advice: Advice, membership, user, deadline: date) -> Advice:
    if not is_pilot(membership) or membership.organisation_id != advice.project.organisation_id:
        raise PermissionDenied(NOT_PILOT_REFER)
    if deadline is None:
        raise ValidationError({"deadline": "À rendre avant le : indiquez une date."})
    _validate_deadline(deadline)
    advice.deadline = deadline
    advice._history_user = user
    advice.save(update_fields=["deadline", "updated_at"])
    return advice


# --- Referral rules --------------------------------------------------------------------------------------


def _require_pilot(membership, organisation) -> None:
    if not is_pilot(membership) or membership.organisation_id != organisation.pk:
        raise PermissionDenied(NOT_PILOT_RULES)


def normalise_prefixes(value: str) -> str:
    """« 45,  301 ;77 » → « 45, 301, 77 » (commas, semicolons or spaces separate)."""
    return ", ".join(part for part in re.split(r"[,;\s]+", value or "") if part)


def _validate_rule(rule: ReferralRule, *, all_projects: bool) -> None:
    errors: dict[str, str] = {}
    direction = rule.resource_direction if rule.resource_direction_id else None
    if direction is None:
        errors["resource_direction"] = "Direction ressource : choisissez-la."
    elif direction.organisation_id != rule.organisation_id or direction.kind != DirectionKind.RESOURCE:
        errors["resource_direction"] = (
            "Direction ressource : ce doit être une direction ressource de l'organisation."
        )
    bad = [p for p in split_list(rule.cpv_prefixes) if not CPV_PREFIX.match(p)]
    if bad:
        errors["cpv_prefixes"] = (
            f"Préfixes CPV : « {', '.join(bad)} » invalide(s) ; chaque préfixe compte de 2 à 8 chiffres."
        )
    unknown = [n for n in rule.natures if n not in Nature.values]
    if unknown:
        errors["natures"] = "Natures : valeur inconnue."
    if rule.min_amount is not None and rule.min_amount < 0:
        errors["min_amount"] = "Montant estimé minimal : il ne peut pas être négatif."
    if rule.max_amount is not None and rule.max_amount < 0:
        errors["max_amount"] = "Montant estimé maximal : il ne peut pas être négatif."
    if rule.min_amount is not None and rule.max_amount is not None and rule.min_amount > rule.max_amount:
        errors["max_amount"] = "Montant estimé maximal : il doit être supérieur ou égal au montant minimal."
    has_criterion = bool(
        split_list(rule.cpv_prefixes)
        or rule.natures
        or rule.min_amount is not None
        or rule.max_amount is not None
        or split_list(rule.keywords)
    )
    if all_projects and has_criterion:
        errors["all_projects"] = (
            "Toutes les acquisitions : décochez cette case ou retirez les critères (CPV, natures, montants, "
            "mots-clés)."
        )
    elif not all_projects and not has_criterion:
        errors["all_projects"] = (
            "Critères : indiquez au moins un critère (CPV, nature, montant ou mot-clé), ou cochez "
            "« toutes les acquisitions » pour saisir cette direction sur chaque projet."
        )
    if errors:
        raise ValidationError(errors)


def _save_rule(rule: ReferralRule, fields: dict, *, all_projects: bool, user) -> ReferralRule:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.name = (rule.name or "").strip()
    rule.cpv_prefixes = normalise_prefixes(rule.cpv_prefixes)
    rule.keywords = ", ".join(split_list(rule.keywords))
    rule.natures = [str(n) for n in (rule.natures or [])]
    _validate_rule(rule, all_projects=all_projects)
    rule.full_clean()
    rule._history_user = user
    rule.save()
    return rule


@transaction.atomic
def rule_create(*, organisation, membership, user, all_projects: bool = False, **fields) -> ReferralRule:
    _require_pilot(membership, organisation)
    return _save_rule(ReferralRule(organisation=organisation), fields, all_projects=all_projects, user=user)


@transaction.atomic
def rule_update(
    *, rule: ReferralRule, membership, user, all_projects: bool = False, **fields
) -> ReferralRule:
    """Edit a rule. Advice already asked is kept: a rule changes only the projects referred from now on."""
    _require_pilot(membership, rule.organisation)
    return _save_rule(rule, fields, all_projects=all_projects, user=user)


@transaction.atomic
def rule_set_active(*, rule: ReferralRule, membership, user, active: bool) -> ReferralRule:
    _require_pilot(membership, rule.organisation)
    rule.is_active = active
    rule._history_user = user
    rule.save(update_fields=["is_active"])
    return rule


def is_all_projects(rule: ReferralRule) -> bool:
    """A saved rule without any criterion: it refers every project."""
    return not (
        split_list(rule.cpv_prefixes)
        or rule.natures
        or rule.min_amount is not None
        or rule.max_amount is not None
        or split_list(rule.keywords)
    )


# --- Clause library --------------------------------------------------------------------------------------


def _validate_clause(clause: ClauseRecommendation) -> None:
    errors: dict[str, str] = {}
    if clause.cpv_prefix and not CPV_PREFIX.match(clause.cpv_prefix):
        errors["cpv_prefix"] = (
            "Famille CPV (préfixe) : de 2 à 8 chiffres, ou vide pour une recommandation valable pour tous "
            "les achats."
        )
    if clause.kind not in ClauseKind.values:
        errors["kind"] = "Type : valeur inconnue."
    if clause.suggested_weight is not None and clause.kind not in CRITERION_KINDS:
        errors["suggested_weight"] = (
            "Pondération suggérée : seulement pour un critère (social ou environnemental)."
        )
    if not clause.title.strip():
        errors["title"] = "Intitulé : il est obligatoire."
    if not clause.text.strip():
        errors["text"] = "Rédaction proposée : elle est obligatoire."
    if errors:
        raise ValidationError(errors)


def _save_clause(clause: ClauseRecommendation, fields: dict, *, user) -> ClauseRecommendation:
    unknown = set(fields) - set(CLAUSE_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(clause, name, value.strip() if isinstance(value, str) else value)
    _validate_clause(clause)
    clause.full_clean()
    clause._history_user = user
    clause.save()
    return clause


@transaction.atomic
def clause_create(*, organisation, membership, user, **fields) -> ClauseRecommendation:
    _require_pilot(membership, organisation)
    return _save_clause(ClauseRecommendation(organisation=organisation), fields, user=user)


@transaction.atomic
def clause_update(*, clause: ClauseRecommendation, membership, user, **fields) -> ClauseRecommendation:
    _require_pilot(membership, clause.organisation)
    return _save_clause(clause, fields, user=user)


@transaction.atomic
def clause_set_active(
    *, clause: ClauseRecommendation, membership, user, active: bool
) -> ClauseRecommendation:
    _require_pilot(membership, clause.organisation)
    clause.is_active = active
    clause._history_user = user
    clause.save(update_fields=["is_active"])
    return clause
