"""spaser restore PATH [--force]: check an archive made by `spaser backup`, then put its database and files
back (spaser/core/backup/, docs/deployment.md « Sauvegarde et restauration »)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from spaser.core import backup
from spaser.core.management.commands.backup import megabytes


class Command(BaseCommand):
    help = "Restaure une sauvegarde faite par « spaser backup » (base de données et fichiers)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="l'archive .tar.gz à restaurer")
        parser.add_argument(
            "--force", action="store_true", help="remplace une base qui contient déjà des données"
        )

    def handle(self, *args, archive, force, **options):
        try:
            result = backup.restore_backup(archive, force=force)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{label} : {count}" for label, count in result.counts.items())
        self.stdout.write(
            f"Sauvegarde du {result.created_at} (Spaser {result.spaser_version}) restaurée depuis "
            f"{result.archive}."
        )
        self.stdout.write(f"Base {backup.ENGINE_LABELS[result.engine]} remplacée : {counts}.")
        self.stdout.write(
            f"{result.files} fichier(s) remis en place ({megabytes(result.files_size)}), "
            f"{len(result.removed)} fichier(s) absent(s) de la sauvegarde supprimé(s)."
        )
        if result.dropped_tables:
            self.stdout.write(
                f"Tables plus récentes que la sauvegarde supprimées : {', '.join(result.dropped_tables)}."
            )
        if result.pending_migrations:
            self.stdout.write(
                f"{len(result.pending_migrations)} migration(s) à appliquer : lancez « spaser migrate »."
            )
