"""The project pages: the list (filters, sorts, pagination, empty state, CSV export, bounded queries),
creation and editing. The project's own page: test_project_page.py."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from spaser.projects import workflow
from spaser.projects.models import (
    Outcome,
    Project,
    ReferralRule,
)
from spaser.projects.stages import Stage

from .conftest import SIRET, make_project, member
from .pages_support import PLANNED, contract, decide, text

pytestmark = pytest.mark.django_db


# --- List ---------------------------------------------------------------------------------------------


def test_the_list_shows_the_projects_with_their_state(client, world):
    ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="Travaux", cpv_prefixes="45"
    )
    project = make_project(world, planned_launch_date=date(2026, 12, 1), **PLANNED)
    decide(world, project, Outcome.REDUCE)
    client.force_login(world.pilot)
    page = text(client.get(reverse("projects:list")))
    assert project.reference in page
    assert "Rénovation énergétique du collège Jean-Moulin" in page
    assert "1. Définition du besoin" in page
    assert "900 000" in page
    assert "01/12/2026" in page
    assert "0 / 1" in page  # advice given / required
    assert "Réduire le besoin" in page
    assert "Conforme" in page  # launch planned after 22 August 2026, everything planned
    assert "Nouveau projet d'achat" in page


def test_the_list_filters_live_in_the_url(client, world):
    works = make_project(world, title="Réfection de la chaussée RD 30")
    services_project = make_project(
        world,
        title="Nettoyage des locaux",
        nature="services",
        cpv="90910000",
        user=world.pilot,
        direction=world.resource,
    )
    abandoned = make_project(world, title="Achat de tablettes")
    workflow.move(
        project=abandoned,
        to_stage=Stage.ABANDONED,
        membership=member(world, world.pilot),
        user=world.pilot,
        comment="Besoin supprimé.",
    )
    client.force_login(world.pilot)

    def shown(**params):
        page = text(client.get(reverse("projects:list"), params))
        return {p.title for p in (works, services_project, abandoned) if p.title in page}

    assert shown() == {works.title, services_project.title, abandoned.title}
    assert shown(direction=world.resource.slug) == {services_project.title}
    assert shown(nature="works") == {works.title, abandoned.title}
    assert shown(etape="actifs") == {works.title, services_project.title}
    assert shown(etape="abandoned") == {abandoned.title}
    assert shown(q="chaussée") == {works.title}
    assert shown(q=works.reference) == {works.title}
    page = text(client.get(reverse("projects:list"), {"etape": "n-importe-quoi"}))
    assert "Sélectionnez un choix valide" in page  # the invalid filter is said, and ignored


def test_the_list_sorts_by_column(client, world):
    small = make_project(world, title="Petit projet", estimated_amount=Decimal("50000"))
    big = make_project(world, title="Grand projet", estimated_amount=Decimal("5000000"))
    client.force_login(world.pilot)
    page = text(client.get(reverse("projects:list"), {"tri": "-montant"}))
    assert page.index(big.title) < page.index(small.title)
    response = client.get(reverse("projects:list"), {"tri": "montant"})
    page = text(response)
    assert page.index(small.title) < page.index(big.title)
    assert 'aria-sort="ascending"' in response.content.decode()


def test_the_list_paginates_and_counts_its_queries(client, world, django_assert_max_num_queries):
    ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="Travaux", cpv_prefixes="45"
    )
    for number in range(55):
        make_project(world, title=f"Projet numéro {number}")
    client.force_login(world.resource_referent)  # the visibility through the advice asked
    client.get(reverse("projects:list"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("projects:list"))
    page = text(response)
    assert "55 projets" in page
    assert "page 1 sur 2" in page
    with django_assert_max_num_queries(10):
        second = text(client.get(reverse("projects:list"), {"page": 2}))
    assert "Projet numéro 0" in second
    assert "Projet numéro 54" not in second  # the newest first


def test_the_empty_list_says_so(client, world):
    client.force_login(world.prescribing_referent)
    page = text(client.get(reverse("projects:list")))
    assert "Aucun projet d'achat pour l'instant." in page
    page = text(client.get(reverse("projects:list"), {"q": "introuvable"}))
    assert "Aucun projet ne correspond à ces filtres." in page


def test_the_csv_export_follows_the_filters(client, world, buyer):
    ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="Travaux", cpv_prefixes="45"
    )
    renewed = contract(f"{SIRET}R0001", object="Ancien marché")
    project = make_project(world, title="Travaux; « guillemets »", renewed_contract=renewed)
    decide(world, project, Outcome.STOP)
    project.need_review.avoided_amount = Decimal("1234.5")
    project.need_review.save()
    make_project(world, title="Nettoyage", nature="services", cpv="90910000")
    client.force_login(world.pilot)
    response = client.get(reverse("projects:csv"), {"nature": "works"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Référence", "Objet", "Direction", "Étape"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Objet"] == "Travaux; « guillemets »"
    assert row["Montant estimé (€ HT)"] == "900000,00"
    assert row["Avis rendus"] == "0"
    assert row["Avis obligatoires"] == "1"
    assert row["Issue de la revue du besoin"] == "Renoncer à l'achat"
    assert row["Montant évité (€ HT)"] == "1234,50"
    assert row["Marché renouvelé"] == f"{SIRET}R0001"
    assert row["Lancement prévu"] == "01/12/2026"


# --- Create and edit -------------------------------------------------------------------------------------


def test_a_referent_creates_a_project_and_is_told_the_advice_asked(client, world):
    ReferralRule.objects.create(
        organisation=world.organisation,
        resource_direction=world.resource,
        name="Travaux",
        cpv_prefixes="45",
        deadline_days=15,
    )
    client.force_login(world.prescribing_referent)
    form = text(client.get(reverse("projects:create")))
    assert "Direction de la voirie" in form  # fixed, not a choice
    assert "Direction qui porte le projet" not in form
    response = client.post(
        reverse("projects:create"),
        {
            "title": "Réfection de la RD 30",
            "cpv": "4523 3141",
            "nature": "works",
            "estimated_amount": "1 200 000",
            "duration_months": "18",
            "planned_launch_date": "2027-02-01",
        },
        follow=True,
    )
    project = Project.objects.get(title="Réfection de la RD 30")
    assert response.redirect_chain[-1][0] == reverse("projects:detail", args=[project.pk])
    assert project.cpv == "45233141"
    assert project.estimated_amount == Decimal("1200000")
    assert project.direction == world.prescribing
    assert project.env_clause is None  # « pas encore décidé » is not « non »
    page = text(response)
    assert f"Projet {project.reference} créé." in page
    assert "Avis demandé : Délégation à la transition écologique (avant le" in page


def test_the_pilot_chooses_the_direction_and_errors_are_in_french(client, world):
    client.force_login(world.pilot)
    response = client.post(
        reverse("projects:create"),
        {"title": "", "cpv": "12", "nature": "works", "estimated_amount": "-5", "duration_months": "12"},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Direction : choisissez la direction qui porte le projet." in page
    assert "Objet : à renseigner." in page
    assert "Le code CPV doit comporter 8 chiffres" in page
    assert "Montant estimé : il ne peut pas être négatif." in page
    assert not Project.objects.exists()
    client.post(
        reverse("projects:create"),
        {
            "direction": world.resource.pk,
            "title": "Étude de sobriété",
            "cpv": "71314300",
            "nature": "services",
            "estimated_amount": "60000",
            "duration_months": "6",
            "env_clause": "oui",
            "env_criterion": "non",
        },
    )
    project = Project.objects.get()
    assert project.direction == world.resource
    assert (project.env_clause, project.env_criterion) == (True, False)
    assert "Aucun avis de direction ressource n'est requis" in text(
        client.get(reverse("projects:detail", args=[project.pk]))
    )


def test_editing_a_project(client, world, buyer):
    renewed = contract(f"{SIRET}R0002", object="Marché en cours")
    project = make_project(world)
    client.force_login(world.prescribing_referent)
    url = reverse("projects:edit", args=[project.pk])
    assert "Jean-Moulin" in client.get(url).content.decode()  # the current values, in the fields
    data = {
        "title": "Rénovation du collège Jean-Moulin",
        "cpv": "45210000",
        "nature": "works",
        "estimated_amount": "950000",
        "duration_months": "12",
        "renewed_uid": "inconnu-0001",
        "climate_derogation": "",
    }
    page = text(client.post(url, data))
    assert "Marché renouvelé : aucun marché d'identifiant « inconnu-0001 »" in page
    data["renewed_uid"] = renewed.uid
    data["climate_derogation"] = "Aucune offre environnementale sur ce segment."
    response = client.post(url, data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.renewed_contract == renewed
    assert project.estimated_amount == Decimal("950000")
    assert project.climate_derogation == "Aucune offre environnementale sur ce segment."
