"""spaser import_decp PATH [PATH ...] [--json]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from spaser.contracts.services import ImportSummary, import_decp_source
from spaser.decp import DecpError, open_decp
from spaser.decp.reader import FORMAT_LABELS


class Command(BaseCommand):
    help = (
        "Importe un ou plusieurs fichiers DECP (format JSON 2022, schéma 2.0.x) dans la base des marchés. "
        "Chaque fichier donne un import (lot) distinct ; les enregistrements inexploitables sont mis en "
        "quarantaine avec leurs motifs. Tous les fichiers sont importés ensemble ou pas du tout : si l'un "
        "d'eux est introuvable, invalide ou d'un format non pris en charge, la base reste inchangée. "
        "Avec --json : un objet JSON pour un seul fichier ; pour plusieurs fichiers, une liste d'objets, "
        "un par fichier, dans l'ordre des chemins donnés."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="CHEMIN", help="fichier(s) DECP à importer")
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="affiche le bilan en JSON (read, created, updated, unchanged, duplicates, quarantined…)",
        )
        parser.add_argument(
            "--sans-schema",
            dest="validate_schema",
            action="store_false",
            help="ne contrôle pas chaque enregistrement avec le schéma officiel 2.0.3 (plus rapide)",
        )

    def handle(self, *args, paths, as_json, validate_schema, **options):
        summaries: list[ImportSummary] = []
        try:
            # One transaction for the whole run: a bad file given after good ones leaves the base unchanged.
            with transaction.atomic():
                for path in paths:
                    source = open_decp(path, validate_schema=validate_schema)
                    summaries.append(import_decp_source(source=source, user=None))
        except DecpError as error:
            raise CommandError(str(error)) from None
        if as_json:
            payload = [_public(summary) for summary in summaries]
            self.stdout.write(_dumps(payload[0] if len(payload) == 1 else payload))
        else:
            for summary in summaries:
                self.stdout.write(_french(summary))


def _public(summary: ImportSummary) -> dict:
    """The summary without the list of touched ids, which can run to thousands of numbers."""
    data = summary.as_dict()
    del data["touched_ids"]
    return data


def _dumps(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _french(summary: ImportSummary) -> str:
    label = FORMAT_LABELS.get(summary.format, summary.format)
    lines = [
        f"Import de « {summary.source} » (format {label}, import n° {summary.batch}) :",
        f"  {summary.read} enregistrement(s) lu(s)",
        f"  {summary.created} marché(s) créé(s)",
        f"  {summary.updated} mis à jour",
        f"  {summary.unchanged} inchangé(s)",
        f"  {summary.duplicates} doublon(s) écarté(s) (même acheteur et même identifiant)",
        f"  {summary.quarantined} en quarantaine (inexploitables, conservés avec leurs motifs)",
    ]
    if summary.flagged:
        lines.append(f"  dont {summary.flagged} marché(s) conservé(s) avec des alertes qualité")
    if summary.attributed:
        lines.append(f"  {summary.attributed} marché(s) attribué(s) à une direction par les règles")
    return "\n".join(lines)
