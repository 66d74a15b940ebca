"""Reads for the register pages: the scheme tree in a fixed number of queries, and how things are put into
words for people."""

from __future__ import annotations

from django.db.models import Prefetch

from spaser.indicators.methods import METHODS
from spaser.indicators.methods import describe_definition as describe_method

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
    """The method and its parameters in French words, for people (not JSON): (method label, lines)."""
    lines = describe_method(method, params or {})
    label = lines[0][1] if method in METHODS else f"Méthode inconnue « {method} »"
    return label, lines[1:]


def upper_first(text: str) -> str:
    """'l'axe « II »' → 'L'axe « II »' (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]
