"""The project pages: the list (filters, sorts, pagination, empty state, CSV export, bounded queries),
creation, the project's page (stages, blockers before the click, advice, clause library, Loi Climat, history),
stage moves and the pilot's override through the page, editing, the need review form and linking contracts."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from spaser.contracts.models import Contract
from spaser.organisations.models import Buyer
from spaser.projects import reviews, workflow
from spaser.projects.models import (
    Advice,
    AdviceStatus,
    ClauseKind,
    ClauseRecommendation,
    NeedReview,
    Outcome,
    Project,
    ReferralRule,
)
from spaser.projects.stages import Stage

from .conftest import make_project, member

pytestmark = pytest.mark.django_db
SIRET = "22930008201453"
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


@pytest.fixture
def buyer(world):
    return Buyer.objects.create(organisation=world.organisation, identifier=SIRET, name="Département")


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


# --- The project's page --------------------------------------------------------------------------------


def test_the_project_page_shows_stages_blockers_advice_clauses_and_climate(client, world):
    ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="Travaux", cpv_prefixes="45"
    )
    ClauseRecommendation.objects.create(
        organisation=world.organisation,
        cpv_prefix="452",
        family="Travaux de bâtiment",
        kind=ClauseKind.INSERTION_CLAUSE,
        title="Heures d'insertion : 5 % des heures travaillées",
        text="Le titulaire réserve 5 % des heures...",
    )
    ClauseRecommendation.objects.create(
        organisation=world.organisation,
        cpv_prefix="30",
        family="Informatique",
        kind=ClauseKind.ENV_CLAUSE,
        title="Matériel reconditionné",
        text="...",
    )
    project = make_project(world, planned_launch_date=date(2026, 9, 15), env_clause=False)
    client.force_login(world.prescribing_referent)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    html = response.content.decode()
    page = text(response)
    assert re.search(
        r'aria-current="step"[^>]*>\s*<span class="project-steps__label">1\. Définition du besoin', html
    )
    assert page.count("à venir") == 7
    assert "Analyse fonctionnelle et revue du juste besoin" in page  # the stage's guidance
    # The blockers are listed before any click.
    assert (
        "La revue du juste besoin doit être menée et décidée avant de quitter la définition du besoin."
        in page
    )
    assert "Passer à l'étape « 2. Sourcing »" in page
    assert "Abandonner le projet" in page
    assert "Délégation à la transition écologique" in page
    assert "Demandé" in page
    assert "Heures d'insertion : 5 % des heures travaillées" in page
    assert "Matériel reconditionné" not in page
    assert "Non conforme" in page
    assert "Non prévu : clause environnementale." in page
    assert "Pas encore décidé : critère environnemental" in page
    refer = reverse("projects:refer", args=[project.pk])
    assert refer not in html  # the manual referral is the pilot's
    client.force_login(world.pilot)
    assert refer in client.get(reverse("projects:detail", args=[project.pk])).content.decode()


def test_an_abandoned_project_shows_where_it_stopped(client, world):
    project = make_project(world)
    workflow.move(
        project=project,
        to_stage=Stage.ABANDONED,
        membership=member(world, world.pilot),
        user=world.pilot,
        comment="Besoin couvert par l'UGAP.",
    )
    client.force_login(world.committee_member)
    page = text(client.get(reverse("projects:detail", args=[project.pk])))
    assert "abandonné à cette étape" in page
    assert "Besoin couvert par l'UGAP." in page
    assert "Le projet est abandonné : il ne change plus d'étape." in page


def test_a_move_through_the_page_is_recorded(client, world):
    project = make_project(world)
    decide(world, project)
    client.force_login(world.prescribing_referent)
    response = client.post(
        reverse("projects:move", args=[project.pk]),
        {"to_stage": "sourcing", "comment": "Revue faite."},
        follow=True,
    )
    project.refresh_from_db()
    assert project.stage == Stage.SOURCING
    page = text(response)
    assert "Le projet est passé à l'étape « 2. Sourcing »." in page
    assert "Revue faite." in page  # the history
    assert world.prescribing_referent.get_full_name() in page


def test_a_refused_move_shows_the_errors_on_the_page_and_changes_nothing(client, world):
    project = make_project(world)
    client.force_login(world.prescribing_referent)
    response = client.post(reverse("projects:move", args=[project.pk]), {"to_stage": "sourcing"})
    assert response.status_code == 200
    page = text(response)
    assert "Le projet n'a pas changé d'étape" in page
    assert "La revue du juste besoin doit être menée et décidée" in page
    response = client.post(
        reverse("projects:move", args=[project.pk]), {"to_stage": "abandoned", "comment": ""}
    )
    assert "Commentaire : indiquez le motif de l'abandon." in text(response)
    response = client.post(reverse("projects:move", args=[project.pk]), {"to_stage": "closing"})
    assert "un projet avance d'une étape à la fois" in text(response)
    project.refresh_from_db()
    assert project.stage == Stage.NEED
    assert not project.transitions.exists()


def _at_documents(world, project):
    decide(world, project)
    for stage in (Stage.SOURCING, Stage.STRATEGY, Stage.DOCUMENTS):
        workflow.move(
            project=project, to_stage=stage, membership=member(world, world.pilot), user=world.pilot
        )
    return project


def test_the_pilot_overrides_the_missing_advice_through_the_page(client, world):
    project = _at_documents(world, make_project(world, **PLANNED))
    Advice.objects.create(project=project, resource_direction=world.resource, status=AdviceStatus.REQUESTED)
    client.force_login(world.prescribing_referent)
    assert "Accorder la dérogation" not in text(client.get(reverse("projects:detail", args=[project.pk])))
    client.force_login(world.pilot)
    page = text(client.get(reverse("projects:detail", args=[project.pk])))
    assert "Avis obligatoires non rendus (DTER)" in page
    assert "Accorder la dérogation" in page
    response = client.post(reverse("projects:override", args=[project.pk]), {"reason": "  "})
    assert "Motif : il est obligatoire pour déroger aux avis." in text(response)
    project.refresh_from_db()
    assert not project.has_advice_override
    response = client.post(
        reverse("projects:override", args=[project.pk]),
        {"reason": "Urgence : rentrée scolaire."},
        follow=True,
    )
    page = text(response)
    assert "Dérogation aux avis obligatoires enregistrée" in page
    assert "Urgence : rentrée scolaire." in page
    assert "Rien ne bloque ce passage." in page
    client.post(reverse("projects:move", args=[project.pk]), {"to_stage": "award"})
    project.refresh_from_db()
    assert project.stage == Stage.AWARD


def test_no_override_offered_when_another_blocker_remains(client, world):
    project = _at_documents(
        world, make_project(world, planned_launch_date=date(2026, 9, 15), env_clause=False)
    )
    Advice.objects.create(project=project, resource_direction=world.resource, status=AdviceStatus.REQUESTED)
    client.force_login(world.pilot)
    page = text(client.get(reverse("projects:detail", args=[project.pk])))
    assert "Loi Climat (consultation lancée à partir du 22 août 2026)" in page
    assert "Accorder la dérogation" not in page


# --- Need review ---------------------------------------------------------------------------------------


def _review_data(**overrides):
    data = {}
    for key in ("a_still_needed", "a_fully_used", "a_can_reduce", "b_use_existing", "b_pool", "b_rent_reuse"):
        data[f"{key}__answer"] = "no"
    for key in ("c_life_cycle", "c_environment", "c_carbon_energy", "c_social", "c_sme"):
        data[f"{key}__answer"] = "yes"
    data.update({"outcome": "pool", "justification": "Groupement avec la Ville.", "avoided_amount": "30 000"})
    data.update(overrides)
    return data


def test_the_review_form_saves_and_keeps_a_history(client, world):
    project = make_project(world)
    client.force_login(world.prescribing_referent)
    url = reverse("projects:review", args=[project.pk])
    response = client.get(url)
    page = text(response)
    assert "<legend>Le besoin est-il toujours d'actualité ?</legend>" in unescape(response.content.decode())
    assert "A. Besoin et service rendu" in page
    assert "D. Renouvellement" not in page
    assert "Émissions de fabrication, de transport et d'usage" in page  # guidance text
    response = client.post(url, _review_data(c_carbon_energy__comment="Bilan carbone fait."), follow=True)
    assert "La revue du juste besoin est enregistrée." in text(response)
    review = NeedReview.objects.get(project=project)
    assert review.outcome == Outcome.POOL
    assert review.avoided_amount == Decimal("30000")
    assert review.answers["c_carbon_energy"] == {"answer": "yes", "comment": "Bilan carbone fait."}
    assert review.reviewer == world.prescribing_referent
    assert "Mutualiser" in text(response)  # the history table
    detail = text(client.get(reverse("projects:detail", args=[project.pk])))
    assert "Groupement avec la Ville." in detail


def test_review_errors_are_in_french(client, world):
    project = make_project(world)
    client.force_login(world.prescribing_referent)
    url = reverse("projects:review", args=[project.pk])
    page = text(client.post(url, _review_data(justification="")))
    assert "Justification : elle est obligatoire dès que l'issue de la revue est décidée." in page
    page = text(client.post(url, _review_data(outcome="buy", avoided_amount="100")))
    assert "« acheter comme prévu » n'évite aucune dépense" in page
    page = text(client.post(url, _review_data(avoided_amount="-3")))
    assert "Montant évité : il ne peut pas être négatif." in page
    assert NeedReview.objects.get(project=project).outcome == Outcome.PENDING


def test_a_renewal_review_shows_section_d(client, world, buyer):
    project = make_project(world, renewed_contract=contract(f"{SIRET}R0003"))
    client.force_login(world.prescribing_referent)
    assert "D. Renouvellement" in text(client.get(reverse("projects:review", args=[project.pk])))


def test_the_review_is_read_only_after_need_definition_except_for_the_pilot(client, world):
    project = make_project(world)
    decide(world, project)
    workflow.move(
        project=project, to_stage=Stage.SOURCING, membership=member(world, world.pilot), user=world.pilot
    )
    url = reverse("projects:review", args=[project.pk])
    client.force_login(world.prescribing_referent)
    page = text(client.get(url))
    assert "sa revue est close. Seul le pilote du schéma peut encore la corriger." in page
    assert "Enregistrer la revue" not in page
    assert client.post(url, _review_data()).status_code == 403
    assert NeedReview.objects.get(project=project).outcome == Outcome.BUY
    client.force_login(world.pilot)
    assert "Enregistrer la revue" in text(client.get(url))
    client.post(url, _review_data())
    assert NeedReview.objects.get(project=project).outcome == Outcome.POOL


# --- Contracts ------------------------------------------------------------------------------------------


def test_linking_contracts_by_uid(client, world, buyer):
    own = contract(f"{SIRET}M0001", object="Rénovation du collège Jean-Moulin, lot 1")
    contract("21750001600019X0001", buyer_siret="21750001600019", object="Rénovation d'une autre ville")
    project = make_project(world)
    client.force_login(world.prescribing_referent)
    url = reverse("projects:contracts", args=[project.pk])
    page = text(client.get(url, {"q": "Rénovation"}))
    assert own.uid in page
    assert "21750001600019X0001" not in page  # another buyer's contract is never offered
    page = text(client.post(url, {"uids": f"{own.uid}\ninconnu-42"}))
    assert (
        "Identifiants : le marché « inconnu-42 » est introuvable dans le périmètre de l'organisation." in page
    )
    page = text(client.post(url, {"uids": "21750001600019X0001"}))
    assert "« 21750001600019X0001 » est introuvable" in page
    assert not project.contracts.exists()
    response = client.post(url, {"uids": own.uid}, follow=True)
    assert f"1 marché rattaché : {own.uid}." in text(response)
    assert list(project.contracts.all()) == [own]
    page = text(client.get(url, {"q": "Rénovation"}))
    assert (
        "Aucun marché de l'organisation ne correspond à cette recherche (hors marchés déjà rattachés)."
        in page
    )
