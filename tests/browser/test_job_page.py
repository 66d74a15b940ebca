"""The job page in a real browser: jobs.js follows the job through etat.json, under the strict CSP, and
shows the summary once the job is done."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from spaser.core.models import Job, JobStatus
from spaser.organisations.models import Membership, Role
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_progress_bar_follows_the_job_then_the_summary_appears(live_server, page):
    organisation = OrganisationFactory()
    user = get_user_model().objects.create_user("pilote", password="un-mot-de-passe-long")
    Membership.objects.create(user=user, organisation=organisation, role=Role.PILOT)
    job = Job.objects.create(
        kind="import_decp",
        title="Import du fichier « gros.json »",
        status=JobStatus.RUNNING,
        progress=0.1,
        processed=1000,
        organisation=organisation,
        created_by=user,
    )
    problems = []  # script errors and Content-Security-Policy violations
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Security Policy" in msg.text else None,
    )

    page.goto(f"{live_server.url}/taches/{job.pk}/")
    page.get_by_label("Nom d’utilisateur").fill("pilote")
    page.get_by_label("Mot de passe").fill("un-mot-de-passe-long")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/taches/{job.pk}/")
    assert page.locator("progress").get_attribute("value") == "10"

    Job.objects.filter(pk=job.pk).update(progress=0.5, processed=25000)
    expect(page.locator("progress")).to_have_attribute("value", "50", timeout=10000)
    assert page.locator('[data-job-field="processed"]').inner_text().replace("\u202f", " ") == "25 000"

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, progress=1.0, counts={"read": 50000, "created": 49990, "quarantined": 10}
    )
    page.get_by_role("table", name="Bilan de la tâche").wait_for(timeout=10000)
    assert "49990" in page.locator('[data-count="created"]').inner_text()
    assert page.locator("progress").count() == 0
    assert problems == []
