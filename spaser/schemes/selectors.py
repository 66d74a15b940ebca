"""Reads for the register pages: the scheme tree in a fixed number of queries, and how things are put into
words for people."""

from __future__ import annotations

from django.db.models import Prefetch

from spaser.indicators.methods import CONTRACT_FLAGS, MEASURES, METHODS

from .models import Action, Indicator, Scheme


def register_tree(scheme: Scheme):
    """The scheme's axes with commitments, objectives, actions, indicators and targets, in a fixed number of
    queries whatever the size of the scheme."""
    return scheme.axes.prefetch_related(
        "commitments__objectives",
        Prefetch("commitments__actions", queryset=Action.objects.select_related("owner_direction")),
        Prefetch(
            "commitments__indicators",
            queryset=Indicator.objects.select_related("owner_direction").prefetch_related("targets"),
        ),
    )


def describe_definition(method: str, params: dict) -> tuple[str, list[tuple[str, str]]]:
    """The method and its parameters in French words, for people (not JSON)."""
    known = METHODS.get(method)
    label = known.label if known else f"Méthode inconnue « {method} »"
    described: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        if key == "measure":
            described.append(("Mesure", MEASURES.get(value, str(value))))
        elif key == "condition":
            described.append(
                (
                    "Condition",
                    f"marchés avec {CONTRACT_FLAGS[value]}" if value in CONTRACT_FLAGS else str(value),
                )
            )
        elif key == "include_frameworks":
            described.append(("Accords-cadres", "inclus (montants maximaux)" if value else "exclus"))
        else:
            described.append((key, str(value)))
    return label, described


def upper_first(text: str) -> str:
    """'l'axe « II »' → 'L'axe « II »' (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]
