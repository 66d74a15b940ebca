"""spaser remind_campaigns [--dry-run]: remind the directions that still owe entries in open campaigns due
within 7 days or past due (the same function as the daily huey task and the pilot's button)."""

from django.core.management.base import BaseCommand

from spaser.campaigns.models import ReminderTrigger
from spaser.campaigns.reminders import REMINDER_WINDOW_DAYS, send_reminders


class Command(BaseCommand):
    help = (
        "Relance par courriel les directions qui ont encore des indicateurs à saisir dans les campagnes "
        f"ouvertes dont l'échéance tombe dans les {REMINDER_WINDOW_DAYS} jours ou est dépassée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche qui serait relancé, sans envoyer de courriel ni rien enregistrer.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        report = send_reminders(trigger=ReminderTrigger.COMMAND, dry_run=dry_run)
        if not report.dues:
            self.stdout.write("Aucune saisie en attente dans une campagne proche de son échéance.")
            return
        for due in report.dues:
            codes = ", ".join(entry.indicator.code for entry in due.entries)
            where = f"{due.campaign.title} — {due.label} ({codes})"
            if due.already_reminded:
                self.stdout.write(f"Déjà relancée aujourd'hui : {where}")
            elif not due.recipients:
                self.stdout.write(
                    self.style.WARNING(f"Personne à relancer (aucun membre avec courriel) : {where}")
                )
            else:
                people = ", ".join(user.email for user in due.recipients)
                verb = "Serait relancée" if dry_run else "Relancée"
                self.stdout.write(f"{verb} : {where} → {people}")
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Essai à blanc : aucun courriel envoyé, rien enregistré."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{report.mails_sent} courriel(s) envoyé(s)."))
