"""The job page and its etat.json: what a user watching an import sees."""

import pytest

from spaser.core.jobs import JobOutcome, enqueue, job_task
from spaser.core.models import Job, JobStatus
from tests.factories import build_register

pytestmark = pytest.mark.django_db


@job_task("test-page")
def page_task(job, progress):
    progress(5, 1.0)
    return JobOutcome(counts={"read": 5, "created": 5}, result={"links": [{"label": "Rapport", "url": "/r"}]})


@pytest.fixture
def register():
    return build_register()


def running_job(register):
    return Job.objects.create(
        kind="x",
        title="Import du fichier « a.json »",
        status=JobStatus.RUNNING,
        progress=0.42,
        processed=420,
        organisation=register.organisation,
        created_by=register.pilot,
    )


def test_state_json_gives_progress_to_members(client, register):
    job = running_job(register)
    client.force_login(register.committee_member)
    response = client.get(f"/taches/{job.pk}/etat.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert (data["status"], data["finished"], data["percent"], data["processed"]) == (
        "running",
        False,
        42,
        420,
    )
    assert data["status_label"] == "En cours"


def test_other_organisations_do_not_see_the_job(client, register):
    job = running_job(register)
    client.force_login(register.outsider)
    assert client.get(f"/taches/{job.pk}/").status_code == 404
    assert client.get(f"/taches/{job.pk}/etat.json").status_code == 404


def test_running_job_page_polls_with_a_static_script_and_refreshes_without_it(client, register):
    job = running_job(register)
    client.force_login(register.pilot)
    html = client.get(f"/taches/{job.pk}/").content.decode()
    assert '<progress class="progress__bar" max="100" value="42"' in html
    assert 'src="/static/spaser/jobs.js"' in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert f'data-job-state-url="/taches/{job.pk}/etat.json"' in html


def test_finished_job_page_shows_the_summary_and_no_longer_refreshes(client, register):
    job = enqueue(
        page_task, title="Import du fichier « b.json »", params={}, organisation=register.organisation
    )
    client.force_login(register.pilot)
    html = client.get(f"/taches/{job.pk}/").content.decode()
    assert "<h1>Import du fichier « b.json »</h1>" in html
    assert 'http-equiv="refresh"' not in html
    assert "jobs.js" not in html
    assert '<tr data-count="created"><th scope="row">Créés</th><td class="num">5</td></tr>' in html
    assert '<a href="/r">Rapport</a>' in html


def test_failed_job_page_shows_the_error(client, register):
    job = Job.objects.create(
        kind="x",
        title="Import",
        status=JobStatus.FAILED,
        error="Fichier illisible (ligne 3).",
        organisation=register.organisation,
    )
    client.force_login(register.pilot)
    html = client.get(f"/taches/{job.pk}/").content.decode()
    assert "La tâche a échoué" in html
    assert "Fichier illisible (ligne 3)." in html
