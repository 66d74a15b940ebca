"""Background jobs: the list (/taches/), the page of one job and its state as JSON (polled by
static/spaser/jobs.js), and the relaunch of a failed or interrupted job.

Who sees what:
- a job's page and state: the members of the organisation it was launched for (any role); staff members
  (Django's `is_staff`, superusers) every job; others get a 404;
- the list and the relaunch: the pilot of the organisation (its jobs) and staff members (every job, those
  of command-line runs without organisation included); another member gets a 403, someone outside any
  organisation a 404 (the list) — a job of another organisation is a 404 (the app never says it exists).

Every page that shows jobs first marks as interrupted the running ones whose worker died (core/jobs.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from spaser.organisations.models import Role
from spaser.organisations.selectors import membership_for, organisation_for

from .jobs import JobError, job_state, reconcile_interrupted, retry
from .models import Job, JobStatus

PER_PAGE = 50
NOT_MEMBER = "Tâche introuvable."
NOT_PILOT = "Les tâches de fond sont suivies et relancées par le pilote du schéma et les administrateurs."


def is_staff(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def _member_scope(request) -> tuple[QuerySet, object]:
    """The jobs a member may read, and their membership (None for staff without one)."""
    user = request.user
    organisation = organisation_for(user)
    membership = membership_for(user, organisation)
    if is_staff(user):
        return Job.objects.all(), membership
    if membership is None:
        raise Http404(NOT_MEMBER)
    return Job.objects.for_organisation(organisation), membership


def _manager_scope(request) -> QuerySet:
    """The jobs the user may list and relaunch: the pilot's organisation's, or all for staff."""
    jobs, membership = _member_scope(request)
    if not is_staff(request.user) and membership.role != Role.PILOT:
        raise PermissionDenied(NOT_PILOT)
    return jobs


def _visible_job(request, pk: int) -> Job:
    jobs, _membership = _member_scope(request)
    reconcile_interrupted(jobs.filter(pk=pk))
    return get_object_or_404(jobs.select_related("created_by", "retry_of"), pk=pk)


@require_GET
def job_list(request):
    jobs = _manager_scope(request)
    reconcile_interrupted(jobs)
    status = request.GET.get("statut", "")
    if status not in JobStatus.values:
        status = ""
    shown = jobs.filter(status=status) if status else jobs
    shown = shown.select_related("created_by", "organisation", "retry_of").order_by("-created_at", "-pk")
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    retried = set(
        Job.objects.filter(retry_of__in=[job.pk for job in page]).values_list("retry_of_id", flat=True)
    )
    return render(
        request,
        "core/job_list.html",
        {
            "page": page,
            "status": status,
            "statuses": JobStatus.choices,
            "retried": retried,
            "all_organisations": is_staff(request.user),
            "breadcrumbs": [("Tâches de fond", "")],
        },
    )


def job_detail(request, pk: int):
    job = _visible_job(request, pk)
    state = job_state(job)
    # The launching page may name where the job belongs (e.g. the import history) for the breadcrumbs.
    back = job.params.get("back") or {}
    breadcrumbs = [(back["label"], back["url"])] if back.get("label") and back.get("url") else []
    breadcrumbs.append((job.title, ""))
    user = request.user
    membership = membership_for(user, organisation_for(user))
    can_manage = is_staff(user) or (membership is not None and membership.role == Role.PILOT)
    return render(
        request,
        "core/job_detail.html",
        {
            "job": job,
            "state": state,
            "breadcrumbs": breadcrumbs,
            "can_retry": can_manage and job.can_be_retried and not job.retries.exists(),
            "retries": list(job.retries.order_by("pk")),
        },
    )


def job_state_json(request, pk: int):
    job = _visible_job(request, pk)
    response = JsonResponse(job_state(job), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def job_retry(request, pk: int):
    job = get_object_or_404(_manager_scope(request), pk=pk)
    reconcile_interrupted(Job.objects.filter(pk=pk))
    job.refresh_from_db()
    try:
        new = retry(job=job, user=request.user)
    except JobError as error:
        messages.error(request, str(error))
        return redirect("jobs:detail", pk=job.pk)
    messages.success(request, f"La tâche « {job.title} » a été relancée (tâche n° {new.pk}).")
    return redirect("jobs:detail", pk=new.pk)
