"""A demo input campaign for the manual indicators of 2025, in the states a pilot meets: values validated
(they show on the dashboards), one submitted and waiting for validation, one sent back with a comment. Made
through the campaigns app's own services, as the users would, with the demo accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from spaser.campaigns import services
from spaser.campaigns.models import Campaign
from spaser.schemes.models import Scheme

YEAR = 2025
DUE = date(2026, 2, 27)
# code → (account of the owner direction's referent, value, comment, what the pilot does)
ENTRIES = {
    "E7a": ("colleges", Decimal("48.5"), "Bilan des achats des collèges (gestionnaires).", "validate"),
    "E7b": ("colleges", Decimal("17.2"), "Dont produits biologiques (même source).", "validate"),
    "S9": ("insertion", Decimal(7), "Sourçage SIAE réalisé avec le facilitateur.", "validate"),
    "T6": ("ecologie", Decimal(124), "Agents formés (sessions achats responsables 2025).", "submit"),
    "E5": ("ecologie", Decimal("12.5"), "Estimation sur les achats de mobilier.", "send_back"),
}  # fmt: skip
SEND_BACK = (
    "Précisez la catégorie AGEC et la source de l'estimation (factures ou déclarations des titulaires)."
)


def load_demo_campaign(scheme: Scheme) -> str:
    """Open and fill the 2025 campaign once (a later load leaves it as the users made it)."""
    if Campaign.objects.filter(scheme=scheme, year=YEAR, period="A").exists():
        return "déjà présente (laissée telle quelle)"
    accounts = ["pilote", "colleges", "insertion", "ecologie"]
    users = {user.username: user for user in get_user_model().objects.filter(username__in=accounts)}
    pilot = users["pilote"]
    indicators = list(scheme.indicators().filter(code__in=list(ENTRIES)))
    campaign = services.open_campaign(
        scheme=scheme, year=YEAR, due_date=DUE, user=pilot, indicators=indicators,
        note="Campagne de démonstration : valeurs fictives.",
    )  # fmt: skip
    for entry in campaign.entries.select_related("indicator"):
        account, value, comment, action = ENTRIES[entry.indicator.code]
        entry = services.submit_entry(entry=entry, user=users[account], value=value, comment=comment)
        if action == "validate":
            services.validate_entry(entry=entry, user=pilot)
        elif action == "send_back":
            services.send_back_entry(entry=entry, user=pilot, comment=SEND_BACK)
    return f"« {campaign.title} » ouverte, {len(indicators)} saisies"
