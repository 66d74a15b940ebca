"""What `import_register` and `import_insertion` share: options, organisation, mapping, French summary."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spaser.organisations.models import Organisation

from .models import ColumnMapping
from .results import RegisterResult
from .tables import TableError


class RegisterImportCommand(BaseCommand):
    kind = ""  # a RegisterKind

    def run_import(self, **kwargs) -> RegisterResult:  # pragma: no cover - defined by each command
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="CHEMIN", help="fichier .xlsx ou .csv")
        parser.add_argument(
            "--mapping",
            default="",
            metavar="NOM",
            help="correspondance de colonnes enregistrée (page Registres) ; par défaut, les en-têtes sont "
            "reconnus d'après leurs synonymes (voir docs/registers.md)",
        )
        parser.add_argument(
            "--sheet", default="", metavar="FEUILLE", help="feuille du classeur (la première)"
        )
        parser.add_argument(
            "--encoding",
            default="",
            metavar="ENC",
            help="encodage du CSV (détecté : UTF-8, UTF-8 BOM, cp1252)",
        )
        parser.add_argument(
            "--delimiter",
            default="",
            metavar="C",
            help="séparateur du CSV (détecté : « ; », « , », tabulation)",
        )
        parser.add_argument("--organisation", default="", metavar="SLUG", help="organisation (si plusieurs)")
        parser.add_argument(
            "--source", default="", metavar="NOM", help="nom de la source (système d'origine)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="essai à blanc : compte, n'enregistre rien"
        )
        parser.add_argument(
            "--report", default="", metavar="FICHIER.csv", help="écrit le résultat ligne à ligne (CSV « ; »)"
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="bilan en JSON")

    def handle(self, *args, path, mapping, sheet, encoding, delimiter, organisation, source, dry_run, report,
               as_json, **options):  # fmt: skip
        target = self._organisation(organisation)
        saved = self._mapping(target, mapping) if mapping else None
        if not Path(path).is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            result = self.run_import(
                path=path,
                organisation=target,
                mapping=saved.mapping if saved else None,
                mapping_name=saved.name if saved else "",
                sheet=sheet,
                encoding=encoding,
                delimiter=delimiter,
                source_label=source,
                dry_run=dry_run,
            )
        except TableError as error:
            raise CommandError(f"{error} Rien n'a été enregistré.") from error
        if report:
            Path(report).write_bytes(result.report_csv())
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(result.summary_text())
        for outcome in result.outcomes:
            if outcome.fate == "rejected":
                self.stdout.write(f"  {outcome.message}")

    def _organisation(self, slug: str) -> Organisation:
        if slug:
            try:
                return Organisation.objects.get(slug=slug)
            except Organisation.DoesNotExist:
                raise CommandError(f"Organisation inconnue : « {slug} ».") from None
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) != 1:
            found = "plusieurs organisations en base" if organisations else "aucune organisation en base"
            raise CommandError(f"Indiquez l'organisation avec --organisation SLUG ({found}).")
        return organisations[0]

    def _mapping(self, organisation: Organisation, name: str) -> ColumnMapping:
        try:
            return ColumnMapping.objects.get(organisation=organisation, kind=self.kind, name=name)
        except ColumnMapping.DoesNotExist:
            names = ", ".join(
                f"« {n} »"
                for n in ColumnMapping.objects.filter(organisation=organisation, kind=self.kind).values_list(
                    "name", flat=True
                )
            )
            raise CommandError(
                f"Correspondance « {name} » inconnue pour {organisation}"
                + (f" (enregistrées : {names})." if names else " (aucune enregistrée).")
            ) from None
