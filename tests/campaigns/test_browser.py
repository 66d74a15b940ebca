"""In a real browser (CSP enforced): a referent enters and submits a value with its evidence, the pilot sends
it back in place on the campaign page, then validates the corrected value."""

import os

import pytest

from tests.factories import PASSWORD

from .conftest import entry_of

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _log_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_enter_send_back_and_validate_in_the_browser(
    transactional_db, live_server, page, world, campaign, tmp_path
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    entry = entry_of(campaign, world.reuse)
    evidence = tmp_path / "bilan réemploi.pdf"
    evidence.write_bytes(PDF)

    _log_in(page, live_server, world.resource_referent)
    page.goto(f"{live_server.url}/saisies/{campaign.pk}/")
    page.get_by_role("link", name="E5 — Part du réemploi").click()
    page.get_by_label("Valeur (%)").fill("12,5")
    page.get_by_label("Commentaire").fill("Suivi des achats de mobilier")
    page.get_by_label("Justificatif").set_input_files(str(evidence))
    page.get_by_role("button", name="Transmettre au pilote").click()
    assert "transmise au pilote" in page.get_by_role("status").first.inner_text()

    _log_in(page, live_server, world.pilot)
    page.goto(f"{live_server.url}/saisies/{campaign.pk}/?statut=submitted")
    row = page.locator(f"#saisie-{entry.pk}")
    row.locator("summary").click()
    row.get_by_label("Ce qu'il faut corriger").fill("Ajoutez les collèges.")
    row.get_by_role("button", name="Renvoyer à la direction").click()
    assert "renvoyée" in page.get_by_role("status").first.inner_text()
    assert "statut=submitted" in page.url

    _log_in(page, live_server, world.resource_referent)
    page.goto(f"{live_server.url}/saisies/saisie/{entry.pk}/")
    assert "Ajoutez les collèges." in page.get_by_role("note").inner_text()
    page.get_by_label("Valeur (%)").fill("14")
    page.get_by_role("button", name="Transmettre au pilote").click()

    _log_in(page, live_server, world.pilot)
    page.goto(f"{live_server.url}/saisies/{campaign.pk}/")
    page.locator(f"#saisie-{entry.pk}").get_by_role("button", name="Valider").click()
    assert "validée" in page.get_by_role("status").first.inner_text()
    if os.environ.get("SPASER_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["SPASER_SCREENSHOTS"], "campagne.png"), full_page=True)
        page.goto(f"{live_server.url}/saisies/saisie/{entry.pk}/")
        page.screenshot(path=os.path.join(os.environ["SPASER_SCREENSHOTS"], "saisie.png"), full_page=True)
    assert not errors  # no CSP violation, no script error
