"""Referral rules: which resource directions must advise a project. Pure matching on the project's CPV,
nature, estimated amount and object; the rules are data edited by the pilot (models.ReferralRule)."""

from __future__ import annotations

import re
import unicodedata


def split_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _fold(text: str) -> str:
    """Lower case without accents, so that « Véhicule » matches the keyword « vehicule »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def matches(rule, project) -> bool:
    """Every criterion the rule gives must match; within one criterion, any listed value does."""
    prefixes = split_list(rule.cpv_prefixes)
    if prefixes and not any(project.cpv.startswith(p) for p in prefixes):
        return False
    if rule.natures and project.nature not in rule.natures:
        return False
    amount = project.estimated_amount
    if rule.min_amount is not None and (amount is None or amount < rule.min_amount):
        return False
    if rule.max_amount is not None and (amount is None or amount > rule.max_amount):
        return False
    keywords = split_list(rule.keywords)
    if keywords:
        text = _fold(f"{project.title} {project.description}")
        if not any(re.search(rf"\b{re.escape(_fold(k))}", text) for k in keywords):
            return False
    return True


def matching_rules(rules, project) -> dict:
    """{resource direction: [matching active rules]} for the project."""
    found: dict = {}
    for rule in rules:
        if rule.is_active and matches(rule, project):
            found.setdefault(rule.resource_direction, []).append(rule)
    return found
