"""spaser import_decp CHEMIN [CHEMIN ...] [--dry-run] [--json] [--report FICHIER.csv] [--source NOM]"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from spaser.contracts.importing.report import HEADER
from spaser.contracts.services import ImportSummary, import_decp_file
from spaser.decp import DecpError
from spaser.decp.reader import FORMAT_LABELS


class Command(BaseCommand):
    help = (
        "Importe un ou plusieurs fichiers DECP (JSON 2019 ou 2022, XML, format tabulaire CSV/Parquet) "
        "dans la base des marchés. Chaque fichier donne un import distinct ; chaque enregistrement lu est "
        "créé, mis à jour, inchangé, doublon ou mis en quarantaine (inexploitable, conservé avec ses "
        "motifs), et lus = créés + mis à jour + inchangés + doublons + en quarantaine. Réimporter un "
        "fichier ne crée rien. Doublons (même uid = SIRET de l'acheteur + identifiant), dans un fichier "
        "comme entre fichiers et plateformes : la version publiée le plus récemment l'emporte (date de "
        "publication, ou de sa dernière modification), puis celle qui a le plus de modifications, puis la "
        "plus complète, puis la dernière lue ; une source plus ancienne n'écrase jamais une version plus "
        "récente déjà enregistrée (elle est comptée en doublon) ; chaque source qui a publié le marché "
        "est ajoutée à ses sources. Tous les fichiers sont importés ensemble ou pas du tout : si l'un "
        "d'eux est introuvable, invalide ou d'un format non pris en charge, la base reste inchangée. "
        "Avec --json : un objet JSON pour un fichier, une liste d'objets (un par fichier, dans l'ordre "
        "des chemins) pour plusieurs."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="CHEMIN", help="fichier(s) DECP à importer")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="essai à blanc : lit, compte et produit le rapport, mais n'enregistre rien",
        )
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="affiche le bilan en JSON (read, created, updated, unchanged, duplicates, quarantined, "
            "warnings…)",
        )
        parser.add_argument(
            "--report",
            metavar="FICHIER.csv",
            help="écrit le rapport ligne à ligne (fichier, position, uid, sort, motifs, alertes qualité) : "
            "CSV séparé par « ; », UTF-8 avec BOM, lisible dans Excel",
        )
        parser.add_argument(
            "--source",
            default="",
            metavar="NOM",
            help="nom de la source (plateforme, profil d'acheteur) enregistré sur l'import et dans les "
            "sources de chaque marché ; par défaut, le nom du fichier",
        )
        parser.add_argument(
            "--user",
            metavar="IDENTIFIANT",
            help="compte au nom duquel l'import est fait : il apparaît alors dans l'historique des imports "
            "de son organisation (par défaut, seuls les superutilisateurs voient les imports en ligne de "
            "commande)",
        )
        parser.add_argument(
            "--sans-schema",
            dest="validate_schema",
            action="store_false",
            help="ne contrôle pas chaque enregistrement avec le schéma officiel de son format (plus rapide)",
        )

    def handle(self, *args, paths, as_json, dry_run, report, source, validate_schema, user, **options):
        account = _account(user) if user else None
        summaries: list[ImportSummary] = []
        try:
            # One transaction for the whole run: a bad file given after good ones leaves the base unchanged.
            with transaction.atomic(), _progress_bar() as bar:
                for path in paths:
                    summaries.append(
                        import_decp_file(
                            path=path,
                            user=account,
                            source_label=source,
                            dry_run=dry_run,
                            validate_schema=validate_schema,
                            progress=bar.task(Path(path).name) if bar else None,
                        )
                    )
                if report:
                    _write_report(Path(report), summaries)
        except DecpError as error:
            _forget_reports(summaries)
            raise CommandError(str(error)) from None
        except OSError as error:
            _forget_reports(summaries)
            raise CommandError(
                f"Impossible d'écrire le rapport « {report} » : {error.strerror or error}."
            ) from None
        if as_json:
            payload = [_public(summary) for summary in summaries]
            self.stdout.write(
                json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)
            )
        else:
            for summary in summaries:
                self.stdout.write(_french(summary))
            if report:
                self.stdout.write(f"Rapport ligne à ligne : {report}")


def _account(username: str):
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"--user : aucun compte « {username} ».") from None


def _public(summary: ImportSummary) -> dict:
    """The summary without the list of touched ids, which can run to thousands of numbers."""
    data = summary.as_dict()
    del data["touched_ids"]
    return data


def _write_report(path: Path, summaries: list[ImportSummary]) -> None:
    """One CSV for all the files of the run: the stored reports, one header."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for summary in summaries:
            with default_storage.open(summary.report_file, "rb") as stored:
                lines = (line.decode("utf-8-sig") for line in stored)
                reader = csv.reader(lines, delimiter=";")
                next(reader, None)
                writer.writerows(reader)


def _forget_reports(summaries: list[ImportSummary]) -> None:
    """The run was rolled back: its stored reports describe imports that no longer exist."""
    for summary in summaries:
        if summary.report_file:
            default_storage.delete(summary.report_file)


def _french(summary: ImportSummary) -> str:
    label = FORMAT_LABELS.get(summary.format, summary.format)
    title = (
        f"Essai à blanc de « {summary.source} » (format {label}) — rien n'a été enregistré :"
        if summary.dry_run
        else f"Import de « {summary.source} » (format {label}, import n° {summary.batch}) :"
    )
    lines = [
        title,
        f"  {summary.read} enregistrement(s) lu(s)",
        f"  {summary.created} marché(s) créé(s)",
        f"  {summary.updated} mis à jour",
        f"  {summary.unchanged} inchangé(s)",
        f"  {summary.duplicates} doublon(s) écarté(s) (même acheteur et même identifiant)",
        f"  {summary.quarantined} en quarantaine (inexploitables, conservés avec leurs motifs)",
    ]
    if summary.warnings:
        lines.append(f"  dont {summary.warnings} marché(s) conservé(s) avec des alertes qualité")
    if summary.attributed:
        lines.append(f"  {summary.attributed} marché(s) attribué(s) à une direction par les règles")
    return "\n".join(lines)


class _Bar:
    """A rich progress bar on the terminal's error stream (stdout stays clean for --json and pipes)."""

    def __init__(self, progress):
        self.progress = progress

    def task(self, name: str):
        task_id = self.progress.add_task(name, total=None)

        def advance(read: int, fraction: float | None) -> None:
            if fraction is None:
                self.progress.update(task_id, description=f"{name} — {read} lus")
            else:
                self.progress.update(
                    task_id, total=1.0, completed=fraction, description=f"{name} — {read} lus"
                )

        return advance


@contextmanager
def _progress_bar() -> Iterator[_Bar | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield _Bar(progress)
