"""`spaser generate_report --year 2025 --format pdf --output rapport.pdf [--scheme SLUG] [--version N]
[--draft] [--separator ";"]`: a year's annual report as a file (docs/reports.md).

By default the latest published version of the year (or `--version N`), from its frozen content; `--draft`
(or when no version is published, said on stderr) the content built now from the stored values. Text formats
(html, csv, json) go to stdout without `--output`. Unknown scheme, year or version: a French error, exit code
≠ 0, nothing written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spaser.reports import opendata
from spaser.reports.content import build_report_content
from spaser.reports.models import AnnualReport
from spaser.schemes.models import Scheme

FORMATS = ("html", "pdf", "csv", "json", "xlsx")
BINARY = {"pdf", "xlsx"}


class Command(BaseCommand):
    help = "Écrit le rapport annuel d'une année (HTML, PDF) ou ses données ouvertes (CSV, JSON, XLSX)."

    def add_arguments(self, parser):
        # --version is the report's version here, not Django's: its own --version is withdrawn first.
        django_version = next(a for a in parser._actions if "--version" in a.option_strings)
        parser._handle_conflict_resolve(None, [("--version", django_version)])
        parser.add_argument("--year", type=int, required=True, help="année du rapport")
        parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        parser.add_argument("--output", help="fichier à écrire (sortie standard pour html, csv, json)")
        parser.add_argument("--scheme", help="identifiant court du schéma (par défaut : le seul schéma)")
        parser.add_argument("--version", type=int, dest="report_version", help="version publiée")
        parser.add_argument("--draft", action="store_true", help="contenu calculé maintenant (non publié)")
        parser.add_argument("--separator", default=",", help="CSV : « , » (défaut) ou « ; » (Excel)")

    def handle(self, *args, year, fmt, output, scheme, report_version, draft, separator, **options):
        if fmt == "csv" and separator not in opendata.SEPARATORS:
            raise CommandError(f"Séparateur invalide : « {separator} » (attendu : « , » ou « ; »).")
        if fmt in BINARY and not output:
            raise CommandError(f"Le format {fmt} est binaire : indiquez le fichier avec --output.")
        if draft and report_version:
            raise CommandError("--draft et --version s'excluent : choisissez l'un ou l'autre.")
        target = _scheme(scheme)
        content = self._content(target, year, report_version, draft)
        data = _render(content, fmt, separator)
        if output:
            path = Path(output)
            if not path.parent.exists():
                raise CommandError(f"Le dossier « {path.parent} » n'existe pas.")
            path.write_bytes(data)
            version = content.get("version")
            what = f"version {version}" if version else "brouillon"
            self.stdout.write(f"Rapport {year} ({what}, {fmt}) écrit dans {path} ({len(data)} octets).")
        else:
            sys.stdout.flush()
            self.stdout.write(data.decode("utf-8"), ending="")

    def _content(self, scheme: Scheme, year: int, version: int | None, draft: bool) -> dict:
        if year not in scheme.years:
            raise CommandError(
                f"L'année {year} est hors de la période du schéma « {scheme.title} » "
                f"({scheme.period_start}-{scheme.period_end})."
            )
        published = AnnualReport.objects.published().filter(scheme=scheme, year=year)
        if version is not None:
            report = published.filter(version=version).first()
            if report is None:
                known = ", ".join(
                    str(v) for v in published.order_by("version").values_list("version", flat=True)
                )
                raise CommandError(
                    f"Le rapport {year} n'a pas de version {version} publiée"
                    + (f" (versions publiées : {known})." if known else " (aucune version publiée).")
                )
            return report.content
        if not draft:
            report = published.order_by("-version").first()
            if report is not None:
                return report.content
            self.stderr.write(
                f"Aucun rapport {year} publié : le contenu est calculé maintenant à partir des valeurs "
                "enregistrées (brouillon)."
            )
        return build_report_content(scheme=scheme, year=year)


def _scheme(slug: str | None) -> Scheme:
    if slug:
        scheme = Scheme.objects.filter(slug=slug).first()
        if scheme is None:
            raise CommandError(f"Schéma inconnu : « {slug} ».")
        return scheme
    schemes = list(Scheme.objects.order_by("slug")[:2])
    if len(schemes) != 1:
        raise CommandError(
            "Aucun schéma enregistré."
            if not schemes
            else "Plusieurs schémas : précisez lequel avec --scheme."
        )
    return schemes[0]


def _render(content: dict, fmt: str, separator: str) -> bytes:
    if fmt == "html":
        from spaser.reports.rendering import report_html

        return report_html(content).encode("utf-8")
    if fmt == "pdf":
        from spaser.reports.rendering import report_pdf

        return bytes(report_pdf(content))
    if fmt == "csv":
        return opendata.to_csv(content, separator=separator)
    if fmt == "json":
        return opendata.to_json(content)
    return opendata.to_xlsx(content)
