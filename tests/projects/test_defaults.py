"""The default referral rules and clause library: idempotent, never overwriting the pilot's edits."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from spaser.organisations.models import DirectionKind
from spaser.projects import defaults, workflow
from spaser.projects.models import Advice, ClauseKind, ClauseRecommendation, ReferralRule
from tests.factories import DirectionFactory

from .conftest import make_project


@pytest.fixture
def parts(world):
    """The three resource directions: ecology (the world's), insertion, purchasing."""
    insertion = DirectionFactory(
        organisation=world.organisation,
        name="Mission insertion",
        slug="insertion",
        kind=DirectionKind.RESOURCE,
    )
    purchasing = DirectionFactory(
        organisation=world.organisation,
        name="Direction des achats",
        slug="achats",
        kind=DirectionKind.RESOURCE,
    )
    return {"environment": world.resource, "insertion": insertion, "purchasing": purchasing}


def test_seed_creates_rules_and_a_library_of_about_25_clauses(world, parts):
    rules, clauses = defaults.seed_defaults(world.organisation, **parts)
    assert (
        rules == len(defaults.RULES) == ReferralRule.objects.filter(organisation=world.organisation).count()
    )
    assert clauses == len(defaults.CLAUSES) >= 25
    library = ClauseRecommendation.objects.filter(organisation=world.organisation)
    assert {c.cpv_prefix for c in library} >= {
        "",
        "45",
        "90",
        "77",
        "15",
        "30",
        "48",
        "34",
        "39",
        "18",
        "79",
        "55",
    }
    assert all(c.source and c.text for c in library)
    criteria = library.filter(kind__in=[ClauseKind.ENV_CRITERION, ClauseKind.SOCIAL_CRITERION])
    assert criteria.exists()
    assert all(c.suggested_weight for c in criteria)
    # Each direction received its rules.
    assert set(ReferralRule.objects.values_list("resource_direction", flat=True)) == {
        d.pk for d in parts.values()
    }


def test_seed_twice_creates_nothing_more(world, parts):
    defaults.seed_defaults(world.organisation, **parts)
    assert defaults.seed_defaults(world.organisation, **parts) == (0, 0)
    assert ReferralRule.objects.count() == len(defaults.RULES)
    assert ClauseRecommendation.objects.count() == len(defaults.CLAUSES)


def test_an_edited_renamed_or_deleted_default_is_neither_overwritten_nor_recreated(world, parts):
    defaults.seed_defaults(world.organisation, **parts)
    edited = ReferralRule.objects.get(name__startswith="Services et travaux")
    edited.min_amount = Decimal("120000")
    edited.is_active = False
    edited.save()
    renamed = ReferralRule.objects.get(name__startswith="Travaux à partir")
    renamed.name = "Gros travaux"
    renamed.save()
    ClauseRecommendation.objects.get(title__startswith="Électricité").delete()

    assert defaults.seed_defaults(world.organisation, **parts) == (0, 0)
    edited.refresh_from_db()
    assert edited.min_amount == Decimal("120000")
    assert edited.is_active is False
    assert not ReferralRule.objects.filter(name__startswith="Travaux à partir").exists()
    assert not ClauseRecommendation.objects.filter(title__startswith="Électricité").exists()


def test_another_organisation_gets_its_own_defaults(world, parts):
    defaults.seed_defaults(world.organisation, **parts)
    other = world.other_organisation
    dirs = {
        part: DirectionFactory(organisation=other, kind=DirectionKind.RESOURCE)
        for part in ("environment", "insertion", "purchasing")
    }
    assert defaults.seed_defaults(other, **dirs) == (len(defaults.RULES), len(defaults.CLAUSES))


def test_directions_must_be_resource_directions_of_the_organisation(world, parts):
    with pytest.raises(ValidationError, match="direction ressource"):
        defaults.seed_defaults(world.organisation, **{**parts, "purchasing": world.prescribing})
    foreign = DirectionFactory(organisation=world.other_organisation, kind=DirectionKind.RESOURCE)
    with pytest.raises(ValidationError, match="achats"):
        defaults.seed_defaults(world.organisation, **{**parts, "purchasing": foreign})
    assert not ReferralRule.objects.exists()


def test_default_rules_refer_a_cleaning_contract_to_insertion_and_environment_not_purchasing(world, parts):
    defaults.seed_defaults(world.organisation, **parts)
    project = make_project(
        world,
        title="Nettoyage des collèges",
        cpv="90910000",
        nature="services",
        estimated_amount=Decimal("50000"),
    )
    asked = set(Advice.objects.filter(project=project).values_list("resource_direction", flat=True))
    assert asked == {parts["insertion"].pk}
    big = make_project(
        world, title="Réhabilitation du collège", cpv="45210000", estimated_amount=Decimal("2000000")
    )
    assert set(big.advices.values_list("resource_direction", flat=True)) == {d.pk for d in parts.values()}
    assert workflow.refer(big) == []


def test_command_prints_what_it_created(world, parts):
    out = StringIO()
    args = [
        "--organisation",
        world.organisation.slug,
        "--environment",
        parts["environment"].slug,
        "--insertion",
        "insertion",
        "--purchasing",
        "achats",
    ]
    call_command("seed_purchase_defaults", *args, stdout=out)
    text = out.getvalue()
    assert "Règle créée : Travaux à partir de 1 000 000 € HT → " in text
    assert f"{len(defaults.RULES)} règle(s) de saisine et {len(defaults.CLAUSES)} clause(s) créée(s)" in text
    out = StringIO()
    call_command("seed_purchase_defaults", *args, stdout=out)
    assert "0 règle(s) de saisine et 0 clause(s)" in out.getvalue()
    with pytest.raises(CommandError, match="inconnue"):
        call_command("seed_purchase_defaults", *args[:-1], "nulle-part", stdout=StringIO())
