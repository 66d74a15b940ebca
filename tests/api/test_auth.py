"""Token authentication: missing, malformed, invalid, revoked, expired tokens are 401 with a French
`detail`; a valid token reaches the endpoint and is marked as used; only the hash is stored."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from spaser.api import services
from spaser.api.models import ApiToken

from .conftest import bearer

pytestmark = pytest.mark.django_db
ME = "/api/v1/me"


def test_missing_token_is_401_in_french(client, world):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Jeton d'API absent : ajoutez l'en-tête « Authorization: Bearer <jeton> »."
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_other_scheme_than_bearer_is_401(client, world):
    response = client.get(ME, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_invalid_token_is_401(client, world):
    response = client.get(ME, headers=bearer(world.tokens["pilot"] + "x"))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Jeton d'API invalide")


def test_revoked_token_is_401(client, world):
    secret = world.tokens["pilot"]
    token = services.authenticate(secret)
    services.revoke_token(token=token, user=world.pilot)
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Jeton d'API révoqué le ")


def test_expired_token_is_401(client, world):
    secret = world.tokens["pilot"]
    ApiToken.objects.filter(user=world.pilot).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Jeton d'API expiré le ")


def test_inactive_user_token_is_401(client, world):
    world.pilot.is_active = False
    world.pilot.save()
    response = client.get(ME, headers=bearer(world.tokens["pilot"]))
    assert response.status_code == 401
    assert "désactivé" in response.json()["detail"]


def test_valid_token_reaches_me_and_is_marked_used(client, world):
    response = client.get(ME, headers=bearer(world.tokens["prescribing_referent"]))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == world.prescribing_referent.username
    assert body["memberships"] == [
        {
            "organisation": world.organisation.slug,
            "organisation_name": world.organisation.name,
            "role": "prescribing_referent",
            "role_label": "Référent de direction prescriptrice",
            "direction": {"slug": world.prescribing.slug, "name": world.prescribing.name},
        }
    ]
    token = ApiToken.objects.get(user=world.prescribing_referent)
    assert body["token"]["prefix"] == token.prefix
    assert token.last_used_at is not None


def test_only_the_hash_of_the_secret_is_stored(world):
    secret = world.tokens["pilot"]
    token = ApiToken.objects.get(user=world.pilot)
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().first().values()]
    assert secret not in stored
    assert token.token_hash == services.hash_token(secret)
    assert secret.startswith(f"spaser_{token.prefix}_")


def test_creation_and_revocation_are_historised(world):
    token = ApiToken.objects.get(user=world.pilot)
    services.revoke_token(token=token, user=world.pilot)
    reasons = list(
        token.history.order_by("history_date").values_list("history_change_reason", "history_user")
    )
    assert reasons == [("Jeton créé", world.pilot.pk), ("Jeton révoqué", world.pilot.pk)]


def test_nobody_revokes_another_users_token(world):
    token = ApiToken.objects.get(user=world.pilot)
    with pytest.raises(services.PermissionDenied):
        services.revoke_token(token=token, user=world.outsider)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_create_api_token_command_prints_the_secret_once(world, capsys):
    call_command("create_api_token", user=world.committee_member.username, name="Tableau BI", days=10)
    out, err = capsys.readouterr()
    secret = out.strip()
    token = services.authenticate(secret)
    assert token.user == world.committee_member
    assert token.name == "Tableau BI"
    assert timedelta(days=9) < token.expires_at - timezone.now() <= timedelta(days=10)
    assert "ne sera plus affiché" in err


def test_create_api_token_command_refuses_unknown_user_and_bad_days(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Utilisateur inconnu"):
        call_command("create_api_token", user="personne", name="x")
    with pytest.raises(CommandError, match="entre 1 et 3650 jours"):
        call_command("create_api_token", user=world.pilot.username, name="x", days=0)
