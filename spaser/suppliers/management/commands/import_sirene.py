"""spaser import_sirene PATH... [--all]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from spaser.suppliers.services import import_sirene_files
from spaser.suppliers.sirene import SireneError


class Command(BaseCommand):
    help = (
        "Enrichit les titulaires à partir des fichiers stock SIRENE de l'INSEE (StockUniteLegale et "
        "StockEtablissement, CSV, CSV zippé ou Parquet) : nom, catégorie juridique, catégorie d'entreprise "
        "(PME/ETI/GE), appartenance à l'ESS, commune, département et région de l'établissement. Les fichiers "
        "nationaux sont lus en flux : seuls les SIREN et SIRET des titulaires connus sont retenus."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="CHEMIN", help="fichier(s) stock SIRENE")
        parser.add_argument(
            "--all",
            dest="only_known",
            action="store_false",
            help="crée aussi un titulaire pour chaque établissement du fichier (pour un extrait déjà filtré, "
            "jamais pour le stock national)",
        )
        parser.add_argument("--only-known", dest="only_known", action="store_true", help="(par défaut)")
        parser.set_defaults(only_known=True)

    def handle(self, *args, paths, only_known, **options):
        try:
            summary = import_sirene_files(paths=paths, only_known=only_known)
        except SireneError as error:
            raise CommandError(str(error)) from None
        for item in summary.files:
            self.stdout.write(f"{item.path} ({item.kind}) : {item.matched} ligne(s) retenue(s).")
        self.stdout.write(
            f"{summary.updated} titulaire(s) mis à jour, {summary.created} créé(s) "
            f"sur {summary.known_suppliers} titulaire(s) connu(s)."
        )
