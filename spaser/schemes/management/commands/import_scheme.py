"""spaser import_scheme PATH [--dry-run]: update the register from a scheme file, all or nothing."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spaser.schemes.scheme_file import SchemeFileError
from spaser.schemes.services import scheme_file_check, scheme_file_import


class Command(BaseCommand):
    help = (
        "Importe un fichier de schéma YAML : met à jour le registre en place (organisation par SIREN, "
        "directions par identifiant, schéma par identifiant, indicateurs par code). Tout ou rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier à lire, ou « - » pour l'entrée standard.")
        parser.add_argument("--dry-run", action="store_true", help="Vérifie le fichier sans rien modifier.")

    def handle(self, *args, path: str, dry_run: bool, **options):
        text = self.read(path)
        if dry_run:
            problems = scheme_file_check(text=text)
            if problems:
                raise CommandError(self.refusal(path, [str(p) for p in problems]))
            self.stdout.write("Le fichier est valide ; rien n'a été modifié (--dry-run).")
            return
        try:
            result = scheme_file_import(text=text)
        except SchemeFileError as exc:
            raise CommandError(self.refusal(path, exc.messages)) from exc
        self.stdout.write(result.summary())

    def read(self, path: str) -> str:
        if path == "-":
            return sys.stdin.read()
        try:
            return Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise CommandError(f"Fichier introuvable : {path}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"Le fichier {path} n'est pas encodé en UTF-8.") from exc
        except OSError as exc:
            raise CommandError(f"Impossible de lire « {path} » : {exc.strerror}.") from exc

    @staticmethod
    def refusal(path: str, messages: list[str]) -> str:
        count = len(messages)
        plural = "s" if count > 1 else ""
        lines = "\n".join(f"  - {message}" for message in messages)
        name = "lu sur l'entrée standard" if path == "-" else path
        return f"Fichier {name} refusé, {count} erreur{plural} ; rien n'a été modifié :\n{lines}"
