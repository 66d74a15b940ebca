"""Demo accounts (documented in the README). One per role; same password for all, demo only."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from spaser.organisations.models import Membership, Organisation, Role

DEMO_PASSWORD = "spaser-demo"  # documented demo password, demo data only


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str | None  # None: superuser without membership
    direction: str | None = None


DEMO_USERS = (
    DemoUser("pilote", "Camille", "Martin", Role.PILOT, "dcap"),
    DemoUser("ecologie", "Nadia", "Benali", Role.RESOURCE_REFERENT, "dter"),
    DemoUser("insertion", "Thomas", "Leroy", Role.RESOURCE_REFERENT, "dieess"),
    DemoUser("batiments", "Sophie", "Nguyen", Role.PRESCRIBING_REFERENT, "batiments"),
    DemoUser("colleges", "Karim", "Haddad", Role.PRESCRIBING_REFERENT, "colleges"),
    DemoUser("comite", "Hélène", "Dubois", Role.COMMITTEE_MEMBER),
    DemoUser("admin", "Admin", "Spaser", None),
)


def ensure_demo_users(organisation: Organisation) -> int:
    """Create or reset the demo accounts and their roles; returns how many accounts exist afterwards."""
    User = get_user_model()
    directions = {d.slug: d for d in organisation.directions.all()}
    for spec in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username}@demo.spaser.invalid"
        user.is_superuser = user.is_staff = spec.role is None
        user.set_password(DEMO_PASSWORD)
        user.save()
        if spec.role is not None:
            Membership.objects.update_or_create(
                user=user,
                organisation=organisation,
                defaults={
                    "role": spec.role,
                    "direction": directions.get(spec.direction) if spec.direction else None,
                },
            )
    return len(DEMO_USERS)
