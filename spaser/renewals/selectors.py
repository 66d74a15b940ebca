"""Reads of the renewal radar (docs/renewals.md).

- A contract's **radar date** is its renewal deadline when known (internal registers), else its end date
  (imported, or estimated from notification + duration: `end_date_estimated`).
- The radar lists the marchés (concessions apart) of an organisation whose radar date falls between today and
  today + 3, 6 or 12 months, and, first, the **overdue** ones: radar date passed (within the last 12 months)
  and no decided review for that date.
- **Renewed without a review** (`renewals_without_review`): see the rule in docs/renewals.md.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from spaser.contracts.end_dates import add_months
from spaser.contracts.models import Contract
from spaser.organisations.models import Direction, Organisation

from .models import Decision, RenewalReview

MONTH_CHOICES = (3, 6, 12)
DEFAULT_MONTHS = 12
OVERDUE_LOOKBACK_MONTHS = 12  # an overdue contract stays on the radar this long after its date
SUCCESSOR_WINDOW_MONTHS = 3  # a newer similar contract notified within this delay after the end = a relaunch

STATE_OVERDUE = "en_retard"
STATE_TO_REVIEW = "a_revoir"
STATE_IN_PROGRESS = "en_cours"
STATE_DECIDED = "decidee"
STATE_UNREVIEWED_RENEWAL = "sans_revue"
STATES = {
    STATE_OVERDUE: "En retard",
    STATE_TO_REVIEW: "Revue à ouvrir",
    STATE_IN_PROGRESS: "Revue en cours",
    STATE_DECIDED: "Décision prise",
    STATE_UNREVIEWED_RENEWAL: "Renouvelé sans revue du besoin",
}


@dataclass
class RadarRow:
    contract: Contract
    due_date: date
    date_kind: str  # "renewal_deadline" or "end_date"
    estimated: bool
    overdue: bool
    review: RenewalReview | None = None
    unreviewed_renewal: UnreviewedRenewal | None = None

    @property
    def date_label(self) -> str:
        if self.date_kind == "renewal_deadline":
            return "Date limite de reconduction"
        return "Date de fin estimée" if self.estimated else "Date de fin"

    @property
    def state(self) -> str:
        if self.review is not None and self.review.is_decided:
            return STATE_DECIDED
        if self.overdue:
            return STATE_OVERDUE
        return STATE_IN_PROGRESS if self.review is not None else STATE_TO_REVIEW

    @property
    def state_label(self) -> str:
        return STATES[self.state]


@dataclass(frozen=True)
class UnreviewedRenewal:
    """One renewal without a decided review. Found on light rows (ids and dates: at 100 000 contracts,
    building tens of thousands of model instances was most of the radar's time); the contracts themselves are
    loaded only for the flags shown (`with_contracts`), or read at each access."""

    contract_id: int
    uid: str  # the contract's, to order and name flags without loading the contracts
    renewal_date: date  # when the contract was renewed (original end or radar date)
    reason: str  # French, shown to users
    successor_id: int | None = None
    _loaded: dict = field(default_factory=dict, compare=False, repr=False)

    # Read, not kept, on access: the flags may be a memo shared between requests (with_contracts copies them).
    @property
    def contract(self) -> Contract:
        if "contract" in self._loaded:
            return self._loaded["contract"]
        return Contract.objects.select_related("direction").get(pk=self.contract_id)

    @property
    def successor(self) -> Contract | None:
        return None if self.successor_id is None else Contract.objects.get(pk=self.successor_id)


def with_contracts(flags: Iterable[UnreviewedRenewal]) -> list[UnreviewedRenewal]:
    """Copies of `flags` with their contracts loaded in one query (for the few a page or a pack shows; the
    flags themselves may be a memo shared between requests)."""
    flags = list(flags)
    contracts = Contract.objects.select_related("direction").in_bulk([flag.contract_id for flag in flags])
    return [replace(flag, _loaded={"contract": contracts[flag.contract_id]}) for flag in flags]


def radar_date_of(contract: Contract) -> tuple[date | None, str, bool]:
    """(date, kind, estimated) of one contract: the renewal deadline first, else the end date."""
    if contract.renewal_deadline:
        return contract.renewal_deadline, "renewal_deadline", False
    return contract.end_date, "end_date", bool(contract.end_date and contract.end_date_estimated)


def _base(organisation: Organisation, direction: Direction | None) -> QuerySet:
    contracts = Contract.objects.for_organisation(organisation).marches()
    if direction is not None:
        contracts = contracts.filter(direction=direction)
    return contracts.annotate(due=Coalesce("renewal_deadline", "end_date"))


def radar_queryset(
    organisation: Organisation,
    *,
    direction: Direction | None = None,
    months: int = DEFAULT_MONTHS,
    today: date,
    state: str = "",
) -> QuerySet:
    """Contracts on the radar, overdue first, then by radar date. `state` filters on the review state."""
    horizon = add_months(today, months)
    since = add_months(today, -OVERDUE_LOOKBACK_MONTHS)
    reviews = RenewalReview.objects.filter(contract=OuterRef("pk"), due_date=OuterRef("due"))
    contracts = (
        _base(organisation, direction)
        .filter(due__isnull=False, due__lte=horizon, due__gte=since)
        .annotate(
            decided=Exists(reviews.exclude(decision=Decision.PENDING)),
            reviewed=Exists(reviews),
            overdue=Case(
                When(due__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .filter(Q(due__gte=today) | Q(decided=False))
    )
    if state == STATE_OVERDUE:
        contracts = contracts.filter(overdue=True)
    elif state == STATE_TO_REVIEW:
        contracts = contracts.filter(overdue=False, reviewed=False)
    elif state == STATE_IN_PROGRESS:
        contracts = contracts.filter(overdue=False, reviewed=True, decided=False)
    elif state == STATE_DECIDED:
        contracts = contracts.filter(decided=True)
    return contracts.select_related("direction").order_by("-overdue", "due", "uid")


def radar_rows(
    contracts: Iterable[Contract], *, today: date, flags: dict[int, UnreviewedRenewal] | None = None
) -> list[RadarRow]:
    """Rows for a page of `radar_queryset` (one query for their reviews)."""
    contracts = list(contracts)
    reviews = {
        (review.contract_id, review.due_date): review
        for review in RenewalReview.objects.filter(contract__in=[c.pk for c in contracts])
    }
    rows = []
    for contract in contracts:
        due, kind, estimated = radar_date_of(contract)
        review = reviews.get((contract.pk, due))
        rows.append(
            RadarRow(
                contract=contract,
                due_date=due,
                date_kind=kind,
                estimated=estimated,
                # a review opened but still pending does not make a passed date less overdue
                overdue=due < today and not (review is not None and review.is_decided),
                review=review,
                unreviewed_renewal=(flags or {}).get(contract.pk),
            )
        )
    return rows


def renewals_without_review(
    organisation: Organisation,
    *,
    direction: Direction | None = None,
    since: date,
    until: date,
    today: date,
) -> dict[int, UnreviewedRenewal]:
    """Contracts renewed between `since` (included) and `until` (excluded, never after today) with no decided
    review, by contract id. Three queries whatever the number of contracts, on tuples of the few columns the
    rule reads."""
    until = min(until, today)
    flags: dict[int, UnreviewedRenewal] = {}
    decided = RenewalReview.objects.filter(contract=OuterRef("pk")).exclude(decision=Decision.PENDING)
    # 1. Extended by a DECP modification after its first end (or deadline) passed.
    extended = (
        _base(organisation, direction)
        .filter(
            notification_date__isnull=False,
            duration_months__isnull=False,
            current_duration_months__gt=F("duration_months"),
            notification_date__lt=until,
        )
        .exclude(Exists(decided))
        .values_list(
            "pk", "uid", "notification_date", "duration_months", "current_duration_months", "renewal_deadline"
        )
    )
    for pk, uid, notified, duration, current_duration, deadline in extended:
        first_end = add_months(notified, duration)
        if deadline and deadline < first_end:
            first_end = deadline
        if since <= first_end < until:
            flags[pk] = UnreviewedRenewal(
                pk,
                uid,
                first_end,
                f"Durée prolongée par modification ({duration} → {current_duration} mois) "
                "sans revue du besoin décidée.",
            )
    # 2. Ended, and a newer contract of the same buyer, CPV division and direction notified soon after.
    ended = list(
        _base(organisation, direction)
        .filter(due__gte=since, due__lt=until, direction__isnull=False)
        .exclude(cpv_division="")
        .exclude(
            Exists(
                RenewalReview.objects.filter(contract=OuterRef("pk"), due_date=OuterRef("due")).exclude(
                    decision=Decision.PENDING
                )
            )
        )
        .values_list(
            "pk", "uid", "buyer_siret", "cpv_division", "direction_id", "notification_date", "end_date", "due"
        )
    )
    if not ended:
        return flags
    # Successors per (buyer, CPV division, direction), in (notification date, pk) order, with their dates
    # apart for bisect: each ended contract looks only at the candidates notified in its window, instead of
    # every contract of its group (quadratic at 100 000 contracts: minutes on the radar and the indicators).
    successors: dict[tuple, list[tuple]] = {}
    latest = add_months(max(end_date or due for *_, end_date, due in ended), SUCCESSOR_WINDOW_MONTHS)
    candidates = (
        Contract.objects.for_organisation(organisation)
        .filter(
            notification_date__gte=min(due for *_, due in ended),
            notification_date__lte=latest,
            cpv_division__in={row[3] for row in ended},
            direction__in={row[4] for row in ended},
        )
        .order_by("notification_date", "pk")
        .values_list("pk", "uid", "buyer_siret", "cpv_division", "direction_id", "notification_date")
    )
    for pk, uid, buyer, cpv_division, direction_id, notified in candidates:
        successors.setdefault((buyer, cpv_division, direction_id), []).append((notified, pk, uid))
    dates = {key: [notified for notified, _, _ in group] for key, group in successors.items()}
    for pk, uid, buyer, cpv_division, direction_id, notified, end_date, due in ended:
        if pk in flags:
            continue
        key = (buyer, cpv_division, direction_id)
        group = successors.get(key)
        if not group:
            continue
        end = end_date or due
        last = add_months(end, SUCCESSOR_WINDOW_MONTHS)
        # The first successor notified on or after the end and strictly after the contract itself.
        start = bisect_left(dates[key], end)
        if notified and notified >= end:
            start = bisect_right(dates[key], notified)
        for successor_notified, successor_pk, successor_uid in group[start:]:
            if successor_notified > last:
                break
            if successor_pk == pk:
                continue
            flags[pk] = UnreviewedRenewal(
                pk,
                uid,
                due,
                f"Relancé : marché {successor_uid} notifié le {successor_notified:%d/%m/%Y}, "
                "sans revue du besoin décidée.",
                successor_pk,
            )
            break
    return flags


def radar_flags(organisation: Organisation, *, direction: Direction | None, today: date):
    """The renewals without review shown on the radar: those of the last 12 months."""
    return renewals_without_review(
        organisation,
        direction=direction,
        since=add_months(today, -OVERDUE_LOOKBACK_MONTHS),
        until=today,
        today=today,
    )


def current_review(contract: Contract) -> RenewalReview | None:
    due, _, _ = radar_date_of(contract)
    if due is None:
        return None
    return RenewalReview.objects.filter(contract=contract, due_date=due).select_related("reviewer").first()
