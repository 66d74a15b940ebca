"""The stages of a purchase project (domain.md §8) and the moves allowed between them: data, so that the
state machine (workflow.py), the pages and the tests read one table.

A project goes forward one stage at a time, may step back one stage (a consultation declared unsuccessful
goes back to its documents), and may be abandoned from any stage but the last ones. Guards (what must be
done before a move) live in workflow.py.
"""

from django.db import models


class Stage(models.TextChoices):
    NEED = "need", "1. Définition du besoin"
    SOURCING = "sourcing", "2. Sourcing"
    STRATEGY = "strategy", "3. Stratégie d'achat"
    DOCUMENTS = "documents", "4. Dossier de consultation"
    AWARD = "award", "5. Consultation et attribution"
    NOTIFICATION = "notification", "6. Notification et publication"
    EXECUTION = "execution", "7. Exécution"
    CLOSING = "closing", "8. Fin du marché"
    ABANDONED = "abandoned", "Abandonné"


ORDER: tuple[str, ...] = (
    Stage.NEED,
    Stage.SOURCING,
    Stage.STRATEGY,
    Stage.DOCUMENTS,
    Stage.AWARD,
    Stage.NOTIFICATION,
    Stage.EXECUTION,
    Stage.CLOSING,
)

# Once the consultation is launched the project is « en consultation » for the advice and Loi Climat rules.
LAUNCHED = frozenset(ORDER[ORDER.index(Stage.AWARD) :])
# Stages where the project may still be abandoned (after notification a contract exists: it ends instead).
ABANDONABLE = frozenset(ORDER[: ORDER.index(Stage.NOTIFICATION)])
FINAL = frozenset({Stage.CLOSING, Stage.ABANDONED})

GUIDANCE: dict[str, str] = {
    Stage.NEED: "Analyse fonctionnelle et revue du juste besoin, coût du cycle de vie.",
    Stage.SOURCING: "Rencontre des fournisseurs, sourcing inclusif (SIAE, EA, ESAT).",
    Stage.STRATEGY: "Allotissement pour les PME et les SIAE, lots réservés, choix de la procédure.",
    Stage.DOCUMENTS: "Clauses et critères sociaux et environnementaux, pondérations.",
    Stage.AWARD: "Consultation publiée ; application des critères, offres reçues, attributaire.",
    Stage.NOTIFICATION: "Notification et publication des données essentielles dans les deux mois.",
    Stage.EXECUTION: "Suivi des clauses (facilitateur), paiements à temps, avances.",
    Stage.CLOSING: "Évaluation du marché, nouvelle revue du besoin, pas de reconduction automatique.",
    Stage.ABANDONED: "Projet arrêté : le besoin a été supprimé ou l'achat n'aura pas lieu.",
}


def next_stage(stage: str) -> str | None:
    if stage not in ORDER or stage == ORDER[-1]:
        return None
    return ORDER[ORDER.index(stage) + 1]


def previous_stage(stage: str) -> str | None:
    if stage not in ORDER or stage == ORDER[0] or stage in FINAL:
        return None
    return ORDER[ORDER.index(stage) - 1]


def allowed_targets(stage: str) -> list[str]:
    """Stages reachable from `stage` in one move, forward first."""
    targets = [s for s in (next_stage(stage), previous_stage(stage)) if s]
    if stage in ABANDONABLE:
        targets.append(Stage.ABANDONED)
    return targets


def number(stage: str) -> int | None:
    return ORDER.index(stage) + 1 if stage in ORDER else None
