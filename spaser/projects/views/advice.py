"""Pages of the resource directions' advice (/projets/avis/): the list of the advice a member may see, the
advice page (project summary, recommendations, library clauses, history), the pilot's manual referral of a
project (/projets/<pk>/saisine/) and deadline change.

Access: outside the organisation, or an advice on a project the member may not see → 404; writing by a
member who may only read (another resource direction, a prescribing referent, a committee member) → 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from spaser.organisations.models import Direction, Role
from spaser.organisations.permissions import require_member

from .. import advising
from ..forms.advice import AdviceFilterForm, AdviceForm, AdviceRequestForm, DeadlineForm
from ..models import Advice, AdviceStatus, ClauseRecommendation, Project
from ..permissions import can_view_project, can_write_advice, is_pilot
from ..stages import FINAL, Stage

NOT_MEMBER = "Vous n'êtes membre d'aucune organisation : les avis ne vous sont pas accessibles."
NOT_FOUND = "Avis introuvable parmi ceux que vous pouvez consulter."
PROJECT_NOT_FOUND = "Projet d'achat introuvable parmi ceux que vous pouvez consulter."
PER_PAGE = 50
OPEN = (AdviceStatus.REQUESTED, AdviceStatus.IN_PROGRESS)


def _member(request):
    return require_member(request.user, not_member=NOT_MEMBER)


def _crumbs(*items):
    return [("Projets d'achat", reverse("projects:list")), *items]


def _attach(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def visible_advices(organisation, membership):
    """The advice the member may see: the pilot and committee members all; a resource referent its
    direction's; a prescribing referent the advice on its direction's projects."""
    advices = Advice.objects.filter(project__organisation=organisation)
    if membership.role in (Role.PILOT, Role.COMMITTEE_MEMBER):
        return advices
    if membership.role == Role.RESOURCE_REFERENT:
        return advices.filter(resource_direction_id=membership.direction_id)
    if membership.role == Role.PRESCRIBING_REFERENT:
        return advices.filter(project__direction_id=membership.direction_id)
    return advices.none()


def _queue(advices):
    """To give first (the most overdue first), then the advice given (most recent first)."""
    return advices.annotate(
        closed=Case(When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()),
        open_deadline=Case(When(status__in=OPEN, then=F("deadline"))),
    ).order_by(
        "closed",
        F("open_deadline").asc(nulls_last=True),
        F("given_at").desc(nulls_last=True),
        "-pk",
    )


@require_http_methods(["GET"])
def advice_list(request):
    organisation, membership = _member(request)
    directions = list(Direction.objects.filter(organisation=organisation).resource().order_by("name"))
    form = AdviceFilterForm(request.GET or None, directions=directions)
    advices = visible_advices(organisation, membership)
    today = timezone.localdate()
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        if data.get("direction"):
            advices = advices.filter(resource_direction__slug=data["direction"])
        state = data.get("etat")
        if state == "a_rendre":
            advices = advices.filter(status__in=OPEN)
        elif state:
            advices = advices.filter(status=state)
        if data.get("retard"):
            advices = advices.filter(status__in=OPEN, deadline__lt=today)
    advices = _queue(
        advices.select_related("project", "project__direction", "resource_direction", "given_by", "rule")
    )
    page = Paginator(advices, PER_PAGE).get_page(request.GET.get("page"))
    pending = visible_advices(organisation, membership).filter(status__in=OPEN)
    return render(
        request,
        "projects/advice_list.html",
        {
            "form": form,
            "page": page,
            "advices": page.object_list,
            "today": today,
            "pending_count": pending.count(),
            "overdue_count": pending.filter(deadline__lt=today).count(),
            "filtered": bool(
                request.GET.get("direction") or request.GET.get("etat") or request.GET.get("retard")
            ),
            "breadcrumbs": _crumbs(("Avis des directions ressources", "")),
        },
    )


def _advice(request, pk):
    organisation, membership = _member(request)
    advice = (
        Advice.objects.filter(project__organisation=organisation, pk=pk)
        .select_related("project", "project__direction", "project__organisation", "resource_direction")
        .select_related("rule", "given_by")
        .first()
    )
    if advice is None or not can_view_project(membership, advice.project):
        raise Http404(NOT_FOUND)
    return organisation, membership, advice


def _library(advice):
    """The active library clauses for the project's CPV, and those the advice already holds."""
    project = advice.project
    chosen = list(advice.clauses.all()) if advice.pk else []
    offered = list(
        ClauseRecommendation.objects.filter(organisation_id=project.organisation_id)
        .active()
        .for_cpv(project.cpv)
        .order_by("kind", "cpv_prefix", "title")
    )
    known = {c.pk for c in offered}
    return offered + [c for c in chosen if c.pk not in known], chosen


def _initial(advice, chosen) -> dict:
    initial = {name: getattr(advice, name) for name in advising.RECOMMENDATION_FIELDS}
    initial.update(
        comment=advice.comment,
        status=AdviceStatus.IN_PROGRESS if advice.status == AdviceStatus.REQUESTED else advice.status,
        clauses=[str(c.pk) for c in chosen],
    )
    return initial


@require_http_methods(["GET", "POST"])
def advice_detail(request, pk):
    _organisation, membership, advice = _advice(request, pk)
    writable = can_write_advice(membership, advice)
    if request.method == "POST" and not writable:
        raise PermissionDenied(advising.NOT_ADVISER)
    library, chosen = _library(advice)
    form = None
    if writable:
        form = AdviceForm(request.POST or None, initial=_initial(advice, chosen), library=library)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                advising.advice_update(
                    advice=advice,
                    membership=membership,
                    user=request.user,
                    status=data["status"],
                    comment=data["comment"],
                    clauses=form.selected_clauses(),
                    **{name: data.get(name) for name in advising.RECOMMENDATION_FIELDS},
                )
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, f"Avis enregistré : {advice.get_status_display().lower()}.")
                return redirect("projects:advice", advice.pk)
    history = list(
        advice.history.select_related("history_user").order_by("-history_date", "-history_id")[:20]
    )
    return render(
        request,
        "projects/advice_detail.html",
        {
            "advice": advice,
            "project": advice.project,
            "form": form,
            "writable": writable,
            "chosen": chosen,
            "library": library,
            "history": history,
            "today": timezone.localdate(),
            "stage_at_request": Stage(advice.stage_at_request).label
            if advice.stage_at_request in Stage.values
            else "",
            "deadline_form": DeadlineForm(initial={"deadline": advice.deadline})
            if is_pilot(membership)
            else None,
            "breadcrumbs": _crumbs(
                (advice.project.reference, reverse("projects:detail", args=[advice.project.pk])),
                (f"Avis {advice.resource_direction}", ""),
            ),
        },
    )


@require_POST
def advice_deadline(request, pk):
    _organisation, membership, advice = _advice(request, pk)
    if not is_pilot(membership):
        raise PermissionDenied(advising.NOT_PILOT_REFER)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        try:
            advising.advice_set_deadline(
                advice=advice,
                membership=membership,
                user=request.user,
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Date limite de l'avis : {advice.deadline:%d/%m/%Y}.")
    else:
        messages.error(request, "Nouvelle date limite : indiquez une date valide.")
    return redirect("projects:advice", advice.pk)


@require_http_methods(["GET", "POST"])
def project_refer(request, pk):
    """The pilot asks a resource direction's advice on a project, besides the referral rules."""
    organisation, membership = _member(request)
    project = Project.objects.for_organisation(organisation).select_related("direction").filter(pk=pk).first()
    if project is None or not can_view_project(membership, project):
        raise Http404(PROJECT_NOT_FOUND)
    if not is_pilot(membership):
        raise PermissionDenied(advising.NOT_PILOT_REFER)
    asked = project.advices.values_list("resource_direction_id", flat=True)
    directions = Direction.objects.filter(organisation=organisation).resource().order_by("name")
    form = AdviceRequestForm(request.POST or None, directions=directions.exclude(pk__in=asked))
    if request.method == "POST":
        # Validate against every resource direction so that a duplicate gets the service's French message.
        form.fields["direction"].queryset = directions
        if form.is_valid():
            data = form.cleaned_data
            try:
                advice = advising.advice_request(
                    project=project,
                    direction=data["direction"],
                    membership=membership,
                    user=request.user,
                    deadline=data["deadline"],
                    required=data["required"],
                )
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, f"Avis demandé à {advice.resource_direction}.")
                return redirect("projects:detail", project.pk)
        form.fields["direction"].queryset = directions.exclude(pk__in=asked)
    return render(
        request,
        "projects/advice_request.html",
        {
            "project": project,
            "form": form,
            "closed": project.stage in FINAL,
            "asked": project.advices.select_related("resource_direction"),
            "breadcrumbs": _crumbs(
                (project.reference, reverse("projects:detail", args=[project.pk])),
                ("Saisir une direction", ""),
            ),
        },
    )


urlpatterns = [
    path("avis/", advice_list, name="advice_list"),
    path("avis/<int:pk>/", advice_detail, name="advice"),
    path("avis/<int:pk>/delai/", advice_deadline, name="advice_deadline"),
    path("<int:pk>/saisine/", project_refer, name="refer"),
]
