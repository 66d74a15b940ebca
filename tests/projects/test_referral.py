"""Referral rules: which resource directions must advise a project (referral.py, workflow.refer)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from spaser.organisations.models import DirectionKind
from spaser.projects import services
from spaser.projects.models import Advice, AdviceStatus, ReferralRule
from spaser.projects.referral import matches
from tests.factories import DirectionFactory

from .conftest import make_project, member


def rule(world, direction=None, **fields):
    values = {"name": "Règle", "deadline_days": 15}
    values.update(fields)
    return ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=direction or world.resource, **values
    )


def asked(project) -> set:
    return set(project.advices.values_list("resource_direction__short_name", flat=True))


def test_cpv_prefix_matches_the_start_of_the_code(world):
    rule(world, cpv_prefixes="301, 48")
    assert asked(make_project(world, cpv="30125000", nature="supplies")) == {"DTER"}
    assert asked(make_project(world, cpv="48000000", nature="supplies")) == {"DTER"}
    assert asked(make_project(world, cpv="30200000", nature="supplies")) == set()


def test_nature_and_amount_range(world):
    r = rule(world, natures=["services", "works"], min_amount=Decimal("90000"), max_amount=Decimal("500000"))
    low = make_project(world, nature="works", estimated_amount=Decimal("89999.99"))
    at_min = make_project(world, nature="works", estimated_amount=Decimal("90000"))
    at_max = make_project(world, nature="services", cpv="79000000", estimated_amount=Decimal("500000"))
    above = make_project(world, nature="works", estimated_amount=Decimal("500000.01"))
    supplies = make_project(world, nature="supplies", cpv="30200000", estimated_amount=Decimal("100000"))
    assert [matches(r, p) for p in (low, at_min, at_max, above, supplies)] == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert asked(at_min) == {"DTER"}
    assert asked(supplies) == set()


def test_keywords_ignore_accents_and_case_and_search_the_description(world):
    rule(world, keywords="vehicule, espaces verts")
    assert asked(make_project(world, title="Achat de VÉHICULES électriques", cpv="34100000")) == {"DTER"}
    assert asked(make_project(world, title="Entretien", description="Tonte des espaces verts")) == {"DTER"}
    # A keyword matches the start of a word, not its middle.
    assert asked(make_project(world, title="Location de motovéhicules")) == set()


def test_every_criterion_of_a_rule_must_match(world):
    rule(world, cpv_prefixes="45", keywords="énergétique")
    assert asked(make_project(world, title="Rénovation énergétique", cpv="45210000")) == {"DTER"}
    assert asked(make_project(world, title="Réfection de toiture", cpv="45210000")) == set()


def test_an_inactive_rule_refers_nothing(world):
    rule(world, cpv_prefixes="45", is_active=False)
    assert asked(make_project(world)) == set()


def test_several_rules_of_one_direction_ask_one_advice_with_the_shortest_deadline(world):
    rule(world, name="Travaux", cpv_prefixes="45", deadline_days=20)
    short = rule(world, name="Gros montants", min_amount=Decimal("100000"), deadline_days=8)
    insertion = DirectionFactory(
        organisation=world.organisation, short_name="INS", kind=DirectionKind.RESOURCE
    )
    rule(world, insertion, name="Insertion", natures=["works"], deadline_days=30)
    project = make_project(world)
    advices = {
        a.resource_direction.short_name: a for a in project.advices.select_related("resource_direction")
    }
    assert set(advices) == {"DTER", "INS"}
    today = timezone.localdate()
    assert advices["DTER"].deadline == today + timedelta(days=8)
    assert advices["DTER"].rule in {short, ReferralRule.objects.get(name="Travaux")}
    assert advices["DTER"].status == AdviceStatus.REQUESTED
    assert advices["DTER"].required is True
    assert advices["DTER"].stage_at_request == "need"
    assert advices["INS"].deadline == today + timedelta(days=30)


def test_update_refers_again_without_duplicating_nor_withdrawing(world):
    rule(world, min_amount=Decimal("100000"))
    project = make_project(world, estimated_amount=Decimal("50000"))
    assert asked(project) == set()
    editor = member(world, world.prescribing_referent)
    services.project_update(project=project, membership=editor, estimated_amount=Decimal("150000"))
    assert asked(project) == {"DTER"}
    services.project_update(project=project, membership=editor, title="Rénovation du collège Jean-Moulin")
    assert Advice.objects.filter(project=project).count() == 1
    # Back under the threshold: the advice already asked stays.
    services.project_update(project=project, membership=editor, estimated_amount=Decimal("10000"))
    assert asked(project) == {"DTER"}


def test_rules_of_another_organisation_never_apply(world):
    other_direction = DirectionFactory(organisation=world.other_organisation, kind=DirectionKind.RESOURCE)
    ReferralRule.objects.create(
        organisation=world.other_organisation,
        resource_direction=other_direction,
        name="Tout",
        cpv_prefixes="45",
    )
    assert asked(make_project(world)) == set()


def test_a_rule_with_an_amount_does_not_match_a_project_without_amount(world):
    r = rule(world, min_amount=Decimal("1"))
    project = make_project(world)
    assert matches(r, project) is True
    project.estimated_amount = None
    assert matches(r, project) is False
