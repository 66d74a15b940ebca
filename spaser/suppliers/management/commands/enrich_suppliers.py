"""spaser enrich_suppliers [--online] [--limit N] [--json]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from spaser.suppliers.http import ApiError
from spaser.suppliers.services import enrich_suppliers


class Command(BaseCommand):
    help = (
        "Complète les titulaires (nom, catégorie juridique, PME/ETI/GE, ESS, localisation) avec l'API "
        "Recherche d'entreprises (recherche-entreprises.api.gouv.fr). Sans --online, seules les réponses "
        "déjà en cache sont utilisées ; avec --online, l'API est interrogée (7 requêtes par seconde au plus, "
        "réponses gardées 30 jours)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--online", action="store_true", help="interroge l'API (connexion requise)")
        parser.add_argument("--limit", type=int, default=None, help="nombre maximal de titulaires à traiter")
        parser.add_argument("--json", dest="as_json", action="store_true", help="bilan en JSON")

    def handle(self, *args, online, limit, as_json, **options):
        try:
            summary = enrich_suppliers(online=online, limit=limit)
        except ApiError as error:
            raise CommandError(str(error)) from None
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(
                f"{summary.candidates} titulaire(s) à compléter, {summary.asked} SIREN consulté(s) "
                f"({summary.from_cache} depuis le cache), {summary.updated} titulaire(s) mis à jour, "
                f"{summary.not_found} SIREN inconnu(s) de l'API."
            )
        if summary.offline:
            raise CommandError(summary.message)
