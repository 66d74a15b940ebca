"""The project's page: stages, blockers before the click, advice, clause library, Loi Climat, history; stage
moves and the pilot's override through the page; the need review form; linking contracts."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from spaser.projects import workflow
from spaser.projects.models import (
    Advice,
    AdviceStatus,
    ClauseKind,
    ClauseRecommendation,
    NeedReview,
    Outcome,
    ReferralRule,
)
from spaser.projects.stages import Stage

from .conftest import SIRET, make_project, member
from .pages_support import PLANNED, contract, decide, text

pytestmark = pytest.mark.django_db


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
