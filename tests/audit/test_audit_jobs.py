"""Background jobs in the audit page: launched, failed, relaunched — in their organisation's journal only."""

from __future__ import annotations

import re
from html import unescape

import pytest

from spaser.core.jobs import JobError, enqueue, job_task
from spaser.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db
URL = "/audit/"


def rows(response) -> list[str]:
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row))).strip()
        for row in body.split("</tr>")[:-1]
    ]


@job_task("audit_test_failing")
def failing(job, progress):
    raise JobError("Le fichier « marches.json » est illisible.")


def test_a_failed_then_relaunched_job_is_in_its_organisation_journal(client, world):
    job = enqueue(
        failing,
        title="Import du fichier « marches.json »",
        params={"file_name": "marches.json", "path": "/srv/spaser/media/imports/uploads/4f2a.json"},
        user=world.pilot,
        organisation=world.organisation,
    )
    assert job.status == JobStatus.FAILED
    client.force_login(world.pilot)
    assert client.post(f"/taches/{job.pk}/relancer/").status_code == 302
    retry = Job.objects.get(retry_of=job)

    response = client.get(URL + "?type=tache")
    assert '<option value="tache" selected>Tâche de fond</option>' in response.content.decode()
    lines = rows(response)
    assert len(lines) == 2
    relaunch, launch = lines
    who = world.pilot.get_full_name()
    assert f"{who} Tâche de fond Import du fichier « marches.json » (tâche n° {retry.pk})" in relaunch
    assert "Création" in relaunch
    assert f"Relance de la tâche n° {job.pk}" in relaunch
    assert relaunch.endswith("Relance de : — → devient Import du fichier « marches.json » (échouée)")
    assert "Statut : — → devient En attente" in relaunch
    assert f"Créé par : — → devient {who}" in relaunch
    assert f"(tâche n° {job.pk})" in launch
    assert "Type : — → devient audit_test_failing" in launch
    html = response.content.decode()
    assert "/srv/spaser" not in html  # a job's parameters (server paths) are not shown
    export = client.get(URL + "export.csv?type=tache")
    assert "/srv/spaser" not in b"".join(export.streaming_content).decode()
    assert f'href="/taches/{retry.pk}/"' in html
    assert f'href="/taches/{job.pk}/"' in html

    client.force_login(world.outsider)  # the pilot of another organisation
    assert "marches.json" not in client.get(URL + "?type=tache").content.decode()
    assert "marches.json" not in client.get(URL).content.decode()
