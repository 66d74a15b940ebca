"""spaser export_scheme PATH [--scheme SLUG]: write the scheme file (PATH `-` = standard output)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spaser.schemes.models import Scheme
from spaser.schemes.services import scheme_file_export


class Command(BaseCommand):
    help = "Exporte le schéma (organisation, directions, axes, engagements, indicateurs, cibles) en YAML."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier à écrire, ou « - » pour la sortie standard.")
        parser.add_argument(
            "--scheme", dest="slug", help="Identifiant du schéma (par défaut : le schéma en cours)."
        )

    def handle(self, *args, path: str, slug: str | None, **options):
        schemes = Scheme.objects.select_related("organisation")
        if slug:
            scheme = schemes.filter(slug=slug).first()
            if scheme is None:
                known = ", ".join(schemes.order_by("slug").values_list("slug", flat=True)) or "aucun"
                raise CommandError(f"Aucun schéma « {slug} » (schémas connus : {known}).")
        else:
            scheme = schemes.current().first()
            if scheme is None:
                raise CommandError("Aucun schéma à exporter : importez-en un avec « spaser import_scheme ».")
        text = scheme_file_export(scheme=scheme)
        if path == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(path).write_text(text, encoding="utf-8", newline="\n")
        except OSError as exc:
            raise CommandError(f"Impossible d'écrire « {path} » : {exc.strerror}.") from exc
        self.stdout.write(f"Schéma « {scheme.title} » exporté dans {path}.")
