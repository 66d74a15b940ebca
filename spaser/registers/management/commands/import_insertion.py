"""spaser import_insertion CHEMIN [--mapping NOM] [--sheet FEUILLE] [--encoding ENC] [--delimiter C]
[--dry-run] [--report FICHIER.csv] [--json]"""

from spaser.registers.command_base import RegisterImportCommand
from spaser.registers.models import RegisterKind
from spaser.registers.services import import_insertion


class Command(RegisterImportCommand):
    help = (
        "Importe l'export d'un facilitateur de clauses d'insertion (.xlsx ou .csv) : heures prévues et "
        "réalisées par marché et par période, participants (référence pseudonyme, genre, résidence, heures). "
        "Réimporter une période la remplace ; une ligne d'un marché inconnu est rejetée avec son motif."
    )
    kind = RegisterKind.INSERTION

    def run_import(self, **kwargs):
        return import_insertion(**kwargs)
