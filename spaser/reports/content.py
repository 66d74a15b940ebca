"""The content of an annual report (schema `spaser-report/1`, docs/reports.md): one JSON-able dict built from
the **stored** indicator values of the whole year (`figures_for(period=Period(year, "A"))`, the values the
dashboard shows), the scheme's register and actions, and the committees' meetings of the year. The report is
rendered from this dict alone (rendering.py), and a published version freezes it.

Conventions (those of the meeting packs): exact decimals as strings without useless zeros, dates ISO, labels
in French; a missing value stays `null` (shown « pas de données », never 0). Deterministic: the same data
give the same dict, `generated_at` aside. A fixed number of queries whatever the size of the scheme.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from spaser.governance.models import DEFAULT_FREQUENCY, Committee, CommitteeKind, Meeting, MeetingStatus
from spaser.governance.sections import iso, number
from spaser.indicators.export_formats import COLUMN_NOTES, readme_lines
from spaser.indicators.exports import Filters, in_euros, unknown_share
from spaser.indicators.periods import Period
from spaser.indicators.selectors import Figure, figures_for
from spaser.indicators.status import STATUSES, status_for
from spaser.organisations.models import OrganisationKind
from spaser.schemes.models import Action, ActionStatus, Scheme, Unit

SCHEMA = "spaser-report/1"
CLOSED_ACTIONS = (ActionStatus.DONE, ActionStatus.ABANDONED)


def reference_date(year: int, today: date | None = None) -> date:
    """The day actions are judged late on: the end of the year, or today while the year is running."""
    today = today or timezone.localdate()
    return min(date(year, 12, 31), today)


def build_report_content(*, scheme: Scheme, year: int, today: date | None = None) -> dict:
    """The report of `scheme` for `year` as a draft (version, publication and validation unset)."""
    today = today or timezone.localdate()
    scheme = Scheme.objects.select_related("organisation").get(pk=scheme.pk)
    organisation = scheme.organisation
    figures = figures_for(scheme=scheme, period=Period(year, "A"))
    actions = _actions(scheme, year, today)
    axes = []
    for axis in scheme.axes.order_by("position", "code", "pk").prefetch_related("commitments"):
        commitments = []
        for commitment in sorted(axis.commitments.all(), key=lambda c: (c.position, c.code, c.pk)):
            indicators = [_indicator(f) for f in figures if f.indicator.commitment_id == commitment.pk]
            commitments.append(
                {
                    "code": commitment.code,
                    "title": commitment.title,
                    "indicators": indicators,
                    "actions": actions["by_commitment"].get(commitment.pk, []),
                }
            )
        axes.append(
            {
                "code": axis.code,
                "title": axis.title,
                "description": axis.description,
                "commitments": commitments,
            }
        )
    counts = Counter(figure.status.key for figure in figures)
    data_dates = [f.value.data_date for f in figures if f.value is not None and f.value.data_date]
    return {
        "schema": SCHEMA,
        "year": year,
        "version": None,
        "status": "draft",
        "erratum": "",
        "published_on": None,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "data_date": iso(max(data_dates)) if data_dates else None,
        "organisation": {
            "name": organisation.name,
            "siren": organisation.siren,
            "kind_label": OrganisationKind(organisation.kind).label if organisation.kind else "",
        },
        "scheme": {
            "slug": scheme.slug,
            "title": scheme.title,
            "period_start": scheme.period_start,
            "period_end": scheme.period_end,
            "adoption_date": iso(scheme.adoption_date),
            "public_url": scheme.public_url,
            "summary": scheme.summary,
        },
        "perimeter": {
            "text": counting_rules(scheme)["Périmètre"],
            "buyers": [
                {"name": name, "identifier": identifier}
                for identifier, name in organisation.buyers.order_by("identifier").values_list(
                    "identifier", "name"
                )
            ],
        },
        "validation": None,
        "summary": {
            "total": len(figures),
            "counts": {status.key: counts.get(status.key, 0) for status in STATUSES},
            "labels": {status.key: status.label for status in STATUSES},
        },
        "axes": axes,
        "actions": {"done": actions["done"], "late": actions["late"], "counts": actions["counts"]},
        "governance": _governance(scheme, year),
        "national": [_national(figure) for figure in figures if figure.national is not None],
        "method": {
            "counting_rules": [f"{label} : {text}" for label, text in counting_rules(scheme).items()],
            "notes": _notes(year),
        },
    }


def counting_rules(scheme: Scheme) -> dict[str, str]:
    """The counting rules written for the indicator exports (their « Lisez-moi » sheet), label → text."""
    lines = readme_lines(scheme, Filters(), {}, timezone.now())
    start = lines.index(["Règles de comptage"]) + 1
    end = lines.index([], start)
    return dict(lines[start:end])


def _notes(year: int) -> list[str]:
    return [
        f"Valeurs de l'année {year} entière, telles qu'enregistrées dans Spaser (calcul ou saisie validée) à "
        "la date de génération du rapport.",
        f"Valeur : {COLUMN_NOTES['value']}.",
        f"Inconnus : {COLUMN_NOTES['unknown']} ; part d'inconnus : {COLUMN_NOTES['unknown_share']}.",
        f"Version de la méthode : {COLUMN_NOTES['method_version']}.",
    ]


def _indicator(figure: Figure) -> dict:
    indicator, value, target = figure.indicator, figure.value, figure.target
    counts_in_euros = in_euros(indicator)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "definition": indicator.definition,
        "unit": indicator.unit,
        "unit_label": Unit(indicator.unit).label,
        "manual": indicator.is_manual,
        "value": number(figure.number),
        "target": number(target.value) if target else None,
        "target_label": target.label if target else "",
        "status": figure.status.key,
        "status_label": figure.status.label,
        "previous_value": number(figure.previous_number),
        "difference": number(figure.difference),
        "numerator": number(value.numerator) if value else None,
        "denominator": number(value.denominator) if value else None,
        "numerator_in_euros": counts_in_euros,
        "denominator_in_euros": counts_in_euros and indicator.method != "mean",
        "unknown": value.unknown if value else None,
        "unknown_share": (
            number(unknown_share(indicator.method, indicator.params or {}, value.unknown, value.details))
            if value
            else None
        ),
        "perimeter": value.perimeter if value else "",
        "data_date": iso(value.data_date) if value else None,
        "method_version": value.method_version if value else "",
        "source": indicator.source,
        "national_target": (
            {"value": number(figure.national.value), "source": figure.national.source}
            if figure.national
            else None
        ),
    }


def _national(figure: Figure) -> dict:
    national = figure.national
    status = status_for(figure.number, national.value, figure.indicator.polarity)
    return {
        "code": figure.code,
        "name": figure.indicator.name,
        "unit": figure.unit,
        "value": number(figure.number),
        "national_target": number(national.value),
        "source": national.source,
        "status": status.key,
    }


def _actions(scheme: Scheme, year: int, today: date) -> dict:
    """The scheme's actions: per commitment, done in the year, late at the reference date, and counts.

    When an action was done is read from its history (the first record with the status « réalisée »); an
    action with no such record counts as done on its due date."""
    on = reference_date(year, today)
    actions = list(
        Action.objects.filter(commitment__axis__scheme=scheme)
        .select_related("owner_direction", "commitment")
        .order_by("commitment__axis__position", "commitment__position", "commitment__code", "position", "pk")
    )
    done_at = dict(
        Action.history.model.objects.filter(id__in=[a.pk for a in actions], status=ActionStatus.DONE)
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    by_commitment: dict[int, list] = {}
    done, late = [], []
    for action in actions:
        done_on = timezone.localtime(done_at[action.pk]).date() if action.pk in done_at else action.due_date
        if action.status != ActionStatus.DONE:
            done_on = None
        is_late = (
            action.due_date is not None
            and action.due_date < on
            and action.status != ActionStatus.ABANDONED
            and (done_on is None or done_on > on)
        )
        owner = action.owner_direction.name if action.owner_direction else ""
        by_commitment.setdefault(action.commitment_id, []).append(
            {
                "title": action.title,
                "owner_direction": owner,
                "due_date": iso(action.due_date),
                "status": action.status,
                "status_label": ActionStatus(action.status).label,
                "progress": action.progress,
                "late": is_late,
            }
        )
        row = {
            "title": action.title,
            "commitment": f"{action.commitment.code} — {action.commitment.title}",
            "owner_direction": owner,
            "due_date": iso(action.due_date),
            "progress": action.progress,
        }
        if done_on is not None and done_on.year == year:
            done.append(row)
        if is_late:
            late.append({**row, "days_late": (on - action.due_date).days})
    statuses = Counter(action.status for action in actions)
    return {
        "by_commitment": by_commitment,
        "done": done,
        "late": late,
        "counts": {
            "total": len(actions),
            "done": statuses.get(ActionStatus.DONE, 0),
            "late": len(late),
            "in_progress": statuses.get(ActionStatus.IN_PROGRESS, 0),
            "planned": statuses.get(ActionStatus.PLANNED, 0),
            "abandoned": statuses.get(ActionStatus.ABANDONED, 0),
        },
    }


def _governance(scheme: Scheme, year: int) -> dict:
    committees = {c.kind: c for c in Committee.objects.filter(organisation_id=scheme.organisation_id)}
    meetings = list(
        Meeting.objects.filter(committee__organisation_id=scheme.organisation_id, date__year=year)
        .select_related("committee")
        .order_by("date", "committee__kind", "pk")
    )
    held = Counter(m.committee.kind for m in meetings if m.status == MeetingStatus.HELD)
    expected = {}
    for kind in (CommitteeKind.COTECH, CommitteeKind.COPIL):
        months = committees[kind].frequency_months if kind in committees else DEFAULT_FREQUENCY[kind]
        expected[str(kind)] = 12 // max(months, 1)
    return {
        "meetings": [
            {
                "committee": m.committee.name,
                "kind": m.committee.kind,
                "date": iso(m.date),
                "status": m.status,
                "status_label": MeetingStatus(m.status).label,
            }
            for m in meetings
        ],
        "held": {str(kind): held.get(kind, 0) for kind in (CommitteeKind.COTECH, CommitteeKind.COPIL)},
        "expected": expected,
    }


def decimal_or_none(value) -> Decimal | None:
    """A content number (string) back to a Decimal."""
    return None if value is None or value == "" else Decimal(str(value))
