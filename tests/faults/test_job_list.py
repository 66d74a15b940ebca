"""Failed background jobs are visible and can be relaunched; a job whose worker died shows as interrupted.

Huey runs in immediate mode under pytest: a relaunch runs the real handler again, in the request."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from spaser.core.jobs import HOST, INTERRUPTED_ERROR, JobError, JobOutcome, enqueue, job_task
from spaser.core.models import Job, JobStatus
from spaser.organisations import data_stamp
from tests.factories import MembershipFactory, UserFactory, build_register

pytestmark = pytest.mark.django_db

ATTEMPTS: list[int] = []


@job_task("test-flaky")
def flaky_task(job, progress):
    """Refuses its first run (a file not there yet), succeeds the next."""
    ATTEMPTS.append(job.pk)
    progress(7, 0.5)
    if len(ATTEMPTS) == 1:
        raise JobError(f"Le fichier « {job.params['name']} » est introuvable.")
    return JobOutcome(counts={"read": 7, "created": 7}, message="Relance réussie")


@pytest.fixture
def register():
    ATTEMPTS.clear()
    return build_register()


def failed_job(register):
    job = enqueue(
        flaky_task, title="Import du fichier « a.json »", params={"name": "a.json"},
        user=register.pilot, organisation=register.organisation,
    )  # fmt: skip
    assert job.status == JobStatus.FAILED
    return job


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_failed_job_is_listed_with_its_message_and_relaunched_with_the_same_params(client, register):
    job = failed_job(register)
    client.force_login(register.pilot)
    html = unescape(client.get("/taches/").content.decode())
    assert "<h1>Tâches de fond</h1>" in html
    assert f'<tr data-job="{job.pk}">' in html
    assert "Échouée" in html
    assert "Le fichier « a.json » est introuvable." in html
    page = unescape(client.get(f"/taches/{job.pk}/").content.decode())
    assert f'action="/taches/{job.pk}/relancer/"' in page

    response = client.post(f"/taches/{job.pk}/relancer/")
    new = Job.objects.get(retry_of=job)
    assert response.status_code == 302
    assert response["Location"] == f"/taches/{new.pk}/"
    assert [job.pk, new.pk] == ATTEMPTS  # the real handler ran again
    assert (new.status, new.kind, new.params, new.title) == (JobStatus.DONE, job.kind, job.params, job.title)
    assert (new.organisation, new.created_by) == (register.organisation, register.pilot)
    assert new.counts["created"] == 7
    # Audited: who relaunched which job, when.
    record = new.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        register.pilot,
        f"Relance de la tâche n° {job.pk}",
    )
    # The first job stays failed, says it was relaunched, and cannot be relaunched twice.
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    page = unescape(client.get(f"/taches/{job.pk}/").content.decode())
    assert f'<a href="/taches/{new.pk}/">tâche n° {new.pk}</a>' in page
    assert "relancer/" not in page
    again = client.post(f"/taches/{job.pk}/relancer/", follow=True)
    assert "a déjà été relancée" in unescape(again.content.decode())
    assert Job.objects.filter(retry_of=job).count() == 1


def test_only_failed_or_interrupted_jobs_are_relaunched(client, register):
    job = failed_job(register)
    client.force_login(register.pilot)
    client.post(f"/taches/{job.pk}/relancer/")
    done = Job.objects.get(retry_of=job)
    response = client.post(f"/taches/{done.pk}/relancer/", follow=True)
    assert "Seule une tâche échouée ou interrompue peut être relancée" in unescape(response.content.decode())
    assert not Job.objects.filter(retry_of=done).exists()


def test_who_may_list_and_relaunch(client, register):
    job = failed_job(register)
    for user, list_status, retry_status in (
        (register.committee_member, 403, 403),
        (register.prescribing_referent, 403, 403),
        (register.outsider, 200, 404),  # another organisation's pilot: its own (empty) list, not this job
    ):
        client.force_login(user)
        assert client.get("/taches/").status_code == list_status, user
        assert client.post(f"/taches/{job.pk}/relancer/").status_code == retry_status, user
    client.force_login(register.outsider)
    assert f'data-job="{job.pk}"' not in client.get("/taches/").content.decode()
    client.logout()
    assert client.get("/taches/").status_code == 302
    assert not Job.objects.filter(retry_of=job).exists()
    # Staff see every organisation's jobs, and those of commands (no organisation).
    command_job = Job.objects.create(kind="test-flaky", title="Commande", status=JobStatus.FAILED)
    staff = UserFactory(is_staff=True)
    MembershipFactory(user=staff, organisation=register.organisation, committee_member=True)
    client.force_login(staff)
    html = client.get("/taches/").content.decode()
    assert f'data-job="{job.pk}"' in html
    assert f'data-job="{command_job.pk}"' in html
    assert client.post(f"/taches/{command_job.pk}/relancer/").status_code == 302


def test_a_running_job_whose_worker_died_shows_as_interrupted_and_can_be_relaunched(client, register):
    dead = Job.objects.create(
        kind="test-flaky", title="Import du fichier « b.json »", params={"name": "b.json"},
        status=JobStatus.RUNNING, started_at=timezone.now(), worker_host=HOST, worker_pid=dead_pid(),
        organisation=register.organisation, created_by=register.pilot,
    )  # fmt: skip
    alive = Job.objects.create(
        kind="test-flaky", title="En cours", status=JobStatus.RUNNING, started_at=timezone.now(),
        worker_host=HOST, worker_pid=1,
        organisation=register.organisation,
    )  # fmt: skip
    elsewhere = Job.objects.create(
        kind="test-flaky", title="Ailleurs, muette", status=JobStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=2), worker_host="autre-machine", worker_pid=123,
        organisation=register.organisation,
    )  # fmt: skip
    client.force_login(register.pilot)
    html = unescape(client.get("/taches/?statut=interrupted").content.decode())
    assert f'data-job="{dead.pk}"' in html
    assert f'data-job="{elsewhere.pk}"' in html
    assert f'data-job="{alive.pk}"' not in html  # pid 1 runs: still « en cours »
    dead.refresh_from_db()
    assert (dead.status, dead.error) == (JobStatus.INTERRUPTED, INTERRUPTED_ERROR)
    assert client.get(f"/taches/{dead.pk}/etat.json").json()["status_label"] == "Interrompue"
    client.post(f"/taches/{dead.pk}/relancer/")
    assert Job.objects.get(retry_of=dead).status == JobStatus.FAILED  # first attempt of the flaky task


def test_the_list_takes_a_constant_number_of_queries(client, register):
    client.force_login(register.pilot)

    def queries() -> int:
        data_stamp.forget_all()  # cold both times (the footer's scheme is kept per process)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/taches/").status_code == 200
        return len(captured)

    failed_job(register)
    few = queries()
    for number in range(12):
        Job.objects.create(
            kind="test-flaky", title=f"Tâche {number}", status=JobStatus.FAILED, error="Erreur",
            organisation=register.organisation, created_by=register.pilot, retry_of=Job.objects.first(),
        )  # fmt: skip
    assert queries() == few


def test_the_list_filters_by_status_and_paginates_newest_first(client, register):
    for number in range(55):
        Job.objects.create(
            kind="test-flaky", title=f"Tâche {number:02d}", organisation=register.organisation,
            status=JobStatus.DONE if number % 5 else JobStatus.FAILED,
        )  # fmt: skip
    client.force_login(register.pilot)
    first = client.get("/taches/").content.decode()
    assert first.index("Tâche 54") < first.index("Tâche 53")
    assert "Tâche 04" not in first  # page 2
    assert "Tâche 04" in client.get("/taches/?page=2").content.decode()
    failed = client.get("/taches/?statut=failed").content.decode()
    assert "11 tâches correspondant au filtre" in failed
    assert "Tâche 53" not in failed
