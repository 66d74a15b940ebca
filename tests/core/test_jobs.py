"""Background jobs: a job's row tells the user how it went, whatever happened inside it."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from spaser.core.jobs import JobError, JobOutcome, ProgressReporter, enqueue, job_state, job_task, run_job
from spaser.core.models import Job, JobStatus
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

seen_while_running: list[dict] = []


@job_task("test-counts")
def counting_task(job, progress):
    for read in range(1, 1001):
        progress(read, read / 1000)
    # What the job page shows while the job is still running, from inside an open transaction (an import
    # holds one for the whole file): the live progress, not the row's stale zero.
    with transaction.atomic():
        progress.flush()
        seen_while_running.append(job_state(Job.objects.get(pk=job.pk)))
    return JobOutcome(
        counts={"read": 1000, "created": 990, "quarantined": 10},
        result={"links": [{"label": "Voir", "url": "/imports/"}]},
        message=f"Terminé pour {job.params['name']}",
    )


@job_task("test-refused")
def refused_task(job, progress):
    progress(3, None)
    raise JobError("Le fichier « x.json » n'est pas un fichier DECP (ligne 2).")


@job_task("test-crash")
def crashing_task(job, progress):
    raise KeyError("colonne")


def test_settings_run_jobs_immediately_under_pytest_and_keep_the_queue_in_data_dir():
    assert settings.HUEY["immediate"] is True
    assert settings.HUEY["huey_class"] == "huey.SqliteHuey"
    assert Path(settings.HUEY["filename"]).parent == Path(settings.DATA_DIR)
    assert "huey.contrib.djhuey" in settings.INSTALLED_APPS


def test_a_finished_job_keeps_its_counts_links_and_who_launched_it():
    user, organisation = UserFactory(), OrganisationFactory()
    seen_while_running.clear()
    job = enqueue(
        counting_task, title="Essai", params={"name": "lot 1"}, user=user, organisation=organisation
    )
    assert job.status == JobStatus.DONE
    assert (job.kind, job.created_by, job.organisation) == ("test-counts", user, organisation)
    assert job.started_at is not None
    assert job.finished_at >= job.started_at
    assert job.message == "Terminé pour lot 1"
    state = job_state(job)
    assert state["finished"] is True
    assert state["percent"] == 100
    assert state["processed"] == 1000
    assert [(row["label"], row["value"]) for row in state["counts"]] == [
        ("Enregistrements lus", 1000),
        ("Créés", 990),
        ("En quarantaine", 10),
    ]
    assert state["result"]["links"] == [{"label": "Voir", "url": "/imports/"}]
    [running] = seen_while_running
    assert running["status"] == JobStatus.RUNNING
    assert (running["processed"], running["percent"]) == (1000, 100)


def test_progress_is_written_at_most_once_per_interval():
    clock = iter([0.0, 0.1, 0.2, 0.3, 0.6, 0.7, 1.2])
    job = Job.objects.create(kind="x", title="x", status=JobStatus.RUNNING)
    reporter = ProgressReporter(job.pk, interval=0.5, clock=lambda: next(clock))
    for read in range(1, 7):
        reporter(read * 100, read / 10)
    assert reporter.writes == 2  # at 0.0 and at 0.6, not for the four calls in between
    assert job_state(job)["processed"] == 500
    reporter.flush()
    assert job_state(job)["processed"] == 600
    assert job_state(job)["percent"] == 60


def test_a_refused_input_fails_the_job_with_its_french_message():
    job = enqueue(refused_task, title="Essai", params={})
    assert job.status == JobStatus.FAILED
    assert job.error == "Le fichier « x.json » n'est pas un fichier DECP (ligne 2)."
    assert job.processed == 3
    assert job_state(job)["finished"] is True


def test_an_unexpected_error_fails_the_job_with_a_plain_message_and_logs_the_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="spaser.core.jobs"):
        job = enqueue(crashing_task, title="Essai", params={})
    assert job.status == JobStatus.FAILED
    assert "erreur interne (KeyError)" in job.error
    assert "Traceback" not in job.error
    assert any(record.exc_info for record in caplog.records)


def test_a_job_is_never_run_twice():
    job = enqueue(counting_task, title="Essai", params={"name": "a"})
    finished_at = job.finished_at
    run_job(job_id=job.pk, handler=counting_task.handler)  # huey may redeliver a task after a crash
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_a_job_waiting_for_a_worker_says_so():
    job = Job.objects.create(kind="x", title="x")
    assert job_state(job)["waiting_hint"] == ""
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    job.refresh_from_db()
    assert "spaser run_huey" in job_state(job)["waiting_hint"]
    assert job_state(job)["percent"] is None
