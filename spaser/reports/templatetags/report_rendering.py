"""Helpers of the annual report's templates (reports/report/_body.html): ISO dates in French, the summary as
a sentence, the axis charts. Everything reads the report content dict alone (schema spaser-report/1)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from spaser.core.documents import date_fr
from spaser.indicators.status import STATUSES

from ..charts import axis_chart, percent_rows

register = template.Library()

# (status key, singular, plural) in the order the summary says them: successes and misses alike.
SUMMARY_WORDS = [
    ("reached", "atteint", "atteints"),
    ("on_track", "en bonne voie", "en bonne voie"),
    ("at_risk", "à surveiller", "à surveiller"),
    ("off_track", "en retard", "en retard"),
    ("no_target", "sans cible", "sans cible"),
    ("no_data", "sans données", "sans données"),
]
STATUS_LABELS = {status.key: status.label for status in STATUSES}


@register.filter
def iso_fr(value) -> str:
    """« 2025-12-31 » → « 31/12/2025 »; anything else → ""."""
    return date_fr(value)


@register.filter
def status_label(key, labels=None) -> str:
    """The French label of a status key, from the content's own labels first."""
    return (labels or {}).get(key) or STATUS_LABELS.get(key, key or "")


@register.filter
def in_summary_order(labels: dict) -> list[tuple[str, str]]:
    """The content's status labels in the summary's order (the frozen JSON keeps its keys sorted
    alphabetically, which would put « à surveiller » before « atteint »)."""
    labels = labels or {}
    ordered = [key for key, _singular, _plural in SUMMARY_WORDS if key in labels]
    return [(key, labels[key]) for key in [*ordered, *sorted(set(labels) - set(ordered))]]


@register.simple_tag
def summary_sentence(summary: dict) -> str:
    """« Sur 11 indicateurs : 4 atteints, 1 en bonne voie, 2 à surveiller, 2 en retard, 1 sans cible et 1 sans
    données. » Every status with at least one indicator is said, the misses as plainly as the successes."""
    total = (summary or {}).get("total") or 0
    counts = (summary or {}).get("counts") or {}
    if not total:
        return "Aucun indicateur n'est suivi dans ce schéma pour l'année."
    parts = [
        f"{counts[key]} {singular if counts[key] == 1 else plural}"
        for key, singular, plural in SUMMARY_WORDS
        if counts.get(key)
    ]
    listed = ", ".join(parts[:-1]) + f" et {parts[-1]}" if len(parts) > 1 else "".join(parts)
    noun = "indicateur" if total == 1 else "indicateurs"
    return f"Sur {total} {noun} : {listed}." if listed else f"Sur {total} {noun}."


@register.simple_tag
def report_axis_chart(axis: dict, number: int, year) -> SafeString:
    """The chart of the `number`-th axis, id « rapport-graphique-axe-N » (its data table's: « …-donnees »)."""
    return axis_chart(axis, chart_id=f"rapport-graphique-axe-{number}", year=year)


@register.filter
def percent_indicators(axis: dict) -> list[dict]:
    return percent_rows(axis)


@register.filter
def get(mapping, key):
    """`mapping[key]` in a template ({{ content.governance.held|get:"cotech" }}); None when missing."""
    return (mapping or {}).get(key)


@register.filter
def codes_by_status(content: dict) -> dict[str, list[str]]:
    """Status key → the codes of the indicators with that status, in register order."""
    codes: dict[str, list[str]] = {}
    for axis in (content or {}).get("axes") or []:
        for commitment in axis.get("commitments") or []:
            for row in commitment.get("indicators") or []:
                codes.setdefault(row.get("status") or "", []).append(row.get("code") or "")
    return codes
