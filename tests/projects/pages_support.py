"""Helpers of the project page tests (test_project_pages.py, test_project_page.py): a page's text, a need
review decided, a contract of the demo buyer."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

from django.utils.html import strip_tags

from spaser.contracts.models import Contract
from spaser.projects import reviews
from spaser.projects.models import Outcome

from .conftest import SIRET, member

PLANNED = {"env_clause": True, "env_criterion": True, "social_clause": True}


def text(response) -> str:
    """The page as a reader gets it: text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(strip_tags(response.content.decode())))


def decide(world, project, outcome=Outcome.BUY):
    reviews.review_update(
        project=project,
        membership=member(world, world.pilot),
        user=world.pilot,
        answers={},
        outcome=outcome,
        justification="Besoin confirmé.",
        avoided_amount=None,
    )


def contract(uid, **fields):
    values = {
        "uid": uid,
        "buyer_siret": SIRET,
        "contract_id": uid[-5:],
        "object": "Travaux de rénovation du collège",
        "cpv": "45210000",
        "cpv_division": "45",
        "amount": Decimal("800000"),
        "notification_date": date(2026, 10, 1),
        "notification_year": 2026,
        "raw": {},
        "content_hash": uid,
    }
    values.update(fields)
    return Contract.objects.create(**values)
