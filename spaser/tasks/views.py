"""« Mes tâches » (/mes-taches/): what the signed-in member has to do. Any member; outside the
organisation → 404."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from spaser.organisations.models import Role
from spaser.organisations.permissions import require_member

from . import selectors

SHOWN = 25  # tasks shown per kind unless the reader asks for all of them (?tout=<kind>)
NOT_MEMBER = "Vous n'êtes membre d'aucune organisation : vous n'avez pas de tâche dans Spaser."


def mine(request):
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    today = timezone.localdate()
    groups = selectors.tasks_for_membership(membership, organisation, today=today)
    expanded = request.GET.get("tout", "")
    for group in groups:
        group.shown = group.tasks if group.kind == expanded else group.tasks[:SHOWN]
    return render(
        request,
        "tasks/mine.html",
        {
            "groups": groups,
            "total": sum(each.count for each in groups),
            "overdue_total": sum(each.overdue_count for each in groups),
            "is_committee": membership.role == Role.COMMITTEE_MEMBER,
            "today": today,
            "breadcrumbs": [("Accueil", "/"), ("Mes tâches", "")],
        },
    )
