"""« Mes tâches »: what each member of an organisation has to do in the purchase process, read from the
projects and renewals apps (nothing is stored here).

Kinds of task and who sees them (the pilot sees every task of the organisation):
- **need reviews to fill** (`need_review`): projects at need definition whose *juste besoin* review is not
  decided — the referents of the project's direction; due on the planned launch of the consultation (the
  review must be decided well before); linked to the review form;
- **advice to give** (`advice`): advice requested or in progress on an active project — the referents of the
  resource direction asked; due on the advice deadline;
- **renewal decisions pending** (`renewal`): contracts of the direction on the renewal radar within
  RENEWAL_MONTHS months (or overdue) without a decided renewal review — the referents of the contract's
  direction; due on the radar date (renewal deadline, else end date);
- **projects blocked** (`blocked`): projects at the consultation documents stage whose required advice is
  still missing after its deadline, with no override — the pilot only (it may chase the advice or override).

A task is overdue when its due date has passed. Within a kind: overdue first, then by due date (tasks
without a date last). The number of queries does not depend on the number of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse

from spaser.organisations.models import DIRECTION_ROLES, Direction, Membership, Organisation, Role
from spaser.organisations.selectors import membership_for
from spaser.projects.models import Advice, AdviceStatus, Outcome, Project
from spaser.projects.stages import FINAL, Stage
from spaser.renewals import selectors as radar
from spaser.renewals.selectors import radar_date_of

RENEWAL_MONTHS = 3

NEED_REVIEW = "need_review"
ADVICE = "advice"
RENEWAL = "renewal"
BLOCKED = "blocked"
KINDS = (NEED_REVIEW, ADVICE, RENEWAL, BLOCKED)

LABELS = {
    NEED_REVIEW: "Revues du juste besoin à mener",
    ADVICE: "Avis à rendre",
    RENEWAL: "Décisions de renouvellement en attente",
    BLOCKED: "Projets bloqués par un avis manquant",
}
DESCRIPTIONS = {
    NEED_REVIEW: "Projets à l'étape de définition du besoin dont la revue du juste besoin n'est pas "
    "décidée : le projet ne peut pas avancer sans elle.",
    ADVICE: "Avis demandés à votre direction ressource sur des projets d'achat.",
    RENEWAL: f"Marchés arrivant à échéance dans les {RENEWAL_MONTHS} mois, ou déjà échus, sans décision "
    "de renouvellement prise après revue du besoin.",
    BLOCKED: "Projets au dossier de consultation dont un avis obligatoire n'a pas été rendu dans le délai : "
    "relancez la direction ressource ou accordez une dérogation motivée.",
}

# The kinds of task each role may have (committee members have none).
KINDS_BY_ROLE = {
    Role.PILOT: KINDS,
    Role.PRESCRIBING_REFERENT: (NEED_REVIEW, RENEWAL),
    Role.RESOURCE_REFERENT: (NEED_REVIEW, ADVICE, RENEWAL),
    Role.COMMITTEE_MEMBER: (),
}


@dataclass(frozen=True)
class Task:
    kind: str
    title: str
    url: str  # a path (the reminders make it absolute)
    reference: str  # project reference or contract identifier
    due: date | None
    due_label: str  # what the due date is, in French
    overdue: bool
    direction: Direction | None  # whose task it is (None: the pilot's)
    note: str = ""  # the state, in French

    @property
    def kind_label(self) -> str:
        return LABELS[self.kind]

    @property
    def direction_id(self) -> int | None:
        return self.direction.pk if self.direction is not None else None


@dataclass
class TaskGroup:
    kind: str
    tasks: list[Task] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind]

    @property
    def count(self) -> int:
        return len(self.tasks)

    @property
    def overdue_count(self) -> int:
        return sum(1 for task in self.tasks if task.overdue)


def sort_key(task: Task) -> tuple:
    return (not task.overdue, task.due is None, task.due or date.max, task.reference, task.title)


def kinds_for(membership: Membership | None) -> tuple[str, ...]:
    if membership is None:
        return ()
    return KINDS_BY_ROLE.get(membership.role, ())


def sees(membership: Membership | None, task: Task) -> bool:
    """Whether the task is `membership`'s: the one rule of the page and of the reminders."""
    if task.kind not in kinds_for(membership):
        return False
    if membership.role == Role.PILOT:
        return True
    return (
        membership.role in DIRECTION_ROLES
        and membership.direction_id is not None
        and task.direction_id == membership.direction_id
    )


def _need_reviews(organisation: Organisation, direction: Direction | None, today: date) -> list[Task]:
    projects = (
        Project.objects.for_organisation(organisation)
        .filter(stage=Stage.NEED)
        .filter(Q(need_review__isnull=True) | Q(need_review__outcome=Outcome.PENDING))
        .select_related("direction")
    )
    if direction is not None:
        projects = projects.filter(direction=direction)
    return [
        Task(
            kind=NEED_REVIEW,
            title=project.title,
            url=reverse("projects:review", args=[project.pk]),
            reference=project.reference,
            due=project.planned_launch_date,
            due_label="Lancement prévu" if project.planned_launch_date else "Lancement non planifié",
            overdue=bool(project.planned_launch_date and project.planned_launch_date < today),
            direction=project.direction,
            note="Revue à décider",
        )
        for project in projects
    ]


def _advices(organisation: Organisation, direction: Direction | None, today: date) -> list[Task]:
    advices = (
        Advice.objects.open()
        .filter(project__organisation=organisation)
        .exclude(project__stage__in=FINAL)
        .select_related("project", "resource_direction")
    )
    if direction is not None:
        advices = advices.filter(resource_direction=direction)
    tasks = []
    for advice in advices:
        status = AdviceStatus(advice.status).label
        tasks.append(
            Task(
                kind=ADVICE,
                title=advice.project.title,
                url=reverse("projects:advice", args=[advice.pk]),
                reference=advice.project.reference,
                due=advice.deadline,
                due_label="À rendre avant le" if advice.deadline else "Sans délai fixé",
                overdue=bool(advice.deadline and advice.deadline < today),
                direction=advice.resource_direction,
                note=f"{status} — avis {'obligatoire' if advice.required else 'facultatif'}",
            )
        )
    return tasks


def _renewals(organisation: Organisation, direction: Direction | None, today: date) -> list[Task]:
    contracts = radar.radar_queryset(
        organisation, direction=direction, months=RENEWAL_MONTHS, today=today
    ).filter(decided=False)
    tasks = []
    for contract in contracts:
        due, kind, estimated = radar_date_of(contract)
        if kind == "renewal_deadline":
            due_label = "Date limite de reconduction"
        else:
            due_label = "Date de fin estimée" if estimated else "Date de fin"
        tasks.append(
            Task(
                kind=RENEWAL,
                title=contract.object or contract.uid,
                url=reverse("renewals:review", args=[contract.pk]),
                reference=contract.uid,
                due=due,
                due_label=due_label,
                overdue=due < today,
                direction=contract.direction,
                note="Revue en cours, décision à prendre" if contract.reviewed else "Revue à ouvrir",
            )
        )
    return tasks


def _blocked(organisation: Organisation, today: date) -> list[Task]:
    late = Advice.objects.open().filter(required=True, deadline__lt=today)
    projects = (
        Project.objects.for_organisation(organisation)
        .filter(stage=Stage.DOCUMENTS, advice_override_reason="")
        .filter(Exists(late.filter(project=OuterRef("pk"))))
        .select_related("direction")
        .prefetch_related(
            Prefetch(
                "advices",
                queryset=late.select_related("resource_direction").order_by("deadline", "pk"),
                to_attr="late_advices",
            )
        )
    )
    tasks = []
    for project in projects:
        names = ", ".join(str(advice.resource_direction) for advice in project.late_advices)
        tasks.append(
            Task(
                kind=BLOCKED,
                title=project.title,
                url=reverse("projects:detail", args=[project.pk]),
                reference=project.reference,
                due=project.late_advices[0].deadline,
                due_label="Avis attendu depuis le",
                overdue=True,
                direction=None,
                note=f"Avis manquant{'s' if len(project.late_advices) > 1 else ''} : {names} "
                f"(projet de la direction {project.direction})",
            )
        )
    return tasks


def collect(
    organisation: Organisation, *, today: date, kinds=KINDS, direction: Direction | None = None
) -> list[Task]:
    """The tasks of `kinds` in the organisation (of one direction's, when given), unsorted."""
    tasks: list[Task] = []
    if NEED_REVIEW in kinds:
        tasks += _need_reviews(organisation, direction, today)
    if ADVICE in kinds:
        tasks += _advices(organisation, direction, today)
    if RENEWAL in kinds:
        tasks += _renewals(organisation, direction, today)
    if BLOCKED in kinds and direction is None:
        tasks += _blocked(organisation, today)
    return tasks


def group(tasks, kinds=KINDS) -> list[TaskGroup]:
    """One group per kind of `kinds` (in that order), each sorted: overdue first, then by due date."""
    groups = {kind: TaskGroup(kind) for kind in kinds}
    for task in tasks:
        if task.kind in groups:
            groups[task.kind].tasks.append(task)
    for each in groups.values():
        each.tasks.sort(key=sort_key)
    return list(groups.values())


def tasks_for_membership(
    membership: Membership | None, organisation: Organisation, *, today: date
) -> list[TaskGroup]:
    kinds = kinds_for(membership)
    if not kinds:
        return []
    direction = None if membership.role == Role.PILOT else membership.direction
    if direction is None and membership.role != Role.PILOT:
        return group([], kinds)
    tasks = collect(organisation, today=today, kinds=kinds, direction=direction)
    return group([task for task in tasks if sees(membership, task)], kinds)


def tasks_for(user, organisation: Organisation | None, today: date) -> list[TaskGroup]:
    """The tasks of `user` in `organisation`, grouped by kind (the kinds of its role, possibly empty
    groups); an empty list for committee members and non-members."""
    if organisation is None:
        return []
    return tasks_for_membership(membership_for(user, organisation), organisation, today=today)
