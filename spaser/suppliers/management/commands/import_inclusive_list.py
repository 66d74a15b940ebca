"""spaser import_inclusive_list PATH [--kind SIAE|EA|ESAT|auto] [--source NAME] [--date YYYY-MM-DD]"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from spaser.suppliers.inclusive import InclusiveListError
from spaser.suppliers.services import import_inclusive_list


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Date « {value} » invalide : attendu AAAA-MM-JJ.") from None


class Command(BaseCommand):
    help = (
        "Importe une liste de structures inclusives (SIAE, entreprises adaptées, ESAT) identifiées par leur "
        "SIRET, puis marque les titulaires correspondants : même SIRET, ou à défaut même SIREN (la "
        "convention ou l'agrément est porté par l'unité légale). Une nouvelle version d'une liste (même "
        "--source) remplace la précédente. Les lignes refusées sont listées avec leur numéro."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="CHEMIN")
        parser.add_argument("--kind", default="auto", choices=["SIAE", "EA", "ESAT", "auto"])
        parser.add_argument("--source", default="", help="nom de la liste (par défaut : le nom du fichier)")
        parser.add_argument("--date", dest="list_date", default=None, help="date de la liste (AAAA-MM-JJ)")

    def handle(self, *args, path, kind, source, list_date, **options):
        when = _date(list_date) if list_date else None
        try:
            summary = import_inclusive_list(path=path, kind=kind, source=source, list_date=when)
        except InclusiveListError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Liste « {summary.source} » : {summary.rows} ligne(s) lue(s), {summary.imported} structure(s) "
            f"importée(s), {summary.inactive} inactive(s) ignorée(s), {len(summary.refused)} ligne(s) "
            f"refusée(s), {summary.removed} structure(s) retirée(s) depuis la version précédente."
        )
        for line, reason in summary.refused:
            self.stdout.write(f"  ligne {line} : {reason}")
        self.stdout.write(
            f"{summary.changed_suppliers} titulaire(s) modifié(s) ; {summary.flagged_suppliers} titulaire(s) "
            "marqué(s) comme structure inclusive."
        )
