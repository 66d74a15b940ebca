"""spaser observatory_fetch [--year Y ...] [--url URL ...] [--dataset URL] [--tabular] [--output DIR]
[--ingest] [--json]"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from spaser.observatory import store
from spaser.observatory.fetch import DATASET_API_URL, TABULAR_URL, DownloadError, download, year_file_url


def _name(url: str) -> str:
    name = Path(urlsplit(url).path).name
    return name or "decp-telechargement"


class Command(BaseCommand):
    help = (
        "Télécharge les fichiers nationaux des DECP pour l'observatoire : les JSON consolidés par année "
        f"(decp-<année>.json, trouvés dans la description du jeu de données {DATASET_API_URL}), le fichier "
        f"tabulaire consolidé (--tabular, {TABULAR_URL}) ou toute autre adresse (--url). Un téléchargement "
        "interrompu reprend là où il s'était arrêté (fichier .part) quand la commande est relancée. Avec "
        "--ingest, les fichiers téléchargés sont ensuite ingérés (spaser observatory_ingest)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            default=[],
            help="année du fichier JSON consolidé (répétable ; par défaut l'année en cours)",
        )
        parser.add_argument("--url", action="append", default=[], help="adresse d'un fichier (répétable)")
        parser.add_argument(
            "--dataset",
            default=DATASET_API_URL,
            help="adresse de la description du jeu de données où chercher decp-<année>.json (un miroir)",
        )
        parser.add_argument("--tabular", action="store_true", help="aussi le fichier tabulaire consolidé")
        parser.add_argument(
            "--output",
            default=None,
            help="dossier de destination (par défaut SPASER_DATA_DIR/observatory/telechargements)",
        )
        parser.add_argument("--ingest", action="store_true", help="ingère les fichiers une fois téléchargés")
        parser.add_argument("--json", dest="as_json", action="store_true", help="bilan en JSON")

    def handle(self, *args, year, url, dataset, tabular, output, ingest, as_json, **options):
        directory = Path(output) if output else store.root() / "telechargements"
        targets: list[tuple[str, str]] = []  # (url, file name)
        try:
            years = year or ([] if url or tabular else [timezone.localdate().year])
            for one_year in years:
                targets.append((year_file_url(one_year, dataset_url=dataset), f"decp-{one_year}.json"))
            if tabular:
                targets.append((TABULAR_URL, "decp-tabulaire"))
            targets += [(address, _name(address)) for address in url]
            verbosity = options.get("verbosity", 1)
            results = []
            for address, name in targets:
                if verbosity > 1 and not as_json:
                    self.stderr.write(f"Téléchargement de {address} …")
                result = download(address, directory / name)
                results.append(result)
                if not as_json:
                    resumed = (
                        f" (reprise après {result.resumed_from} octets déjà reçus)"
                        if result.resumed_from
                        else ""
                    )
                    self.stdout.write(f"{result.path} : {result.size} octets{resumed}.")
        except DownloadError as error:
            raise CommandError(str(error)) from None
        report: dict = {"downloads": [r.as_dict() for r in results]}
        if ingest and results:
            paths = [str(r.path) for r in results]
            if as_json:
                captured = StringIO()
                call_command("observatory_ingest", *paths, "--json", stdout=captured, stderr=self.stderr)
                report["ingest"] = json.loads(captured.getvalue())
            else:
                call_command("observatory_ingest", *paths, stdout=self.stdout, stderr=self.stderr)
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
