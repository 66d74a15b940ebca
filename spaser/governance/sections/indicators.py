"""Indicators of the pack: the headline set year to date against target and last year (`indicators`), every
scheme indicator « en retard » (`off_track`), and the statuses changed since the previous held meeting of the
committee (`status_changes`, compared with that meeting's frozen pack)."""

from __future__ import annotations

from django.utils import timezone

from spaser.indicators.selectors import Figure, headline, live_figures
from spaser.indicators.status import OFF_TRACK
from spaser.schemes.models import Unit

from . import PackContext, iso, number, unavailable

NO_SCHEME = "Aucun schéma enregistré pour l'organisation : pas d'indicateurs à présenter."


def load_figures(context: PackContext) -> None:
    """The figures of every scheme indicator for the pack's period, computed now, kept on the context."""
    if context.scheme is not None and context.figures is None:
        context.figures = live_figures(
            scheme=context.scheme, period=context.period, today=timezone.localdate()
        )


def _no_values(context: PackContext):
    """Why the figures cannot be read, or None when they can."""
    if context.scheme is None:
        return NO_SCHEME
    if not any(figure.value is not None for figure in context.figures):
        return (
            f"Aucune donnée pour la période « {context.period.label} » : aucun marché ni aucune saisie "
            "ne permet de calculer les indicateurs de cette période."
        )
    return None


def _unit_label(unit: str) -> str:
    return Unit(unit).label if unit in Unit.values else unit


def indicator_row(figure: Figure) -> dict:
    value = figure.value
    axis = figure.indicator.commitment.axis
    return {
        "code": figure.code,
        "name": figure.indicator.name,
        "axis": f"{axis.code} — {axis.title}",
        "unit": figure.unit,
        "unit_label": _unit_label(figure.unit),
        "value": number(figure.number),
        "target": number(figure.target.value) if figure.target else None,
        "target_kind": figure.target.kind if figure.target else None,
        "target_label": figure.target.label if figure.target else None,
        "status": figure.status.key,
        "status_label": figure.status.label,
        "previous_value": number(figure.previous_number),
        "difference": number(figure.difference),
        "numerator": number(value.numerator) if value else None,
        "denominator": number(value.denominator) if value else None,
        # So the pack shows « 33 548 076 € sur 114 596 812 € », not raw decimals (older packs: plain numbers).
        "numerator_in_euros": figure.is_amount or figure.unit == Unit.EURO,
        "denominator_in_euros": figure.is_amount,
        "unknown": value.unknown if value else None,
        "perimeter": value.perimeter if value else None,
        "data_date": iso(value.data_date) if value else None,
        "method_version": value.method_version if value else None,
    }


def indicators(context: PackContext):
    """The headline set (domain.md §6) for the period, with everything a reader judges a figure by."""
    reason = _no_values(context)
    if reason:
        return unavailable(reason)
    return [indicator_row(figure) for figure in headline(context.figures)]


def off_track(context: PackContext):
    """Every indicator of the scheme whose status for the period is « En retard »."""
    reason = _no_values(context)
    if reason:
        return unavailable(reason)
    return [
        {
            "code": figure.code,
            "name": figure.indicator.name,
            "unit": figure.unit,
            "unit_label": _unit_label(figure.unit),
            "value": number(figure.number),
            "target": number(figure.target.value) if figure.target else None,
            "status": figure.status.key,
            "status_label": figure.status.label,
            "owner_direction": figure.indicator.owner_direction.name
            if figure.indicator.owner_direction
            else None,
        }
        for figure in context.figures
        if figure.status == OFF_TRACK
    ]


def _previous_statuses(pack: dict) -> tuple[dict[str, tuple[str, str]], bool]:
    """code → (status, label) in a frozen pack, and whether its off-track list was known."""
    statuses: dict[str, tuple[str, str]] = {}
    off_track_known = False
    for key in ("indicators", "off_track"):
        rows = pack.get(key)
        if not isinstance(rows, list):
            continue
        off_track_known = off_track_known or key == "off_track"
        for row in rows:
            statuses.setdefault(row["code"], (row.get("status"), row.get("status_label")))
    return statuses, off_track_known


def status_changes(context: PackContext):
    """Indicators whose status differs from the previous held meeting's frozen pack: the headline ones and
    those off track at either meeting. An indicator off track now that the previous pack did not list at all
    was not off track then (its off-track list was complete): shown with « Pas en retard »."""
    previous = context.previous
    if previous is None:
        return unavailable(
            "Aucune séance précédente tenue par ce comité : pas de comparaison possible des statuts."
        )
    if not isinstance(previous.pack, dict):
        return unavailable(
            f"La séance précédente (du {previous.date:%d/%m/%Y}) n'a pas de dossier figé : "
            "pas de comparaison."
        )
    reason = _no_values(context)
    if reason:
        return unavailable(reason)
    before, off_track_known = _previous_statuses(previous.pack)
    if not before:
        return unavailable(
            f"Le dossier de la séance précédente (du {previous.date:%d/%m/%Y}) ne comportait aucun statut "
            "d'indicateur : pas de comparaison possible."
        )
    now = {figure.code: figure for figure in context.figures}
    watched = [f.code for f in headline(context.figures)] + [
        f.code for f in context.figures if f.status == OFF_TRACK
    ]
    codes = list(dict.fromkeys([*before, *watched]))
    changes = []
    for code in codes:
        figure = now.get(code)
        if figure is None:
            continue  # no longer in the scheme
        if code in before:
            previous_status, previous_label = before[code]
        elif figure.status == OFF_TRACK and off_track_known:
            previous_status, previous_label = None, "Pas en retard"
        else:
            continue
        if previous_status == figure.status.key:
            continue
        changes.append(
            {
                "code": code,
                "name": figure.indicator.name,
                "previous_status": previous_status,
                "previous_status_label": previous_label,
                "status": figure.status.key,
                "status_label": figure.status.label,
            }
        )
    return changes
