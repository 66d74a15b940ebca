"""spaser fetch_decp --siren SIREN [--since DATE] [--dry-run] [--json]"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from spaser.contracts.fetch import RESOURCE_ID, FetchError, fetch_decp
from spaser.decp import DecpError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Date « {value} » invalide : attendu AAAA-MM-JJ.") from None


class Command(BaseCommand):
    help = (
        "Télécharge les marchés d'un acheteur (tous les établissements de son SIREN) depuis l'API tabulaire "
        f"de data.gouv.fr (DECP consolidées, ressource {RESOURCE_ID}), puis les importe comme un fichier "
        "DECP. "
        "Le téléchargement est repris là où il s'est arrêté si la commande est relancée avec les mêmes "
        "paramètres (pages gardées dans SPASER_DATA_DIR/fetch/<siren>/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--siren", required=True, help="SIREN de l'acheteur (9 chiffres)")
        parser.add_argument(
            "--since", default=None, help="seulement les marchés notifiés depuis (AAAA-MM-JJ)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="télécharge et analyse sans rien enregistrer"
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="bilan en JSON")

    def handle(self, *args, siren, since, dry_run, as_json, **options):
        since_date = _date(since) if since else None
        verbosity = options.get("verbosity", 1)

        def progress(state):
            if verbosity > 1 and not as_json:
                total = f" sur {state.total}" if state.total is not None else ""
                self.stderr.write(f"page {state.pages} : {state.rows} ligne(s){total}")

        try:
            result = fetch_decp(siren=siren.strip(), since=since_date, dry_run=dry_run, progress=progress)
        except (FetchError, DecpError) as error:
            raise CommandError(str(error)) from None
        data = result.as_dict()
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
            return
        reprise = " (reprise d'un téléchargement interrompu)" if data["resumed"] else ""
        self.stdout.write(f"{data['pages']} page(s), {data['rows']} ligne(s) téléchargée(s){reprise}.")
        verb = "seraient" if dry_run else "ont été"
        self.stdout.write(
            f"{data.get('read', 0)} marché(s) lu(s) : {data.get('created', 0)} {verb} créé(s), "
            f"{data.get('updated', 0)} mis à jour, {data.get('unchanged', 0)} inchangé(s), "
            f"{data.get('duplicates', 0)} doublon(s), {data.get('quarantined', 0)} en quarantaine."
        )
