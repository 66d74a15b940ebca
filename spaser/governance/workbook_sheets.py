"""What each sheet of the meeting pack's workbook shows (workbook.py writes them): the pack's sections in
order, their columns with a header, a kind of cell and a width, and the headers of keys a section may add."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    # text, unit, int, number, value and diff (unit-aware), percent100 (0-100), date, datetime, bool, auto
    kind: str = "text"
    width: int = 14


# Headers of keys a section may carry beyond its declared columns (G1 may add some): nothing is dropped.
EXTRA_HEADERS = {
    "id": "N°",
    "uid": "Identifiant",
    "code": "Code",
    "name": "Nom",
    "title": "Intitulé",
    "object": "Objet",
    "reference": "Référence",
    "direction": "Direction",
    "supplier": "Titulaire",
    "planned": "Heures prévues",
    "realised": "Heures réalisées",
    "planned_hours": "Heures prévues",
    "realised_hours": "Heures réalisées",
    "gap": "Écart",
    "amount": "Montant (€)",
    "days": "Jours",
    "status": "Statut",
    "status_label": "Statut",
    "text": "Texte",
    "indicator": "Indicateur",
    "commitment": "Engagement",
    "reason": "Motif",
    "label": "Libellé",
    "overdue": "En retard",
    "days_late": "Jours de retard",
    "unit_label": "Unité",
    "owner_direction": "Direction pilote",
    "indicator_name": "Nom de l'indicateur",
    "commitment_title": "Intitulé de l'engagement",
    "recorded_on": "Enregistrée le",
    "closed_on": "Clôturée le",
    "decided_by": "Décidée par",
    "updates": "Suivis",
    "open": "Ouverte",
    "estimated_amount": "Montant estimé (€ HT)",
    "insertion_hours": "Heures d'insertion",
    "above_eu_threshold": "Au-dessus des seuils européens",
    "advices": "Avis",
    "required": "Requis",
    "period_label": "Période",
    "last_period_end": "Fin de la dernière période",
    "publication_date": "Publié le",
    "publication_delay": "Délai de publication (jours)",
    "renewed_without_review": "Renouvelé sans revue",
    "target_label": "Cible (libellé)",
    "value": "Valeur",
    "target": "Cible",
    "unit": "Unité",
}
NUMERIC_KEYS = {
    *("planned", "realised", "planned_hours", "realised_hours", "gap", "amount", "days", "days_late"),
    *("estimated_amount", "insertion_hours", "publication_delay", "value", "target"),
}

SECTIONS: list[tuple[str, str, list[Col]]] = [
    (
        "indicators",
        "Indicateurs",
        [
            Col("code", "Code", width=8),
            Col("name", "Indicateur", width=48),
            Col("axis", "Axe", width=30),
            Col("unit", "Unité", "unit", 9),
            Col("value", "Valeur (cumul de l'année)", "value"),
            Col("target", "Cible", "value"),
            Col("target_kind", "Nature de la cible", width=20),
            Col("status_label", "Statut", width=16),
            Col("previous_value", "Valeur de l'an dernier", "value"),
            Col("difference", "Écart avec l'an dernier", "diff"),
            Col("numerator", "Numérateur", "number"),
            Col("denominator", "Dénominateur", "number"),
            Col("unknown", "Inconnus", "number", 10),
            Col("perimeter", "Périmètre des données", width=40),
            Col("data_date", "Date des données", "date", 12),
            Col("method_version", "Version de la méthode", width=12),
        ],
    ),
    (
        "status_changes",
        "Changements de statut",
        [
            Col("code", "Code", width=8),
            Col("name", "Indicateur", width=48),
            Col("previous_status_label", "Statut à la séance précédente", width=22),
            Col("status_label", "Statut", width=16),
        ],
    ),
    (
        "off_track",
        "Indicateurs en retard",
        [
            Col("code", "Code", width=8),
            Col("name", "Indicateur", width=48),
            Col("value", "Valeur", "value"),
            Col("target", "Cible", "value"),
            Col("status_label", "Statut", width=16),
        ],
    ),
    (
        "renewals.rows",
        "Renouvellements",
        [
            Col("uid", "Identifiant", width=24),
            Col("object", "Objet", width=48),
            Col("direction", "Direction", width=24),
            Col("due_date", "Échéance", "date", 12),
            Col("date_label", "Nature de l'échéance", width=22),
            Col("estimated", "Date estimée", "bool", 10),
            Col("state_label", "État", width=18),
            Col("overdue", "En retard", "bool", 10),
        ],
    ),
    (
        "renewals.without_review_rows",
        "Renouvelés sans revue",
        [
            Col("uid", "Identifiant", width=24),
            Col("object", "Objet", width=48),
            Col("direction", "Direction", width=24),
            Col("renewal_date", "Renouvelé le", "date", 12),
            Col("reason", "Motif", width=40),
        ],
    ),
    (
        "awaiting_advice",
        "Avis attendus",
        [
            Col("reference", "Référence", width=14),
            Col("title", "Projet", width=40),
            Col("direction", "Direction", width=24),
            Col("stage_label", "Étape", width=18),
            Col("resource_direction", "Direction ressource", width=24),
            Col("status_label", "Avis", width=16),
            Col("deadline", "Date limite", "date", 12),
            Col("overdue", "En retard", "bool", 10),
        ],
    ),
    (
        "projects_in_preparation",
        "Projets en préparation",
        [
            Col("reference", "Référence", width=14),
            Col("title", "Projet", width=40),
            Col("direction", "Direction", width=24),
            Col("stage_label", "Étape", width=18),
            Col("planned_launch_date", "Lancement prévu", "date", 12),
            Col("env_clause", "Clause environnementale", "bool", 12),
            Col("env_criterion", "Critère environnemental", "bool", 12),
            Col("social_clause", "Clause sociale", "bool", 12),
            Col("social_criterion", "Critère social", "bool", 12),
            Col("reserved_lot", "Lot réservé", "bool", 10),
            Col("climate", "Loi Climat", width=30),
        ],
    ),
    ("alerts.insertion_behind_plan", "Insertion en retard", []),
    ("alerts.late_payments", "Paiements tardifs", []),
    (
        "alerts.decp_unpublished",
        "Non publiés DECP",
        [
            Col("uid", "Identifiant", width=24),
            Col("object", "Objet", width=48),
            Col("notification_date", "Notifié le", "date", 12),
            Col("days_since", "Jours depuis la notification", "int", 12),
        ],
    ),
    (
        "corrective_actions",
        "Actions correctives",
        [
            Col("id", "N°", "int", 6),
            Col("title", "Action", width=40),
            Col("owner_direction", "Direction pilote", width=24),
            Col("due_date", "Échéance", "date", 12),
            Col("status_label", "Statut", width=14),
            Col("overdue", "En retard", "bool", 10),
            Col("decided_on", "Décidée le", "date", 12),
            Col("expected_effect", "Effet attendu", width=40),
            Col("last_update", "Dernier suivi", width=40),
        ],
    ),
    (
        "late_actions",
        "Actions du plan en retard",
        [
            Col("title", "Action", width=40),
            Col("owner_direction", "Direction pilote", width=24),
            Col("due_date", "Échéance", "date", 12),
            Col("status_label", "Statut", width=14),
            Col("progress", "Avancement", "percent100", 12),
        ],
    ),
    (
        "decisions",
        "Décisions",
        [
            Col("text", "Décision", width=60),
            Col("indicator", "Indicateur", width=24),
            Col("commitment", "Engagement", width=24),
            Col("direction", "Direction", width=24),
        ],
    ),
    ("trajectory", "Trajectoire", []),
    ("scorecards", "Tableaux de bord", []),
    ("annual_review", "Revue annuelle", []),
]

RENEWAL_COUNTS = {
    "3": "Échéance dans les 3 mois",
    "6": "Échéance dans les 6 mois",
    "12": "Échéance dans les 12 mois",
    "overdue": "Échéance dépassée",
    "without_review": "Renouvelés sans revue du besoin",
}
