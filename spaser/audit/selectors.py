"""Reads of the audit page: the history of every followed object of an organisation, merged newest first,
filtered, one page at a time, each line with its before → after values in French.

Query budget of a page, whatever its length: one COUNT and one UNION ALL over the followed history tables
(the keys of the page), then for each kind present on the page one query for its rows (with the user, the
previous row's id and the object's names) and one for the previous rows, then one query per related model
named by a changed foreign key.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import CharField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from .kinds import BY_KEY, KINDS, Kind

ACTIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}
ACTION_KEYS = {"creation": "+", "modification": "~", "suppression": "-"}
EMPTY = "—"
SYSTEM_USER = "systeme"  # the user filter's value for changes made without a signed-in user


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    user: str = ""  # a user id, SYSTEM_USER or ""
    start: date | None = None
    end: date | None = None
    action: str = ""  # a key of ACTION_KEYS or ""


@dataclass(frozen=True)
class Change:
    field: str  # the field's French name
    before: str
    after: str


@dataclass
class Line:
    when: datetime
    who: str
    by_system: bool
    kind: Kind
    object_id: int
    object_name: str
    url: str | None
    action: str  # « Création », « Modification », « Suppression »
    reason: str
    changes: list[Change] = field(default_factory=list)
    previous_unknown: bool = False  # a modification whose previous state was never recorded


# --- Which rows --------------------------------------------------------------------------------------------


def _kinds(filters: Filters) -> list[Kind]:
    return [kind for kind in KINDS if not filters.kinds or kind.key in filters.kinds]


def _filter(rows: QuerySet, filters: Filters) -> QuerySet:
    if filters.user == SYSTEM_USER:
        rows = rows.filter(history_user__isnull=True)
    elif filters.user:
        rows = rows.filter(history_user_id=int(filters.user))
    if filters.start:
        rows = rows.filter(history_date__gte=_day_start(filters.start))
    if filters.end:
        rows = rows.filter(history_date__lt=_day_start(filters.end + timedelta(days=1)))
    if filters.action:
        rows = rows.filter(history_type=ACTION_KEYS[filters.action])
    return rows


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _keys(org_id: int, filters: Filters) -> QuerySet | None:
    """(kind, history_id, history_date) of every row in scope, as one UNION ALL; None when no kind."""
    parts = [
        _filter(kind.rows(org_id), filters)
        .order_by()
        .annotate(audit_kind=Value(kind.key, output_field=CharField()))
        .values_list("audit_kind", "history_id", "history_date")
        for kind in _kinds(filters)
    ]
    if not parts:
        return None
    first, *others = parts
    return first.union(*others, all=True) if others else first


def count(org_id: int, filters: Filters) -> int:
    keys = _keys(org_id, filters)
    return keys.count() if keys is not None else 0


def page_keys(org_id: int, filters: Filters, start: int, stop: int) -> list[tuple[str, int, datetime]]:
    keys = _keys(org_id, filters)
    if keys is None:
        return []
    return list(keys.order_by("-history_date", "-history_id", "audit_kind")[start:stop])


class Journal:
    """The filtered journal of an organisation, sliceable like a list: what a Paginator needs, and no more
    (a slice loads only its own lines)."""

    def __init__(self, org_id: int, filters: Filters):
        self.org_id = org_id
        self.filters = filters
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = count(self.org_id, self.filters)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Line]:
        if not isinstance(item, slice):
            raise TypeError("Le journal se lit par tranches.")
        return lines(page_keys(self.org_id, self.filters, item.start or 0, item.stop))

    def iter_chunks(self, size: int = 500) -> Iterator[list[Line]]:
        start = 0
        while True:
            chunk = lines(page_keys(self.org_id, self.filters, start, start + size))
            if not chunk:
                return
            yield chunk
            start += size


# --- The lines of a page -----------------------------------------------------------------------------------


def _previous_id(history_model: type[Model]) -> Subquery:
    earlier = Q(history_date__lt=OuterRef("history_date")) | Q(
        history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")
    )
    rows = history_model.objects.filter(earlier, id=OuterRef("id")).order_by("-history_date", "-history_id")
    return Subquery(rows.values("history_id")[:1])


def _records(kind: Kind, history_ids: list[int]) -> dict[int, Model]:
    annotations = {"audit_alive": kind.alive(), "audit_previous": _previous_id(kind.history_model)}
    annotations.update({name: make() for name, make in kind.names.items()})
    rows = (
        kind.history_model.objects.filter(history_id__in=history_ids)
        .select_related("history_user")
        .annotate(**annotations)
    )
    return {row.history_id: row for row in rows}


def lines(keys: list[tuple[str, int, datetime]]) -> list[Line]:
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind_key, history_id, _when in keys:
        by_kind[kind_key].append(history_id)
    records: dict[tuple[str, int], Model] = {}
    previous: dict[tuple[str, int], Model] = {}
    for kind_key, ids in by_kind.items():
        kind = BY_KEY[kind_key]
        found = _records(kind, ids)
        records.update({(kind_key, hid): row for hid, row in found.items()})
        wanted = {hid: row.audit_previous for hid, row in found.items() if row.history_type == "~"}
        wanted = {hid: previous_id for hid, previous_id in wanted.items() if previous_id}
        if wanted:
            earlier = kind.history_model.objects.in_bulk(list(wanted.values()))
            previous.update({(kind_key, hid): earlier.get(pid) for hid, pid in wanted.items()})
    raw: list[tuple[Line, list[tuple[Model, object, object]]]] = []
    for kind_key, history_id, _when in keys:
        record = records.get((kind_key, history_id))
        if record is None:  # deleted between the two queries (history is never pruned by the app)
            continue
        kind = BY_KEY[kind_key]
        line, changes = _line(kind, record, previous.get((kind_key, history_id)))
        raw.append((line, changes))
    labels = _related_labels([change for _line_, changes in raw for change in changes])
    for line, changes in raw:
        line.changes = [
            Change(
                field=_field_label(model_field),
                before=_display(model_field, before, labels),
                after=_display(model_field, after, labels),
            )
            for model_field, before, after in changes
        ]
    return [line for line, _changes in raw]


def _who(record) -> tuple[str, bool]:
    user = record.history_user
    if user is None:
        return "Système", True
    return (user.get_full_name() or user.get_username()), False


def _tracked_fields(record) -> list:
    tracked = _tracked_names(record)
    return [
        f for f in record.instance_type._meta.fields if f.editable and not f.primary_key and f.name in tracked
    ]


def _tracked_names(record) -> set[str]:
    return {f.name for f in record.tracked_fields}


def _line(kind: Kind, record, before_record) -> tuple[Line, list[tuple[object, object, object]]]:
    who, by_system = _who(record)
    line = Line(
        when=record.history_date,
        who=who,
        by_system=by_system,
        kind=kind,
        object_id=record.id,
        object_name=kind.describe(record),
        url=kind.url(record),
        action=ACTIONS.get(record.history_type, record.history_type),
        reason=record.history_change_reason or "",
    )
    changes: list[tuple[object, object, object]] = []
    fields = {f.name: f for f in _tracked_fields(record) if f.name not in kind.hidden}
    if record.history_type == "~" and before_record is not None:
        delta = record.diff_against(before_record, included_fields=list(fields))
        for change in delta.changes:
            changes.append((fields[change.field], change.old, change.new))
    elif record.history_type == "~":
        line.previous_unknown = True
    else:  # created: every value set; deleted: every value lost
        for model_field in fields.values():
            value = getattr(record, model_field.attname)
            if _is_empty(value):
                continue
            pair = (None, value) if record.history_type == "+" else (value, None)
            changes.append((model_field, *pair))
    return line, changes


# --- Values in French --------------------------------------------------------------------------------------


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


# French names of the fields left with Django's default verbose name (the attribute's name).
FIELD_NAMES = {
    "action": "action corrective",
    "axis": "axe",
    "by": "par",
    "campaign": "campagne",
    "commitment": "engagement",
    "committee": "comité",
    "created_by": "créé par",
    "decision": "décision",
    "direction": "direction",
    "entered_by": "saisi par",
    "generated_by": "généré par",
    "held_by": "tenue par",
    "indicator": "indicateur",
    "meeting": "séance",
    "opened_by": "ouverte par",
    "organisation": "organisation",
    "published_by": "publié par",
    "reviewed_by": "examiné par",
    "scheme": "schéma",
    "validated_by": "validé par",
}


def _field_label(model_field) -> str:
    name = str(model_field.verbose_name)
    if name == model_field.name.replace("_", " "):
        name = FIELD_NAMES.get(model_field.name, name)
    return name[:1].upper() + name[1:]


def _related_labels(changes: list[tuple[object, object, object]]) -> dict[tuple[type[Model], object], str]:
    """The names of the objects a changed foreign key points to: one query per related model."""
    wanted: dict[type[Model], set] = defaultdict(set)
    for model_field, before, after in changes:
        if model_field.is_relation:
            wanted[model_field.related_model].update(v for v in (before, after) if v is not None)
    labels: dict[tuple[type[Model], object], str] = {}
    for model, ids in wanted.items():
        queryset = model._default_manager.all()
        related = {f.name for f in model._meta.fields if f.is_relation and f.name == "committee"}
        if related:  # a meeting is named after its committee
            queryset = queryset.select_related(*related)
        for pk, obj in queryset.in_bulk(list(ids)).items():
            labels[(model, pk)] = _object_label(obj)
    return labels


def _object_label(obj) -> str:
    if hasattr(obj, "get_full_name") and hasattr(obj, "get_username"):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _display(model_field, value, labels: dict) -> str:
    if _is_empty(value):
        return EMPTY
    if model_field.is_relation:
        return labels.get((model_field.related_model, value), f"n° {value} (supprimé)")
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    return format_value(value)


def format_value(value) -> str:
    """A stored value as a French reader expects it."""
    if _is_empty(value):
        return EMPTY
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if hasattr(value, "name") and not isinstance(value, str):  # a file
        return value.name or EMPTY
    return str(value)


def users_choices(organisation) -> list[tuple[str, str]]:
    """The user filter's choices: the organisation's members and the superusers, then « Système »."""
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(Q(memberships__organisation=organisation) | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    choices = [(str(user.pk), user.get_full_name() or user.get_username()) for user in users]
    return [*choices, (SYSTEM_USER, "Système (commande, tâche de fond)")]
