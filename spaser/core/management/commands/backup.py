"""spaser backup [--output PATH] [--no-observatory]: the database and the data files in one archive
(spaser/core/backup/, docs/deployment.md « Sauvegarde et restauration »)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from spaser.core import backup


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} Mo".replace(".", ",")


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers de Spaser dans une archive .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=None,
            help="fichier de l'archive, ou dossier où la créer sous un nom daté (défaut : dossier courant)",
        )
        parser.add_argument(
            "--no-observatory",
            dest="observatory",
            action="store_false",
            help="sans l'entrepôt de l'observatoire national (reconstructible : observatory_fetch --ingest)",
        )

    def handle(self, *args, output, observatory, **options):
        started = time.monotonic()
        try:
            result = backup.create_backup(output, observatory=observatory)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Sauvegarde écrite : {result.path} ({megabytes(result.size)}, "
            f"{time.monotonic() - started:.1f} s) — "
            f"base {backup.ENGINE_LABELS[result.engine]} ({megabytes(result.database_size)}), "
            f"{result.files} fichier(s) ({megabytes(result.files_size)})."
        )
