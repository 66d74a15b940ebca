"""spaser seed_purchase_defaults --organisation SLUG --environment SLUG --insertion SLUG --purchasing SLUG:
create the default referral rules and clause library (spaser/projects/defaults.py) of an organisation, without
duplicating nor overwriting what exists; prints what it created."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from spaser.organisations.models import Direction, Organisation
from spaser.projects.defaults import seed_defaults_report


class Command(BaseCommand):
    help = (
        "Crée les règles de saisine et la bibliothèque de clauses par défaut d'une organisation "
        "(sans doublon ni écrasement de ce que le pilote a modifié)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Identifiant court de l'organisation.")
        parser.add_argument(
            "--environment", required=True, help="Direction ressource de la transition écologique."
        )
        parser.add_argument(
            "--insertion", required=True, help="Direction ressource de l'insertion, de l'emploi et de l'ESS."
        )
        parser.add_argument("--purchasing", required=True, help="Direction ressource des achats.")

    def handle(self, *args, **options):
        try:
            organisation = Organisation.objects.get(slug=options["organisation"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"Organisation inconnue : {options['organisation']}") from exc
        directions = {}
        for part in ("environment", "insertion", "purchasing"):
            slug = options[part]
            direction = Direction.objects.filter(organisation=organisation, slug=slug).first()
            if direction is None:
                raise CommandError(f"--{part} : direction « {slug} » inconnue dans {organisation}.")
            directions[part] = direction
        try:
            report = seed_defaults_report(organisation, **directions)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for rule in report.rules:
            self.stdout.write(f"Règle créée : {rule.name} → {rule.resource_direction}")
        for clause in report.clauses:
            self.stdout.write(f"Clause créée : [{clause.family}] {clause.title}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.rules)} règle(s) de saisine et {len(report.clauses)} clause(s) créée(s) "
                f"pour {organisation}."
            )
        )
