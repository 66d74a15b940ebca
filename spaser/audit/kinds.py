"""The objects the audit page follows: the register (scheme, axes, commitments, objectives, actions,
indicators), targets, indicator values (computed and entered), input campaigns and entries, meetings,
decisions, corrective actions and their follow-up, annual reports, and the organisation's background jobs
(launched and relaunched: who, when, with which parameters).

Each kind says how to find its history rows in an organisation, how to name the object from the history row
alone (the object may be deleted) and where its page is when it still exists. The organisation scope goes
through the *history* tables of the parents (their ids never move to another organisation), so the changes of
an object whose parent was deleted afterwards stay in the journal.

Everything here is expressions on the history queryset: the page builds one query per kind shown, whatever
the number of lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.text import Truncator

from spaser.campaigns.models import Campaign, CampaignEntry
from spaser.core.models import Job
from spaser.governance.models.actions import CorrectiveAction, CorrectiveActionUpdate
from spaser.governance.models.committee import Committee, CommitteeKind
from spaser.governance.models.meeting import Decision, Meeting
from spaser.indicators.models import IndicatorValue
from spaser.reports.models import AnnualReport
from spaser.schemes.models import Action, Axis, Commitment, Indicator, Objective, Scheme, Target


def history(model: type[Model]) -> type[Model]:
    return model.history.model


# --- Organisation scope, through the history tables ---------------------------------------------------


def _ids(model: type[Model], **filters) -> QuerySet:
    return history(model).objects.filter(**filters).order_by().values("id")


def scheme_ids(org_id: int) -> QuerySet:
    return _ids(Scheme, organisation_id=org_id)


def axis_ids(org_id: int) -> QuerySet:
    return _ids(Axis, scheme_id__in=scheme_ids(org_id))


def commitment_ids(org_id: int) -> QuerySet:
    return _ids(Commitment, axis_id__in=axis_ids(org_id))


def indicator_ids(org_id: int) -> QuerySet:
    return _ids(Indicator, commitment_id__in=commitment_ids(org_id))


def campaign_ids(org_id: int) -> QuerySet:
    return _ids(Campaign, scheme_id__in=scheme_ids(org_id))


def meeting_ids(org_id: int) -> QuerySet:
    return _ids(Meeting, committee_id__in=_ids(Committee, organisation_id=org_id))


def corrective_ids(org_id: int) -> QuerySet:
    return _ids(CorrectiveAction, organisation_id=org_id)


# --- Names taken from history (the latest known state of a related object, even deleted) --------------


def latest(model: type[Model], column: str, ref: str = "id") -> Subquery:
    """The latest recorded `column` of the `model` object whose id is the history row's `ref`."""
    rows = history(model).objects.filter(id=OuterRef(ref)).order_by("-history_date", "-history_id")
    return Subquery(rows.values(column)[:1])


def _live_slug(path: str) -> Subquery:
    """The slug of the live scheme holding the object (None once the object is deleted)."""
    return Subquery(Scheme.objects.filter(**{path: OuterRef("id")}).values("slug")[:1])


def _alive(model: type[Model]) -> Exists:
    return Exists(model.objects.filter(pk=OuterRef("id")))


def _committee_kind(kind: str | None) -> str:
    return CommitteeKind(kind).label if kind in CommitteeKind.values else "Comité"


def _short(text: str, length: int = 80) -> str:
    return Truncator(text or "").chars(length)


def _scheme_url(name: str = "schemes:detail", *args: str) -> Callable:
    def url(record) -> str | None:
        if not record.audit_alive:
            return None
        return reverse(name, args=[record.audit_alive, *(getattr(record, a) for a in args)])

    return url


def _pk_url(name: str, attribute: str = "id") -> Callable:
    def url(record) -> str | None:
        return reverse(name, args=[getattr(record, attribute)]) if record.audit_alive else None

    return url


@dataclass(frozen=True)
class Kind:
    key: str  # in the URL (?type=…) and the CSV
    label: str  # « Cible », « Décision »…
    model: type[Model]
    scope: Callable[[int], Q]  # organisation id → filter on the history rows
    describe: Callable[[Model], str]  # history row → the object's name
    url: Callable[[Model], str | None]  # history row → the object's page, None once deleted
    alive: Callable[[], object]  # annotation `audit_alive`: slug or boolean, falsy once deleted
    names: dict[str, Callable[[], object]] = field(default_factory=dict)  # other annotations, by name
    hidden: frozenset[str] = frozenset()  # fields never shown in the journal

    @property
    def history_model(self) -> type[Model]:
        return history(self.model)

    def rows(self, org_id: int) -> QuerySet:
        return self.history_model.objects.filter(self.scope(org_id))


KINDS: list[Kind] = [
    Kind(
        "schema",
        "Schéma",
        Scheme,
        scope=lambda org: Q(organisation_id=org),
        describe=lambda r: f"{r.title} ({r.period_start}-{r.period_end})",
        url=_scheme_url(),
        alive=lambda: Subquery(Scheme.objects.filter(pk=OuterRef("id")).values("slug")[:1]),
    ),
    Kind(
        "axe",
        "Axe",
        Axis,
        scope=lambda org: Q(scheme_id__in=scheme_ids(org)),
        describe=lambda r: f"Axe {r.code} — {r.title}",
        url=_scheme_url(),
        alive=lambda: _live_slug("axes__pk"),
    ),
    Kind(
        "engagement",
        "Engagement",
        Commitment,
        scope=lambda org: Q(axis_id__in=axis_ids(org)),
        describe=lambda r: f"Engagement {r.code} — {r.title}",
        url=_scheme_url(),
        alive=lambda: _live_slug("axes__commitments__pk"),
    ),
    Kind(
        "objectif",
        "Objectif",
        Objective,
        scope=lambda org: Q(commitment_id__in=commitment_ids(org)),
        describe=lambda r: _short(r.text),
        url=_scheme_url(),
        alive=lambda: _live_slug("axes__commitments__objectives__pk"),
    ),
    Kind(
        "action",
        "Action du schéma",
        Action,
        scope=lambda org: Q(commitment_id__in=commitment_ids(org)),
        describe=lambda r: r.title,
        url=_scheme_url(),
        alive=lambda: _live_slug("axes__commitments__actions__pk"),
    ),
    Kind(
        "indicateur",
        "Indicateur",
        Indicator,
        scope=lambda org: Q(commitment_id__in=commitment_ids(org)),
        describe=lambda r: f"{r.code} — {r.name}",
        url=_scheme_url("schemes:indicator_detail", "id"),
        alive=lambda: _live_slug("axes__commitments__indicators__pk"),
    ),
    Kind(
        "cible",
        "Cible",
        Target,
        scope=lambda org: Q(indicator_id__in=indicator_ids(org)),
        describe=lambda r: f"Cible {r.year} de l'indicateur {r.audit_indicator or r.indicator_id}",
        url=_scheme_url("schemes:indicator_detail", "indicator_id"),
        alive=lambda: _live_slug("axes__commitments__indicators__targets__pk"),
        names={"audit_indicator": lambda: latest(Indicator, "code", "indicator_id")},
    ),
    Kind(
        "valeur",
        "Valeur d'indicateur",
        IndicatorValue,
        scope=lambda org: Q(indicator_id__in=indicator_ids(org)),
        describe=lambda r: (
            f"Valeur {r.audit_indicator or r.indicator_id} {r.year} ({r.period}, périmètre {r.scope})"
        ),
        url=_scheme_url("schemes:indicator_detail", "indicator_id"),
        alive=lambda: _live_slug("axes__commitments__indicators__values__pk"),
        names={"audit_indicator": lambda: latest(Indicator, "code", "indicator_id")},
    ),
    Kind(
        "campagne",
        "Campagne de saisie",
        Campaign,
        scope=lambda org: Q(scheme_id__in=scheme_ids(org)),
        describe=lambda r: r.title,
        url=_pk_url("campaigns:detail"),
        alive=lambda: _alive(Campaign),
    ),
    Kind(
        "saisie",
        "Saisie",
        CampaignEntry,
        scope=lambda org: Q(campaign_id__in=campaign_ids(org)),
        describe=lambda r: (
            f"Saisie {r.audit_indicator or r.indicator_id} — {r.audit_campaign or r.campaign_id}"
        ),
        url=_pk_url("campaigns:entry"),
        alive=lambda: _alive(CampaignEntry),
        names={
            "audit_indicator": lambda: latest(Indicator, "code", "indicator_id"),
            "audit_campaign": lambda: latest(Campaign, "title", "campaign_id"),
        },
    ),
    Kind(
        "seance",
        "Séance",
        Meeting,
        scope=lambda org: Q(committee_id__in=_ids(Committee, organisation_id=org)),
        describe=lambda r: f"{_committee_kind(r.audit_committee)} du {r.date:%d/%m/%Y}",
        url=_pk_url("governance:meeting"),
        alive=lambda: _alive(Meeting),
        names={"audit_committee": lambda: latest(Committee, "kind", "committee_id")},
    ),
    Kind(
        "decision",
        "Décision",
        Decision,
        scope=lambda org: Q(meeting_id__in=meeting_ids(org)),
        describe=lambda r: _short(r.text),
        url=_pk_url("governance:meeting", "meeting_id"),
        alive=lambda: _alive(Decision),
    ),
    Kind(
        "action-corrective",
        "Action corrective",
        CorrectiveAction,
        scope=lambda org: Q(organisation_id=org),
        describe=lambda r: r.title,
        url=_pk_url("governance:action"),
        alive=lambda: _alive(CorrectiveAction),
    ),
    Kind(
        "suivi",
        "Suivi d'action corrective",
        CorrectiveActionUpdate,
        scope=lambda org: Q(action_id__in=corrective_ids(org)),
        describe=lambda r: f"Suivi de « {r.audit_action or r.action_id} »",
        url=_pk_url("governance:action", "action_id"),
        alive=lambda: _alive(CorrectiveActionUpdate),
        names={"audit_action": lambda: latest(CorrectiveAction, "title", "action_id")},
    ),
    Kind(
        "rapport",
        "Rapport annuel",
        AnnualReport,
        scope=lambda org: Q(scheme_id__in=scheme_ids(org)),
        describe=lambda r: f"Rapport annuel {r.year} — version {r.version}",
        url=_pk_url("reports:detail"),
        alive=lambda: _alive(AnnualReport),
    ),
    # A job's history row is written when it is launched or relaunched (`retry_of`, reason « Relance de la
    # tâche n° … »), by whoever clicked; its runner's progress and outcome are its own state, not history
    # (spaser/core/jobs.py): its page (/taches/<id>/) tells how it ended. Jobs without an organisation
    # (commands run by an administrator) are in no organisation's journal.
    Kind(
        "tache",
        "Tâche de fond",
        Job,
        scope=lambda org: Q(organisation_id=org),
        describe=lambda r: f"{r.title} (tâche n° {r.id})",
        url=_pk_url("jobs:detail"),
        alive=lambda: _alive(Job),
        # Its parameters hold the server's paths (an upload's place on disk): the title says what it works on.
        hidden=frozenset({"params"}),
    ),
]

BY_KEY: dict[str, Kind] = {kind.key: kind for kind in KINDS}
CHOICES: list[tuple[str, str]] = [(kind.key, kind.label) for kind in KINDS]
