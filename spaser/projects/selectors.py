"""Reads of the purchase project pages: the list (visible projects, filters, sorts, advice counts), the rows
of its CSV export, and what the detail page shows (stages, move panel, climate check, clause library)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When, prefetch_related_objects
from django.utils import timezone

from . import climate, workflow
from .models import AdviceStatus, ClauseRecommendation, Project, Transition
from .permissions import is_pilot, visible_projects
from .stages import FINAL, GUIDANCE, ORDER, Stage, allowed_targets

ACTIVE = "actifs"

# Sort keys of the list (?tri=…): name → (model expression, label).
SORTS = {
    "reference": ("reference", "référence"),
    "objet": ("title", "objet"),
    "direction": ("direction__name", "direction"),
    "etape": ("stage_order", "étape"),
    "montant": ("estimated_amount", "montant estimé"),
    "lancement": ("planned_launch_date", "lancement prévu"),
}
DEFAULT_SORT = "-reference"
DESCENDING_FIRST = {"reference", "montant", "lancement"}

CLIMATE_LABELS = {
    "na": "Non concerné",
    "ok": "Conforme",
    "ko": "Non conforme",
    "todo": "À compléter",
}


def stage_order() -> Case:
    """The stage as its position in the process (abandoned last), so that the list sorts by progress."""
    whens = [When(stage=stage, then=Value(index)) for index, stage in enumerate(ORDER)]
    return Case(*whens, default=Value(len(ORDER)), output_field=IntegerField())


def visible(organisation, membership) -> QuerySet:
    """The organisation's projects the member may see (without the join visibility may need)."""
    base = Project.objects.for_organisation(organisation)
    if is_pilot(membership):
        return base
    return base.filter(pk__in=visible_projects(base, membership).values("pk"))


def list_queryset(organisation, membership, filters: dict) -> QuerySet:
    """Visible projects, filtered, annotated with their advice counts and stage position, sorted."""
    projects = visible(organisation, membership)
    if filters.get("direction") is not None:
        projects = projects.filter(direction=filters["direction"])
    stage = filters.get("etape") or ""
    if stage == ACTIVE:
        projects = projects.active()
    elif stage:
        projects = projects.filter(stage=stage)
    if filters.get("nature"):
        projects = projects.filter(nature=filters["nature"])
    query = (filters.get("q") or "").strip()
    if query:
        projects = projects.filter(Q(reference__icontains=query) | Q(title__icontains=query))
    projects = projects.select_related("direction", "need_review", "renewed_contract").annotate(
        advice_required=Count("advices", filter=Q(advices__required=True)),
        advice_closed=Count(
            "advices",
            filter=Q(
                advices__required=True,
                advices__status__in=[AdviceStatus.GIVEN, AdviceStatus.NOT_NEEDED],
            ),
        ),
        stage_order=stage_order(),
    )
    sort = filters.get("tri") or DEFAULT_SORT
    name = sort.lstrip("-")
    expression = SORTS.get(name, SORTS[DEFAULT_SORT.lstrip("-")])[0]
    prefix = "-" if sort.startswith("-") else ""
    return projects.order_by(f"{prefix}{expression}", f"{prefix}pk")


def expected_launch(project: Project, today: date | None = None) -> date | None:
    """The launch date the Loi Climat check uses: the actual one once launched; else the planned one, and
    never before today (a consultation not launched yet launches today at the earliest), except for an
    abandoned project, which will never launch."""
    if project.launched_on or project.stage == Stage.ABANDONED:
        return project.launched_on or project.planned_launch_date
    today = today or timezone.localdate()
    return max(project.planned_launch_date or today, today)


def climate_conformity(project: Project, today: date | None = None) -> climate.Conformity:
    return climate.check(project, launch=expected_launch(project, today))


def climate_state(project: Project, today: date | None = None) -> str:
    """« na » out of the Loi Climat scope, « ok » conforming, « ko » missing something, « todo » undecided."""
    result = climate_conformity(project, today)
    if not result.applies:
        return "na"
    if result.conforming is True:
        return "ok"
    return "ko" if result.conforming is False else "todo"


@dataclass(frozen=True)
class StageStep:
    value: str
    label: str
    state: str  # "done", "current", "todo"
    state_label: str
    guidance: str


def stage_steps(project: Project, transitions: list[Transition]) -> list[StageStep]:
    """The 8 stages in order, each done / current / to come. An abandoned project shows the stages it went
    through as done and the one it was abandoned at as where it stopped."""
    stage = project.stage
    abandoned = stage == Stage.ABANDONED
    if abandoned:
        last = next((t for t in reversed(transitions) if t.to_stage == Stage.ABANDONED), None)
        reached = ORDER.index(last.from_stage) if last and last.from_stage in ORDER else 0
    else:
        reached = ORDER.index(stage)
    steps = []
    for index, value in enumerate(ORDER):
        if index < reached:
            state, text = "done", "terminée"
        elif index == reached:
            state, text = ("stopped", "abandonné à cette étape") if abandoned else ("current", "en cours")
        else:
            state, text = "todo", "non atteinte" if abandoned else "à venir"
        steps.append(StageStep(value, Stage(value).label, state, text, GUIDANCE[value]))
    return steps


@dataclass
class MoveOption:
    target: str
    label: str
    forward: bool
    blockers: list = field(default_factory=list)

    @property
    def needs_comment(self) -> bool:
        return not self.forward

    @property
    def allowed(self) -> bool:
        return not self.blockers

    @property
    def button(self) -> str:
        if self.target == Stage.ABANDONED:
            return "Abandonner le projet"
        if self.forward:
            return f"Passer à l'étape « {self.label} »"
        return f"Revenir à l'étape « {self.label} »"

    @property
    def only_overridable(self) -> bool:
        return bool(self.blockers) and all(b.overridable for b in self.blockers)


def move_options(project: Project) -> list[MoveOption]:
    """Each stage reachable in one move, with what blocks it now. A back move or an abandon needs a comment:
    that requirement is said on the form, not listed as a blocker."""
    options = []
    for target in allowed_targets(project.stage):
        forward = workflow._forward(project.stage, target)
        found = workflow.blockers(project, target, comment="" if forward else "motif")
        options.append(MoveOption(target, Stage(target).label, forward, found))
    return options


def detail(project: Project) -> dict:
    """Everything the detail page shows beyond the project's own fields."""
    prefetch_related_objects([project], "advices__resource_direction", "contracts")
    transitions = list(project.transitions.select_related("user").order_by("at", "pk"))
    advices = list(project.advices.all())
    options = [] if project.stage in FINAL else move_options(project)
    clauses = list(
        ClauseRecommendation.objects.filter(organisation_id=project.organisation_id)
        .active()
        .for_cpv(project.cpv)
        .order_by("kind", "cpv_prefix", "title")
    )
    return {
        "steps": stage_steps(project, transitions),
        "guidance": GUIDANCE[project.stage],
        "transitions": transitions,
        "advices": advices,
        "advice_required": sum(1 for a in advices if a.required),
        "advice_closed": sum(1 for a in advices if a.required and a.is_closed),
        "options": options,
        "override_possible": any(o.only_overridable for o in options),
        "clauses": clauses,
        "conformity": climate_conformity(project),
        "climate_state": climate_state(project),
        "contracts": sorted(project.contracts.all(), key=lambda c: c.uid),
    }
