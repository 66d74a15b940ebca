"""`spaser export_indicators --format csv|xlsx|json [--scheme SLUG] [--year Y] [--period KEY|all]
[--scope KEY|all] [--sep ";"|","] [--output PATH]`: the stored indicator values with their provenance, as the
dashboard's export gives them (docs/exports.md). CSV and JSON go to the standard output without --output."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spaser.indicators.export_formats import check_separator, csv_lines, json_chunks, write_xlsx
from spaser.indicators.exports import FilterError, export_rows, parse_filters, scope_labels
from spaser.schemes.models import Scheme, SchemeStatus


class Command(BaseCommand):
    help = (
        "Exporte les valeurs enregistrées des indicateurs d'un schéma avec leur provenance (numérateur, "
        "dénominateur, inconnus, périmètre, date des données, version de la méthode), en CSV, XLSX ou JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=["csv", "xlsx", "json"], dest="fmt")
        parser.add_argument(
            "--scheme", help="identifiant court du schéma (obligatoire s'il y a plusieurs schémas en cours)"
        )
        parser.add_argument("--year", action="append", default=[], help="année (répétable ; défaut : toutes)")
        parser.add_argument(
            "--period",
            action="append",
            default=[],
            help="période : A, S1, T2, M03, C11… ou « all » (répétable ; défaut : toutes)",
        )
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            help="répétable ; périmètre : organisation, buyer:<SIRET>, direction:<identifiant> ou « all »",
        )
        parser.add_argument("--sep", default=";", help="séparateur du CSV : « ; » (défaut) ou « , »")
        parser.add_argument("--output", type=Path, help="fichier à écrire (obligatoire pour xlsx)")

    def handle(self, *args, fmt, scheme=None, year, period, scope, sep, output=None, **options):
        if fmt == "xlsx" and output is None:
            raise CommandError("--output est obligatoire pour un export XLSX (fichier binaire).")
        chosen = self.scheme(scheme)
        labels = scope_labels(chosen)
        try:
            check_separator(sep)
            filters = parse_filters(scheme=chosen, years=year, periods=period, scopes=scope, labels=labels)
        except FilterError as error:
            raise CommandError(error.message) from None
        rows = export_rows(scheme=chosen, filters=filters, labels=labels)
        if fmt == "xlsx":
            with output.open("wb") as handle:
                write_xlsx(rows, handle, scheme=chosen, filters=filters, labels=labels)
        else:
            chunks = (
                csv_lines(rows, sep=sep)
                if fmt == "csv"
                else json_chunks(rows, scheme=chosen, filters=filters)
            )
            if output is None:
                for chunk in chunks:
                    self.stdout.write(chunk, ending="")
            else:
                # newline="": the CSV writer already ends its lines with \r\n (RFC 4180).
                with output.open("w", encoding="utf-8", newline="") as handle:
                    handle.writelines(chunks)
        if output is not None:
            self.stderr.write(f"Export {fmt.upper()} du schéma « {chosen.slug} » écrit dans {output}.")

    def scheme(self, slug: str | None) -> Scheme:
        schemes = Scheme.objects.select_related("organisation")
        if slug:
            found = schemes.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"Aucun schéma « {slug} ».")
            return found
        current = list(schemes.exclude(status=SchemeStatus.ARCHIVED))
        if len(current) != 1:
            listed = ", ".join(s.slug for s in current) or "aucun"
            raise CommandError(f"Précisez --scheme parmi les schémas en cours : {listed}.")
        return current[0]
