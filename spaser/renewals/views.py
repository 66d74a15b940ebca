"""Pages of the renewal radar (/renouvellements/). Access: outside the organisation → 404; a prescribing
referent sees only its own direction (another direction → 403); writing a review → permissions.py."""

from __future__ import annotations

import csv
import heapq
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from spaser.contracts.models import Contract
from spaser.core.paging import id_array, page_of_ids, rows_in_order
from spaser.organisations.data_stamp import memo
from spaser.organisations.models import Direction, Membership, Organisation
from spaser.organisations.permissions import require_member

from . import selectors, services
from .forms import RadarFilterForm, ReviewForm
from .permissions import can_view_contract, can_write_review, forced_direction_id, is_pilot
from .questionnaire import ANSWER_LABELS, SECTIONS

NOT_MEMBER = (
    "Vous n'êtes membre d'aucune organisation : le radar des renouvellements ne vous est pas accessible."
)
OTHER_DIRECTION = "Vous ne voyez que le radar de votre direction."
PAGE_SIZE = 50


@dataclass(frozen=True)
class Radar:
    """The radar asked by the URL: its filters (validated), the contracts of its window, the renewals without
    review."""

    organisation: Organisation
    membership: Membership | None
    form: RadarFilterForm
    months: int
    direction: Direction | None
    forced: bool  # the direction is the referent's own, not a choice
    state: str
    contracts: QuerySet
    flags: dict
    today: date

    @property
    def ids(self):
        """The window's ids in the radar's order, kept by the process until the organisation's contracts or
        reviews change (every page repeats them: a pass over the window)."""
        key = (self.direction and self.direction.pk, self.months, self.state, self.today)
        return memo(self.organisation, "radar_ids", key, lambda: id_array(self.contracts), size=64)

    def rows(self, ids) -> list:
        """The radar's rows of these contracts, in their order (two queries)."""
        contracts = rows_in_order(Contract.objects.select_related("direction"), ids)
        return selectors.radar_rows(contracts, today=self.today, flags=self.flags)


def _radar(request) -> Radar:
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    directions = list(organisation.directions.all())
    forced = forced_direction_id(membership)
    form = RadarFilterForm(request.GET or None, directions=directions)
    if forced is not None:
        own = next(d for d in directions if d.pk == forced)
        if request.GET.get("direction", own.slug) not in ("", own.slug):
            raise PermissionDenied(OTHER_DIRECTION)
        del form.fields["direction"]
    data = form.cleaned_data if form.is_valid() else {}
    months = data.get("mois") or selectors.DEFAULT_MONTHS
    if forced is not None:
        direction = own
    else:
        direction = next((d for d in directions if d.slug == data.get("direction")), None)
    today = timezone.localdate()
    state = data.get("etat", "")
    # Kept by the process until the organisation's contracts or reviews change (data_stamp.py): at 100 000
    # contracts, finding them is a pass over tens of thousands of ended contracts.
    flags = memo(
        organisation,
        "radar_flags",
        (direction and direction.pk, today),
        lambda: selectors.radar_flags(organisation, direction=direction, today=today),
        size=8,
    )
    contracts = selectors.radar_queryset(
        organisation,
        direction=direction,
        months=months,
        today=today,
        state="" if state == selectors.STATE_UNREVIEWED_RENEWAL else state,
    )
    if state == selectors.STATE_UNREVIEWED_RENEWAL:
        contracts = contracts.filter(pk__in=list(flags))
    return Radar(
        organisation, membership, form, months, direction, forced is not None, state, contracts, flags, today
    )


FLAGS_SHOWN = 20


def _flag_order(flag) -> tuple:
    return flag.renewal_date, flag.uid


def radar(request):
    current = _radar(request)
    page = page_of_ids(current.ids, request.GET.get("page"), per_page=PAGE_SIZE)
    rows = current.rows(page.object_list)
    return render(
        request,
        "renewals/radar.html",
        {
            "organisation": current.organisation,
            "form": current.form,
            "months": current.months,
            "direction": current.direction,
            "forced": current.forced,
            "page": page,
            "rows": rows,
            # the oldest only: at 100 000 contracts they are thousands (the « etat » filter lists them all)
            "flags": selectors.with_contracts(
                heapq.nsmallest(FLAGS_SHOWN, current.flags.values(), key=_flag_order)
            ),
            "flag_count": len(current.flags),
            "unreviewed_state": selectors.STATE_UNREVIEWED_RENEWAL,
            "is_pilot": is_pilot(current.membership),
            "today": current.today,
        },
    )


def radar_csv(request):
    current = _radar(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="radar-renouvellements-{current.months}-mois.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "uid",
            "objet",
            "direction",
            "date",
            "nature de la date",
            "date estimée",
            "état",
            "décision",
            "renouvelé sans revue",
        ]
    )
    ids = current.ids  # the page's order, kept: each block of 500 is read by id, not sorted again
    for start in range(0, len(ids), 500):
        for row in current.rows(ids[start : start + 500]):
            writer.writerow(
                [
                    row.contract.uid,
                    row.contract.object,
                    str(row.contract.direction or ""),
                    row.due_date.isoformat(),
                    row.date_label,
                    "oui" if row.estimated else "non",
                    row.state_label,
                    row.review.get_decision_display() if row.review else "",
                    "oui" if row.unreviewed_renewal else "non",
                ]
            )
    return response


def review(request, pk: int):
    organisation, membership = require_member(request.user, not_member=NOT_MEMBER)
    contract = get_object_or_404(
        Contract.objects.for_organisation(organisation).select_related("direction"), pk=pk
    )
    if not can_view_contract(membership, contract):
        raise PermissionDenied(OTHER_DIRECTION)
    due, kind, estimated = selectors.radar_date_of(contract)
    if due is None:
        raise Http404("Ce marché n'a ni date de fin ni date limite de reconduction.")
    current = selectors.current_review(contract)
    writable = can_write_review(membership, contract)
    form = ReviewForm(
        request.POST or None,
        answers=current.answers if current else None,
        initial={
            "decision": current.decision if current else "pending",
            "justification": current.justification if current else "",
            "avoided_amount": current.avoided_amount if current else None,
        },
    )
    if request.method == "POST":
        if not writable:
            raise PermissionDenied(services.NOT_ALLOWED)
        if form.is_valid():
            try:
                review_obj = current or services.review_start(
                    contract=contract, membership=membership, user=request.user
                )
                services.review_update(
                    review=review_obj,
                    membership=membership,
                    user=request.user,
                    answers=form.answers(),
                    decision=form.cleaned_data["decision"],
                    justification=form.cleaned_data["justification"],
                    avoided_amount=form.cleaned_data["avoided_amount"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "La revue du besoin est enregistrée.")
                return redirect(reverse("renewals:review", args=[contract.pk]))
    history = []
    if current is not None:
        history = list(current.history.select_related("history_user").order_by("-history_date")[:50])
    return render(
        request,
        "renewals/review.html",
        {
            "contract": contract,
            "due": due,
            "date_label": selectors.RadarRow(contract, due, kind, estimated, False).date_label,
            "estimated": estimated,
            "review": current,
            "form": form,
            "writable": writable,
            "history": history,
            "sections": SECTIONS,
            "answer_labels": ANSWER_LABELS,
        },
    )
