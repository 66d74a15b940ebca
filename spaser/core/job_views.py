"""The page of one background job and its state as JSON (polled by static/spaser/jobs.js).

Who sees a job: the members of the organisation it was launched for (any role); others get a 404."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from spaser.organisations.permissions import require_member

from .jobs import job_state
from .models import Job


def _visible_job(request, pk: int) -> Job:
    organisation, _membership = require_member(request.user, not_member="Tâche introuvable.")
    return get_object_or_404(Job.objects.for_organisation(organisation), pk=pk)


def job_detail(request, pk: int):
    job = _visible_job(request, pk)
    state = job_state(job)
    # The launching page may name where the job belongs (e.g. the import history) for the breadcrumbs.
    back = job.params.get("back") or {}
    breadcrumbs = [(back["label"], back["url"])] if back.get("label") and back.get("url") else []
    breadcrumbs.append((job.title, ""))
    return render(request, "core/job_detail.html", {"job": job, "state": state, "breadcrumbs": breadcrumbs})


def job_state_json(request, pk: int):
    job = _visible_job(request, pk)
    response = JsonResponse(job_state(job), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
