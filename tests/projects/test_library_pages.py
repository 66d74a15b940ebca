"""The referral rule pages (pilot only) and the clause library pages (read by all, edited by the pilot)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from spaser.organisations.models import DirectionKind
from spaser.projects.models import ClauseKind, ClauseRecommendation, ReferralRule
from tests.factories import DirectionFactory

from .conftest import make_project


def rule_data(world, **changes):
    data = {
        "resource_direction": world.resource.pk,
        "name": "Travaux et fournitures",
        "cpv_prefixes": "45, 301",
        "natures": ["works", "supplies"],
        "min_amount": "40 000",
        "max_amount": "",
        "keywords": "",
        "deadline_days": "10",
    }
    data.update(changes)
    return data


def test_rule_pages_are_for_the_pilot_only(client, world):
    rule = ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="R", cpv_prefixes="45"
    )
    urls = [
        reverse("projects:rule_list"),
        reverse("projects:rule_create"),
        reverse("projects:rule_edit", args=[rule.pk]),
        reverse("projects:rule_test", args=[rule.pk]),
    ]
    for user in (world.resource_referent, world.prescribing_referent, world.committee_member):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403
        assert (
            client.post(reverse("projects:rule_active", args=[rule.pk]), {"active": "0"}).status_code == 403
        )
    client.force_login(world.outsider)
    assert client.get(reverse("projects:rule_edit", args=[rule.pk])).status_code == 404
    client.force_login(world.pilot)
    for url in urls:
        assert client.get(url).status_code == 200
    assert ReferralRule.objects.get(pk=rule.pk).is_active


def test_pilot_creates_edits_and_deactivates_a_rule(client, world):
    client.force_login(world.pilot)
    response = client.post(reverse("projects:rule_create"), rule_data(world))
    assert response.status_code == 302
    rule = ReferralRule.objects.get()
    assert rule.min_amount == Decimal("40000")
    assert rule.natures == ["works", "supplies"]
    assert rule.deadline_days == 10
    listing = client.get(reverse("projects:rule_list")).content.decode()
    assert "CPV commençant par 45, 301" in listing
    assert "à partir de 40" in listing
    response = client.post(reverse("projects:rule_edit", args=[rule.pk]), rule_data(world, name="Renommée"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Renommée"
    client.post(reverse("projects:rule_active", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert rule.is_active is False
    assert "Désactivée" in client.get(reverse("projects:rule_list")).content.decode()
    assert rule.history.count() == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cpv_prefixes": "4, 45"}, "Préfixes CPV : « 4 » invalide(s)"),
        ({"min_amount": "100 000", "max_amount": "50 000"}, "supérieur ou égal au montant minimal"),
        ({"cpv_prefixes": "", "natures": [], "min_amount": ""}, "indiquez au moins un critère"),
        ({"all_projects": "on"}, "décochez cette case ou retirez les critères"),
    ],
)
def test_rule_form_errors(client, world, changes, message):
    client.force_login(world.pilot)
    response = client.post(reverse("projects:rule_create"), rule_data(world, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReferralRule.objects.exists()


def test_rule_for_all_projects(client, world):
    client.force_login(world.pilot)
    data = rule_data(world, cpv_prefixes="", natures=[], min_amount="", all_projects="on")
    assert client.post(reverse("projects:rule_create"), data).status_code == 302
    rule = ReferralRule.objects.get()
    assert "Toutes les acquisitions</li>" in client.get(reverse("projects:rule_list")).content.decode()
    edit = client.get(reverse("projects:rule_edit", args=[rule.pk])).content.decode()
    assert re.search(r'<input type="checkbox" name="all_projects"[^>]* checked', edit)


def test_testing_a_rule_lists_the_open_projects_it_matches(client, world):
    matching = make_project(world, title="Rénovation de la toiture")
    make_project(world, title="Ordinateurs portables", cpv="30213100", nature="supplies")
    rule = ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="Travaux", cpv_prefixes="45"
    )
    client.force_login(world.pilot)
    html = client.get(reverse("projects:rule_test", args=[rule.pk])).content.decode()
    assert matching.reference in html
    assert "Rénovation de la toiture" in html
    assert "Ordinateurs portables" not in html
    assert "il le sera à la prochaine modification" in html


def test_defaults_button_shown_when_empty_and_loads_the_defaults(client, world):
    insertion = DirectionFactory(
        organisation=world.organisation, kind=DirectionKind.RESOURCE, name="Insertion"
    )
    client.force_login(world.pilot)
    html = client.get(reverse("projects:rule_list")).content.decode()
    assert "Charger les règles et la bibliothèque par défaut" in html
    response = client.post(
        reverse("projects:load_defaults"),
        {"environment": world.resource.pk, "insertion": insertion.pk, "purchasing": world.resource.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "chargées : adaptez-les" in html
    assert ReferralRule.objects.filter(resource_direction=insertion).exists()
    assert ClauseRecommendation.objects.count() >= 25
    assert "Charger les règles et la bibliothèque par défaut" not in html
    # Loading again creates nothing more; a prescribing direction is refused.
    response = client.post(
        reverse("projects:load_defaults"),
        {"environment": world.resource.pk, "insertion": insertion.pk, "purchasing": world.resource.pk},
        follow=True,
    )
    assert "0 règle(s) de saisine et 0 clause(s) chargées" in response.content.decode()
    response = client.post(
        reverse("projects:load_defaults"),
        {"environment": world.prescribing.pk, "insertion": insertion.pk, "purchasing": world.resource.pk},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_defaults_refuse_a_prescribing_direction(client, world):
    client.force_login(world.pilot)
    response = client.post(
        reverse("projects:load_defaults"),
        {
            "environment": world.prescribing.pk,
            "insertion": world.resource.pk,
            "purchasing": world.resource.pk,
        },
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not ReferralRule.objects.exists()
    client.force_login(world.resource_referent)
    response = client.post(
        reverse("projects:load_defaults"),
        {"environment": world.resource.pk, "insertion": world.resource.pk, "purchasing": world.resource.pk},
    )
    assert response.status_code == 403


@pytest.fixture
def clauses(world):
    make = ClauseRecommendation.objects.create
    return [
        make(
            organisation=world.organisation,
            cpv_prefix="45",
            family="Travaux",
            kind=ClauseKind.ENV_CLAUSE,
            title="Chantier propre",
            text="Tri en sept flux.",
            source="Code de l'environnement",
        ),
        make(
            organisation=world.organisation,
            cpv_prefix="15",
            family="Alimentation",
            kind=ClauseKind.ENV_CRITERION,
            title="Circuits courts",
            text="Approvisionnement direct.",
            suggested_weight=15,
        ),
        make(
            organisation=world.organisation,
            cpv_prefix="",
            family="Tous les achats",
            kind=ClauseKind.SOURCING,
            title="Sourcing inclusif",
            text="Rencontrer les SIAE.",
            is_active=False,
        ),
    ]


def test_library_is_readable_by_every_member_and_filterable(client, world, clauses):
    client.force_login(world.prescribing_referent)
    response = client.get(reverse("projects:clause_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chantier propre" in html
    assert "Circuits courts" in html
    assert "pondération suggérée : 15 %" in html
    assert "Sourcing inclusif" not in html  # deactivated
    assert "Nouvelle clause" not in html
    assert reverse("projects:clause_edit", args=[clauses[0].pk]) not in html
    html = client.get(reverse("projects:clause_list"), {"famille": "45"}).content.decode()
    assert "Chantier propre" in html
    assert "Circuits courts" not in html
    html = client.get(reverse("projects:clause_list"), {"type": "env_criterion"}).content.decode()
    assert "Circuits courts" in html
    assert "Chantier propre" not in html
    html = client.get(
        reverse("projects:clause_list"), {"famille": "tous", "inactives": "on"}
    ).content.decode()
    assert "Sourcing inclusif" in html
    assert "Chantier propre" not in html
    client.force_login(world.outsider)
    assert "Chantier propre" not in client.get(reverse("projects:clause_list")).content.decode()


def test_only_the_pilot_edits_the_library(client, world, clauses):
    clause = clauses[0]
    client.force_login(world.resource_referent)
    assert client.get(reverse("projects:clause_create")).status_code == 403
    assert client.post(reverse("projects:clause_edit", args=[clause.pk]), {"title": "x"}).status_code == 403
    assert (
        client.post(reverse("projects:clause_active", args=[clause.pk]), {"active": "0"}).status_code == 403
    )
    client.force_login(world.pilot)
    data = {
        "cpv_prefix": "39",
        "family": "Mobilier",
        "kind": "env_clause",
        "title": "Mobilier de réemploi",
        "text": "Une part du mobilier est issue du réemploi.",
        "suggested_weight": "",
        "source": "Décret n° 2024-134",
    }
    assert client.post(reverse("projects:clause_create"), data).status_code == 302
    created = ClauseRecommendation.objects.get(title="Mobilier de réemploi")
    assert created.cpv_prefix == "39"
    response = client.post(
        reverse("projects:clause_create"), {**data, "cpv_prefix": "3", "suggested_weight": "10"}
    )
    html = response.content.decode()
    assert "Famille CPV (préfixe) : de 2 à 8 chiffres" in html
    assert "Pondération suggérée : seulement pour un critère" in html
    response = client.post(
        reverse("projects:clause_edit", args=[clause.pk]), {**data, "title": "Chantier vert"}
    )
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.title == "Chantier vert"
    client.post(reverse("projects:clause_active", args=[clause.pk]), {"active": "0"})
    clause.refresh_from_db()
    assert clause.is_active is False


def test_library_empty_state_offers_the_defaults_to_the_pilot_only(client, world):
    client.force_login(world.committee_member)
    html = client.get(reverse("projects:clause_list")).content.decode()
    assert "La bibliothèque de clauses est vide" in html
    assert "Charger les règles" not in html
    client.force_login(world.pilot)
    assert (
        "Charger les règles et la bibliothèque par défaut"
        in client.get(reverse("projects:clause_list")).content.decode()
    )
