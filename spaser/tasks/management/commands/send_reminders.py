"""spaser send_reminders [--dry-run] [--date YYYY-MM-DD]: e-mail each member its tasks overdue or due within
7 days (one e-mail per person and day at most), for cron. See spaser/tasks/reminders.py."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from spaser.tasks.reminders import REMINDER_WINDOW_DAYS, send_reminders


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


class Command(BaseCommand):
    help = (
        "Envoie à chaque membre un courriel listant ses tâches en retard ou à traiter dans les "
        f"{REMINDER_WINDOW_DAYS} jours (revues du juste besoin, avis, renouvellements, projets bloqués), "
        "une fois par jour au plus."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche qui serait relancé, sans envoyer de courriel ni rien enregistrer.",
        )
        parser.add_argument(
            "--date",
            default="",
            help="Jour de référence AAAA-MM-JJ (par défaut : aujourd'hui).",
        )

    def handle(self, *args, dry_run: bool = False, date: str = "", **options):
        today = None
        if date:
            try:
                today = _parse(date)
            except ValueError as error:
                raise CommandError(
                    f"Date : « {date} » n'est pas une date valide au format AAAA-MM-JJ."
                ) from error
        report = send_reminders(today=today, dry_run=dry_run)
        verb = "Relance à envoyer à" if dry_run else "Relance envoyée à"
        for person in report.sent:
            self.stdout.write(f"{verb} : {person.user.email} — {self._count(person)}")
        for person in report.already_reminded:
            self.stdout.write(f"Relance déjà envoyée le {report.day:%d/%m/%Y} à : {self._who(person)}")
        for person in report.without_email:
            self.stdout.write(
                self.style.WARNING(f"Pas d'adresse électronique, relance impossible : {self._who(person)}")
            )
        for person in report.failed:
            self.stdout.write(self.style.ERROR(f"Envoi impossible : {person.user.email}"))
        summary = (
            f"Relances du {report.day:%d/%m/%Y} : "
            f"{_plural(len(report.sent), 'courriel')} {'à envoyer' if dry_run else 'envoyé(s)'}, "
            f"{_plural(len(report.without_email), 'personne')} sans adresse électronique, "
            f"{_plural(len(report.already_reminded), 'personne')} déjà relancée(s) ce jour, "
            f"{_plural(report.nothing_to_send, 'personne')} sans rien à relancer"
        )
        if report.failed:
            summary += f", {_plural(len(report.failed), 'envoi')} en échec"
        self.stdout.write(self.style.SUCCESS(summary + "."))
        if dry_run:
            self.stdout.write("Essai à blanc : aucun courriel envoyé, rien enregistré.")

    @staticmethod
    def _who(person) -> str:
        return person.user.get_full_name() or person.user.get_username()

    @staticmethod
    def _count(person) -> str:
        text = _plural(len(person.tasks), "tâche")
        if person.overdue_count:
            text += f" dont {person.overdue_count} en retard"
        return text


def _parse(value: str) -> date:
    return date.fromisoformat(value)
