"""spaser create_api_token --user USERNAME --name NAME [--days N]: create an API token and print it once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from spaser.api import services


class Command(BaseCommand):
    help = "Crée un jeton d'API pour un utilisateur et l'affiche une seule fois."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Identifiant de connexion de l'utilisateur.")
        parser.add_argument("--name", required=True, help="Nom du jeton (« Tableau BI »…).")
        parser.add_argument(
            "--days", type=int, default=None, help="Validité en jours (défaut : sans expiration)."
        )

    def handle(self, *args, user: str, name: str, days: int | None, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"Utilisateur inconnu : « {user} ».")
        try:
            created = services.create_token(user=owner, name=name, days=days)
        except ValidationError as error:
            raise CommandError(" ".join(m for ms in error.message_dict.values() for m in ms)) from None
        token = created.token
        until = f"jusqu'au {token.expires_at:%d/%m/%Y}" if token.expires_at else "sans expiration"
        self.stderr.write(
            f"Jeton « {token.name} » créé pour {owner.get_username()} ({until}). "
            "Copiez-le maintenant : il ne sera plus affiché."
        )
        self.stdout.write(created.secret)
