"""spaser observatory_ingest CHEMIN [CHEMIN ...] [--replace] [--json] [--sirene FICHIER] [--lot N]
[--sans-indicateurs]"""

from __future__ import annotations

import contextlib
import json

from django.core.management.base import BaseCommand, CommandError

from spaser.observatory import store
from spaser.observatory.compute import compute_all
from spaser.observatory.ingest import BATCH_SIZE, IngestError, ingest


class Command(BaseCommand):
    help = (
        "Ingère des fichiers DECP nationaux (JSON consolidés par année au format 2022, format tabulaire "
        "CSV/Parquet, JSON 2019, XML, archives .zip/.gz) dans l'entrepôt en colonnes (Parquet) de "
        "l'observatoire, sans passer par la base de données. Les marchés sont dédoublonnés par uid (SIRET de "
        "l'acheteur + identifiant) sur l'ensemble des fichiers ingérés, avec la règle de l'import : la "
        "version publiée le plus récemment, puis celle qui a le plus de modifications, puis la plus "
        "complète, puis la dernière lue. Réingérer un fichier du même nom remplace ce qu'il avait apporté. "
        "Un fichier illisible arrête tout et laisse l'observatoire inchangé. La table des acheteurs "
        "(type : département, région, commune…) est reconstruite à chaque ingestion, puis les indicateurs de "
        "chaque acheteur et de chaque année sont recalculés (sauf avec --sans-indicateurs)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="CHEMIN",
            help="fichier(s) DECP à ingérer (aucun avec --sirene : seuls les types des acheteurs sont revus)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="repart d'un observatoire vide : les fichiers ingérés auparavant sont oubliés",
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="affiche le bilan en JSON")
        parser.add_argument(
            "--sirene",
            action="append",
            default=[],
            metavar="FICHIER",
            help="fichier SIRENE des unités légales (CSV ou Parquet, colonnes « siren » et "
            "« categorieJuridiqueUniteLegale ») donnant la catégorie juridique des acheteurs ; répétable",
        )
        parser.add_argument(
            "--lot",
            dest="batch_size",
            type=int,
            default=BATCH_SIZE,
            metavar="N",
            help=f"marchés écrits par partie Parquet (mémoire bornée par ce lot ; {BATCH_SIZE} par défaut)",
        )
        parser.add_argument(
            "--sans-indicateurs",
            dest="skip_indicators",
            action="store_true",
            help="ne recalcule pas les indicateurs de tous les acheteurs après l'ingestion",
        )

    def handle(self, *args, paths, replace, as_json, sirene, batch_size, skip_indicators, **options):
        if not paths and not sirene:
            raise CommandError("Indiquez au moins un fichier DECP à ingérer (ou un fichier --sirene).")
        if batch_size < 1:
            raise CommandError("--lot doit être un entier positif.")
        try:
            summary = ingest(paths, replace=replace, batch_size=batch_size, sirene_files=sirene)
        except IngestError as error:
            raise CommandError(str(error)) from None
        report = summary.as_dict()
        years = []
        if not skip_indicators and paths:
            # Every year of the store, by the same engine as the app (frames.py); nothing kept (every record
            # rejected): no indicators, the summary says why.
            with contextlib.suppress(store.EmptyStore):
                compute_all()
            years = sorted(int(path.stem) for path in store.indicators_dir().glob("*.parquet"))
            report["indicators_years"] = years
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(summary.french())
        if years:
            listed = ", ".join(str(year) for year in years)
            self.stdout.write(f"Indicateurs de tous les acheteurs recalculés pour : {listed}.")
