"""Each role's main journey through the real UI in Chromium: keyboard-accessible locators only (roles, labels,
link names), so that a missing label or an unnamed link fails here too.

One world for every journey: the report world of tests/reports (a scheme 2024-2028, one user per role, stored
values of 2025, a COTECH and a COPIL whose December meeting validated the 2025 review), plus two contracts of
2025 from which the 2025 figures are computed (S1 = 1 of 2 contracts with a social consideration = 50 %), a
referral rule sending works projects to the resource direction, a project of the prescribing direction, and
the COTECH's next meeting. Built per test: live_server tests are transactional, the database is emptied after
each test, so a module-wide world would not survive the first test.
"""

import csv
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from spaser.governance.models import Meeting
from spaser.projects.models import Advice, AdviceStatus, NeedReview, Outcome, Project, ReferralRule
from spaser.projects.stages import Stage
from spaser.reports import services as reports
from spaser.schemes.models import Target
from tests.factories import PASSWORD
from tests.perimeter import make_contract
from tests.projects.conftest import make_project
from tests.reports.conftest import TODAY, YEAR, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S1_NAME = "Marchés comportant au moins une considération sociale, en nombre"


@pytest.fixture
def world(live_server, settings):
    # Every login checks a password: the default hasher (PBKDF2, 10⁶ iterations) costs 0.25 s a check here,
    # ten checks a run. The live server thread reads the same settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    get_user_model().objects.update(password=make_password(PASSWORD))
    siret = f"{world.organisation.siren}00017"  # the world's buyer
    make_contract(1, social=True, environmental=False, amount=100_000, year=YEAR, buyer=siret,
                  direction=world.prescribing)  # fmt: skip
    make_contract(2, social=False, environmental=True, amount=200_000, year=YEAR, buyer=siret)
    call_command(
        "compute_indicators",
        "--year",
        str(YEAR),
        "--scheme",
        world.scheme.slug,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    ReferralRule.objects.create(
        organisation=world.organisation,
        resource_direction=world.resource,
        name="Travaux",
        cpv_prefixes="45",
        deadline_days=15,
    )
    world.project = make_project(world)
    world.next_meeting = Meeting.objects.create(
        committee=world.cotech, date=timezone.localdate() + timedelta(days=10)
    )
    world.url = live_server.url
    return world


def log_in(page, world, user, password=PASSWORD):
    page.goto(f"{world.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def heading(page, name):
    return expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_pilot_reads_a_figure_drills_down_edits_a_target_audits_it_and_drafts_the_report(page, world):
    log_in(page, world, world.pilot)
    heading(page, f"Tableau de bord {YEAR}")
    card = page.locator('[data-code="S1"]')
    expect(card.locator(".figure")).to_have_text("50,0 %")

    # The indicator's page, then the contracts behind its numerator.
    card.get_by_role("link", name=f"S1 {S1_NAME}").click()
    heading(page, f"S1 {S1_NAME}")
    expect(page.get_by_text("1 marché sur 2", exact=True)).to_be_visible()
    page.get_by_role("link", name="au numérateur").click()
    heading(page, "S1 : marchés au numérateur")
    contracts = page.get_by_role(
        "table", name=f"Marchés de S1 ({YEAR}, {world.organisation.name}), page 1 sur 1"
    )
    expect(contracts.locator("tbody").get_by_role("row")).to_have_count(1)
    expect(contracts).to_contain_text("Marché 1")
    expect(contracts).not_to_contain_text("Marché 2")

    # The register: the indicator's targets, 2026 raised from 25 to 26.
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Schéma").click()
    page.get_by_role("link", name="Modifier les cibles de l'indicateur S1").click()
    heading(page, "Cibles de l'indicateur S1")
    expect(page.get_by_label("Cible 2026 (%)")).to_have_value("25")
    page.get_by_label("Cible 2026 (%)").fill("26")
    page.get_by_role("button", name="Enregistrer les cibles").click()
    expect(page.get_by_role("status")).to_have_text(
        "Cibles de l'indicateur S1 enregistrées (0 ajoutée(s), 1 modifiée(s), 0 supprimée(s))."
    )
    assert Target.objects.get(indicator=world.s1, year=2026).value == 26

    # The audit journal says who changed it, from what to what.
    page.get_by_role("link", name="Journal des modifications").click()
    heading(page, "Journal des modifications")
    change = page.get_by_role("row").filter(has_text="Cible 2026 de l'indicateur S1").first
    expect(change).to_contain_text(world.pilot.get_full_name())
    expect(change).to_contain_text("26")

    # The annual report's draft, generated from the stored values.
    page.get_by_role("link", name="Rapports").click()
    page.get_by_role("button", name=f"Générer le rapport {YEAR}").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Brouillon du rapport {YEAR} généré à partir des valeurs enregistrées."
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(YEAR))


def test_prescribing_referent_creates_a_project_reviews_the_need_and_moves_it_on(page, world):
    log_in(page, world, world.prescribing_referent)
    page.get_by_role("link", name="Mes tâches").click()
    heading(page, "Mes tâches")
    expect(page.get_by_role("link", name="Revues du juste besoin à mener")).to_be_visible()

    # A new purchase project: its direction is the referent's, its reference given at creation.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Projets d'achat"
    ).click()
    page.get_by_role("link", name="Nouveau projet d'achat").click()
    page.get_by_label("Objet", exact=True).fill("Réfection de la RD 30")
    page.get_by_label("Code CPV principal").fill("45233141")
    page.get_by_label("Nature").select_option(label="Travaux")
    page.get_by_label("Montant estimé (€ HT)").fill("1 200 000")
    page.get_by_label("Durée estimée (mois)").fill("18")
    page.get_by_role("button", name="Créer le projet").click()
    project = Project.objects.get(title="Réfection de la RD 30")
    heading(page, f"{project.reference} — Réfection de la RD 30")
    expect(page.get_by_role("status")).to_contain_text(
        f"Projet {project.reference} créé. Avis demandé : Délégation à la transition écologique"
    )
    assert project.direction == world.prescribing

    # The need review (juste besoin): every question answered, an outcome and its justification.
    page.get_by_role("link", name="Revue du juste besoin", exact=True).click()
    heading(page, f"Revue du juste besoin — {project.reference}")
    for question in page.locator("fieldset.project-review__answer").all():
        question.get_by_label("Oui", exact=True).check()
    page.get_by_label("Issue de la revue", exact=True).select_option(label="Réduire le besoin")
    page.get_by_label("Justification").fill("Une seule voie refaite cette année.")
    page.get_by_label("Montant évité estimé (€ HT)").fill("300 000")
    page.get_by_role("button", name="Enregistrer la revue").click()
    expect(page.get_by_role("status")).to_have_text("La revue du juste besoin est enregistrée.")
    history = page.get_by_role(
        "table", name="Modifications de la revue, de la plus récente à la plus ancienne"
    )
    expect(history.locator("tbody").get_by_role("row").first).to_contain_text("Réduire le besoin")
    review = NeedReview.objects.get(project=project)
    assert (review.outcome, review.avoided_amount) == (Outcome.REDUCE, 300_000)

    # One stage on, with a comment; the project's history shows the move.
    page.get_by_role("link", name="Retour au projet").click()
    page.get_by_label("Commentaire (facultatif)").fill("Revue faite, on consulte les entreprises.")
    page.get_by_role("button", name="Passer à l'étape « 2. Sourcing »").click()
    expect(page.get_by_role("status")).to_have_text("Le projet est passé à l'étape « 2. Sourcing ».")
    moves = page.get_by_role("table", name="Changements d'étape, du plus ancien au plus récent")
    expect(moves.locator("tbody").get_by_role("row")).to_have_count(1)
    expect(moves).to_contain_text("Revue faite, on consulte les entreprises.")
    expect(moves.locator("tbody td").nth(2)).to_have_text("2. Sourcing")
    project.refresh_from_db()
    assert project.stage == Stage.SOURCING

    # The pilot's pages stay closed: the audit journal answers 403, in French.
    response = page.goto(f"{world.url}/audit/")
    assert response.status == 403
    heading(page, "Accès refusé")
    expect(page.get_by_text("Votre rôle ne permet pas cette opération.")).to_be_visible()
    # The reason given by the view, not only the generic text (core/templates/403.html shows it).
    expect(
        page.get_by_text(
            "Le journal des modifications est réservé au pilote du schéma et aux administrateurs."
        )
    ).to_be_visible()


def test_resource_referent_gives_an_advice_on_a_referred_project(page, world):
    log_in(page, world, world.resource_referent)
    page.get_by_role("link", name="Mes tâches").click()
    page.get_by_role("link", name="Avis à rendre").click()
    page.get_by_role("link", name="Rénovation énergétique du collège Jean-Moulin").click()
    heading(page, f"Avis de Délégation à la transition écologique sur {world.project.reference}")

    page.get_by_label("Clause environnementale (condition d'exécution)").select_option(
        label="Oui, recommandé"
    )
    page.get_by_label("Critère environnemental d'attribution").select_option(label="Oui, recommandé")
    page.get_by_label("Pondération du critère environnemental (%)").fill("15")
    page.get_by_label("Avis (facultatif)").fill(
        "Viser un béton bas carbone ; critère sur le bilan carbone du chantier."
    )
    page.get_by_label("État de l'avis").select_option(label="Rendu")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    expect(page.get_by_role("status")).to_have_text("Avis enregistré : rendu.")

    advice = Advice.objects.get(project=world.project)
    assert advice.status == AdviceStatus.GIVEN
    assert (advice.env_clause, advice.env_criterion, advice.env_criterion_weight) == (True, True, 15)
    assert advice.comment.startswith("Viser un béton bas carbone")
    # The prescribing side sees it on the project's page.
    page.get_by_role("link", name=world.project.reference, exact=True).click()
    expect(page.get_by_text("Avis obligatoires rendus : 1 sur 1.")).to_be_visible()


def test_committee_member_reads_the_next_meeting_pack_and_downloads_it(page, world):
    log_in(page, world, world.committee_member)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Gouvernance"
    ).click()
    heading(page, "Gouvernance du schéma")
    meeting = world.next_meeting
    with translation.override("fr"):
        day = formats.date_format(meeting.date, "l j F Y")  # « jeudi 10 décembre 2026 »
    page.get_by_role("link", name=day).click()
    heading(page, f"COTECH achats responsables : séance du {day}")
    expect(page.get_by_role("heading", name="Dossier de séance", level=2)).to_be_visible()
    key_figures = page.get_by_role("table", name="Indicateurs clés en cumul", exact=False)
    expect(key_figures.get_by_role("row").filter(has_text=S1_NAME)).to_have_count(1)
    expect(page.get_by_role("table", name="Avis des directions ressources attendus")).to_contain_text(
        world.project.reference
    )

    for label, magic, extension in [("PDF", b"%PDF", "pdf"), ("XLSX", b"PK", "xlsx")]:
        with page.expect_download() as info:
            page.get_by_role("link", name=f"Télécharger le dossier en {label} (aperçu)").click()
        download = info.value
        assert download.url.endswith(f"/gouvernance/seances/{meeting.pk}/dossier.{extension}")
        assert download.suggested_filename.endswith(f".{extension}")
        with open(download.path(), "rb") as content:
            assert content.read(4).startswith(magic)


def test_public_visitor_reads_the_published_report_and_downloads_the_open_data(page, world):
    report = reports.report_generate(scheme=world.scheme, year=YEAR, user=world.pilot, today=TODAY)
    report = reports.report_validate(report=report, decision=world.decision, user=world.pilot)
    reports.report_publish(report=report, user=world.pilot, today=date(2026, 3, 1))

    page.goto(f"{world.url}/public/")
    heading(page, "Schémas publiés")
    page.get_by_role("link", name=world.organisation.name).click()
    heading(page, "SPASER 2024-2028")
    page.get_by_role("link", name="Rapports annuels publiés et données ouvertes").click()
    heading(page, "Rapports annuels du schéma")
    page.get_by_role("link", name="Version 1").click()
    heading(page, f"Rapport annuel {YEAR} — SPASER 2024-2028")
    expect(page.get_by_role("link", name="Synthèse des résultats")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Données ouvertes (CSV, séparateur virgule)").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as content:
        rows = list(csv.DictReader(content))
    s1 = next(row for row in rows if row["code"] == "S1")
    assert s1["value"] == "50"


def test_five_wrong_passwords_lock_the_login_with_a_french_message(page, world):
    for attempt in range(1, 6):
        log_in(page, world, world.pilot, password=f"mauvais-{attempt}")
        if attempt < 5:
            expect(page.get_by_role("alert")).to_contain_text(
                "Saisissez un nom d’utilisateur et un mot de passe"
            )
    lockout = page.get_by_role("alert")
    expect(lockout.get_by_role("heading")).to_have_text("Connexion suspendue")
    expect(lockout).to_contain_text(
        "Trop de tentatives de connexion ont échoué : par sécurité, la connexion est suspendue "
        "pendant 15 minutes."
    )
    # The right password is refused too while the lockout lasts.
    log_in(page, world, world.pilot)
    expect(page.get_by_role("heading", name="Connexion suspendue")).to_be_visible()
    assert "/connexion/" in page.url
