"""spaser import_register CHEMIN [--mapping NOM] [--sheet FEUILLE] [--encoding ENC] [--delimiter C]
[--dry-run] [--report FICHIER.csv] [--json]"""

from spaser.registers.command_base import RegisterImportCommand
from spaser.registers.models import RegisterKind
from spaser.registers.services import import_register


class Command(RegisterImportCommand):
    help = (
        "Importe un registre interne de marchés (.xlsx ou .csv) : date de fin, date limite de reconduction, "
        "heures d'insertion prévues, article du marché réservé, montant estimé, direction. Chaque ligne "
        "complète le marché de même uid (ou même SIRET acheteur et numéro) sans toucher aux données DECP, "
        "ou crée un marché connu seulement du registre. Réimporter le même fichier ne change rien."
    )
    kind = RegisterKind.CONTRACTS

    def run_import(self, **kwargs):
        return import_register(**kwargs)
