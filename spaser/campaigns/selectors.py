"""Reads for the campaign pages: campaigns with their progress, entries scoped by role and grouped by
direction, an entry's history (who, when, what changed) and the previous period's value for context."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import groupby

from spaser.core.templatetags.spaser_ui import number_fr
from spaser.indicators.models import ORGANISATION_SCOPE, IndicatorValue
from spaser.indicators.periods import Period
from spaser.organisations.models import Direction
from spaser.schemes.models import MANUAL_METHOD, Scheme

from .models import Campaign, CampaignEntry, EntryStatus
from .permissions import is_referent, sees_all_entries


def campaigns_for(organisation):
    return (
        Campaign.objects.for_organisation(organisation)
        .with_progress()
        .select_related("scheme", "opened_by")
        .order_by("-year", "-period", "-opened_at")
    )


def manual_indicators(scheme: Scheme):
    return (
        scheme.indicators().filter(method=MANUAL_METHOD).select_related("owner_direction", "commitment__axis")
    )


def visible_entries(campaign: Campaign, membership):
    """The entries `membership` may see: all of them for the pilot and committee members, its direction's
    for a referent, none otherwise."""
    entries = campaign.entries.select_related("indicator", "direction", "entered_by", "reviewed_by").order_by(
        "direction__name", "indicator__code"
    )
    if sees_all_entries(membership):
        return entries
    if is_referent(membership):
        return entries.filter(direction_id=membership.direction_id)
    return entries.none()


@dataclass(frozen=True)
class DirectionGroup:
    direction: object  # None: the entries the pilot enters
    entries: list[CampaignEntry]

    @property
    def label(self) -> str:
        return (
            self.direction.name
            if self.direction is not None
            else "Sans direction responsable (saisie du pilote)"
        )

    @property
    def anchor(self) -> str:
        return f"direction-{self.direction.slug}" if self.direction is not None else "direction-pilote"

    @property
    def validated(self) -> int:
        return sum(1 for entry in self.entries if entry.status == EntryStatus.VALIDATED)


def french_key(text: str) -> str:
    """Sort key ignoring accents and case: « Délégation » before « Direction », as a French reader expects."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def group_by_direction(entries) -> list[DirectionGroup]:
    """Entries grouped per direction (named ones by name, then the pilot's)."""
    ordered = sorted(
        entries,
        key=lambda e: (
            e.direction is None,
            french_key(e.direction.name) if e.direction else "",
            e.indicator.code,
        ),
    )
    return [
        DirectionGroup(direction=direction, entries=list(items))
        for direction, items in groupby(ordered, key=lambda e: e.direction)
    ]


def status_counts(entries) -> dict[str, int]:
    counts = dict.fromkeys(EntryStatus.values, 0)
    for entry in entries:
        counts[entry.status] += 1
    return counts


def previous_period(period: Period) -> Period:
    """The period just before: 2024 → 2023, T1 2024 → T4 2023, M01 2024 → M12 2023, S2 → S1."""
    letter, number = period.key[0], int(period.key[1:] or 0)
    if letter == "A":
        return Period(period.year - 1)
    size = {"S": 2, "T": 4, "M": 12}[letter]
    width = 2 if letter == "M" else 1
    if number > 1:
        return Period(period.year, f"{letter}{number - 1:0{width}d}")
    return Period(period.year - 1, f"{letter}{size:0{width}d}")


def previous_value(entry: CampaignEntry) -> tuple[Period, IndicatorValue | None]:
    """The indicator's organisation value of the period before the campaign's (manual or not), for context."""
    period = previous_period(entry.campaign.period_obj)
    value = (
        IndicatorValue.objects.for_period(period)
        .filter(indicator=entry.indicator, scope=ORGANISATION_SCOPE)
        .first()
    )
    return period, value


# --- History ---------------------------------------------------------------------------------------------

TRACKED = ("status", "value", "comment", "evidence_name", "review_comment", "direction")


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    record: object
    reason: str
    author: str
    changes: list[Change]
    evidence_version: int | None  # history id whose file the row links to


def _shown(record, name: str, directions: dict, unit: str) -> str:
    value = getattr(record, name if name != "direction" else "direction_id")
    if name == "status":
        return EntryStatus(value).label
    if name == "direction":
        return directions.get(value, "—") if value else "Pilote du schéma"
    if value is None or value == "":
        return "—"
    if name == "value":
        return f"{number_fr(value)} {unit}"
    return str(value)


def entry_history(entry: CampaignEntry) -> list[HistoryRow]:
    """Every history row of the entry, newest first, with what changed since the row before it."""

    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    directions = {
        d.pk: d.name
        for d in Direction.objects.filter(pk__in={r.direction_id for r in records if r.direction_id})
    }
    labels = {name: str(CampaignEntry._meta.get_field(name).verbose_name) for name in TRACKED}
    unit = entry.indicator.get_unit_display()
    rows, previous = [], None
    for record in records:
        changes = []
        for name in TRACKED:
            after = _shown(record, name, directions, unit)
            before = _shown(previous, name, directions, unit) if previous is not None else None
            if previous is None:
                if after != "—" and name not in ("direction",):
                    changes.append(Change(labels[name], "", after))
            elif before != after:
                changes.append(Change(labels[name], before, after))
        user = record.history_user
        rows.append(
            HistoryRow(
                record=record,
                reason=record.history_change_reason or "Modification",
                author=(user.get_full_name() or user.get_username()) if user else "Système",
                changes=changes,
                # The file a row brought in (a new upload), downloadable as it was.
                evidence_version=(
                    record.history_id
                    if record.evidence and (previous is None or previous.evidence != record.evidence)
                    else None
                ),
            )
        )
        previous = record
    return list(reversed(rows))
