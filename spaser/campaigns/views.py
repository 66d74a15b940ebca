"""Pages of the input campaigns (/saisies/). Thin: access checks, forms, then services.py or selectors.py.

Access: outside the organisation → 404; an action the role may not take → 403 (organisations/permissions.py).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from spaser.indicators.targets import period_target
from spaser.organisations.permissions import require_member

from . import selectors, services
from .evidence import TYPES
from .forms import EntryFilterForm, EntryForm, OpenCampaignForm, SendBackForm
from .models import Campaign, CampaignEntry, EntryStatus, ReminderTrigger
from .permissions import can_enter, can_review, can_view_entry, is_pilot, is_referent
from .reminders import send_reminders

NOT_MEMBER = (
    "Vous n'êtes membre d'aucune organisation : les campagnes de saisie ne vous sont pas accessibles."
)
NOT_PILOT = "Seul le pilote du schéma peut faire cette opération."


def _member(request, *, pilot: bool = False):
    return require_member(request.user, pilot=pilot, not_member=NOT_MEMBER, not_pilot=NOT_PILOT)


def _campaign(organisation, pk) -> Campaign:
    return get_object_or_404(
        Campaign.objects.for_organisation(organisation).select_related("scheme__organisation"), pk=pk
    )


def _entry(organisation, pk) -> CampaignEntry:
    return get_object_or_404(
        CampaignEntry.objects.filter(campaign__scheme__organisation=organisation).select_related(
            "campaign__scheme__organisation",
            "indicator__commitment__axis",
            "direction",
            "entered_by",
            "reviewed_by",
        ),
        pk=pk,
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _errors(error: ValidationError) -> list[str]:
    return (
        [message for messages_ in error.message_dict.values() for message in messages_]
        if hasattr(error, "error_dict")
        else list(error.messages)
    )


def _breadcrumbs(*items) -> list[tuple[str, str]]:
    return [("Accueil", reverse("home")), ("Campagnes de saisie", reverse("campaigns:list")), *items]


# --- Campaigns -------------------------------------------------------------------------------------------


def campaign_list(request):
    organisation, membership = _member(request)
    scheme = organisation.schemes.current().first()
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": selectors.campaigns_for(organisation),
            "scheme": scheme,
            "can_open": is_pilot(membership) and scheme is not None,
            "breadcrumbs": [*_breadcrumbs()[:-1], ("Campagnes de saisie", "")],
        },
    )


def campaign_open(request):
    organisation, _membership = _member(request, pilot=True)
    scheme = organisation.schemes.current().first()
    if scheme is None:
        raise Http404("Aucun schéma : créez ou importez d'abord le schéma de l'organisation.")
    indicators = selectors.manual_indicators(scheme)
    form = OpenCampaignForm(request.POST or None, scheme=scheme, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.open_campaign(
                scheme=scheme,
                year=data["year"],
                period=data["period"],
                due_date=data["due_date"],
                user=request.user,
                indicators=list(data["indicators"]),
                title=data["title"],
                note=data["note"],
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                f"Campagne « {campaign.title} » ouverte : {campaign.entries.count()} indicateur(s) à saisir.",
            )
            return redirect("campaigns:detail", campaign.pk)
    return render(
        request,
        "campaigns/campaign_open.html",
        {
            "form": form,
            "scheme": scheme,
            "has_indicators": indicators.exists(),
            "breadcrumbs": _breadcrumbs(("Ouvrir une campagne", "")),
        },
    )


def campaign_detail(request, pk):
    organisation, membership = _member(request)
    campaign = _campaign(organisation, pk)
    referent = is_referent(membership) and not is_pilot(membership)
    all_entries = list(selectors.visible_entries(campaign, membership))
    directions = sorted(
        {e.direction for e in all_entries if e.direction}, key=lambda d: selectors.french_key(d.name)
    )
    filters = EntryFilterForm(request.GET or None, directions=directions)
    entries = all_entries
    if filters.is_valid():
        slug, status = filters.cleaned_data["direction"], filters.cleaned_data["statut"]
        if slug == "pilote":
            entries = [e for e in entries if e.direction is None]
        elif slug:
            entries = [e for e in entries if e.direction and e.direction.slug == slug]
        if status:
            entries = [e for e in entries if e.status == status]
    reviewer = can_review(membership)
    for entry in entries:
        # The pilot's in-place « Renvoyer » form, on entries it can act on.
        reviewable = reviewer and entry.status in (EntryStatus.SUBMITTED, EntryStatus.VALIDATED)
        entry.send_back_form = SendBackForm(entry=entry) if reviewable else None
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "groups": selectors.group_by_direction(entries),
            "counts": selectors.status_counts(all_entries),
            "total": len(all_entries),
            "shown": len(entries),
            "filters": filters,
            "filtered": bool(request.GET),
            "is_referent": referent,
            "reviewer": reviewer,
            "can_enter_any": any(can_enter(membership, e) for e in entries),
            "membership_direction": membership.direction if referent else None,
            "reminders": list(campaign.reminders.select_related("direction")[:10]) if reviewer else [],
            "here": request.get_full_path(),
            "breadcrumbs": _breadcrumbs((campaign.title, "")),
        },
    )


@require_POST
def campaign_close(request, pk):
    organisation, _ = _member(request, pilot=True)
    campaign = services.close_campaign(campaign=_campaign(organisation, pk), user=request.user)
    messages.success(request, f"Campagne « {campaign.title} » clôturée : plus aucune saisie n'est possible.")
    return redirect("campaigns:detail", campaign.pk)


@require_POST
def campaign_reopen(request, pk):
    organisation, _ = _member(request, pilot=True)
    campaign = services.reopen_campaign(campaign=_campaign(organisation, pk), user=request.user)
    messages.success(request, f"Campagne « {campaign.title} » rouverte : les directions peuvent saisir.")
    return redirect("campaigns:detail", campaign.pk)


@require_POST
def campaign_remind(request, pk):
    organisation, _ = _member(request, pilot=True)
    campaign = _campaign(organisation, pk)
    if not campaign.is_open:
        messages.error(request, "La campagne est clôturée : il n'y a plus personne à relancer.")
        return redirect("campaigns:detail", campaign.pk)
    report = send_reminders(
        campaigns=Campaign.objects.filter(pk=campaign.pk),
        trigger=ReminderTrigger.BUTTON,
        user=request.user,
        site_url=request.build_absolute_uri("/"),
    )
    if report.reminded:
        names = ", ".join(due.label for due in report.reminded)
        messages.success(request, f"Relance envoyée ({report.mails_sent} courriel(s)) : {names}.")
    if report.skipped_today:
        names = ", ".join(due.label for due in report.skipped_today)
        messages.info(request, f"Déjà relancée(s) aujourd'hui, pas de nouveau courriel : {names}.")
    if report.unreachable:
        names = ", ".join(due.label for due in report.unreachable)
        messages.warning(request, f"Aucun membre avec une adresse électronique à relancer : {names}.")
    if not report.dues:
        messages.info(request, "Aucune saisie en attente : personne à relancer.")
    return redirect("campaigns:detail", campaign.pk)


# --- Entries ---------------------------------------------------------------------------------------------


def _attach(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: keyed messages on their field, the others on top."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def _entry_page(request, entry, membership, *, form=None, send_back_form=None, status=200):
    period = entry.campaign.period_obj
    previous_period, previous = selectors.previous_value(entry)
    editable = can_enter(membership, entry) and entry.is_editable and entry.campaign.is_open
    if form is None and editable:
        form = EntryForm(
            entry=entry,
            initial={"value": entry.value, "comment": entry.comment},
        )
    reviewer = can_review(membership) and entry.campaign.is_open
    if send_back_form is None and reviewer and entry.status in (EntryStatus.SUBMITTED, EntryStatus.VALIDATED):
        send_back_form = SendBackForm()
    return render(
        request,
        "campaigns/entry_detail.html",
        {
            "entry": entry,
            "campaign": entry.campaign,
            "indicator": entry.indicator,
            "period": period,
            "target": period_target(entry.indicator, period),
            "previous_period": previous_period,
            "previous": previous,
            "form": form if editable else None,
            "send_back_form": send_back_form,
            "reviewer": reviewer,
            "evidence_type": TYPES.get(entry.evidence_type),
            "history": selectors.entry_history(entry),
            "breadcrumbs": _breadcrumbs(
                (entry.campaign.title, reverse("campaigns:detail", args=[entry.campaign.pk])),
                (f"{entry.indicator.code} — {entry.reporter_label}", ""),
            ),
        },
        status=status,
    )


def entry_detail(request, pk):
    organisation, membership = _member(request)
    entry = _entry(organisation, pk)
    if not can_view_entry(membership, entry):
        raise PermissionDenied("Cette saisie revient à une autre direction.")
    if request.method != "POST":
        return _entry_page(request, entry, membership)
    if not can_enter(membership, entry):
        raise PermissionDenied("Seuls le pilote et les référents de la direction responsable saisissent.")
    form = EntryForm(request.POST, request.FILES, entry=entry)
    submit = request.POST.get("action") == "submit"
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.save_entry(
                entry=entry,
                user=request.user,
                value=data["value"],
                comment=data["comment"],
                evidence=data["evidence"],
                remove_evidence=data.get("remove_evidence", False),
                submit=submit,
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            if submit:
                messages.success(
                    request, f"Saisie de l'indicateur {entry.indicator.code} transmise au pilote."
                )
                return redirect("campaigns:detail", entry.campaign_id)
            messages.success(
                request, f"Saisie de l'indicateur {entry.indicator.code} enregistrée (non transmise)."
            )
            return redirect("campaigns:entry", entry.pk)
    return _entry_page(request, entry, membership, form=form)


@require_POST
def entry_validate(request, pk):
    organisation, _ = _member(request, pilot=True)
    entry = _entry(organisation, pk)
    try:
        entry = services.validate_entry(entry=entry, user=request.user)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, f"{entry.indicator.code} : {message}")
    else:
        messages.success(
            request,
            f"Saisie de l'indicateur {entry.indicator.code} validée : la valeur figure au tableau de bord.",
        )
    return redirect(_next_url(request, reverse("campaigns:entry", args=[entry.pk])))


@require_POST
def entry_send_back(request, pk):
    organisation, membership = _member(request, pilot=True)
    entry = _entry(organisation, pk)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            entry = services.send_back_entry(
                entry=entry, user=request.user, comment=form.cleaned_data["review_comment"]
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request, f"Saisie de l'indicateur {entry.indicator.code} renvoyée à {entry.reporter_label}."
            )
            return redirect(_next_url(request, reverse("campaigns:entry", args=[entry.pk])))
    return _entry_page(request, entry, membership, send_back_form=form)


def entry_evidence(request, pk):
    """The evidence file (the current one, or the one of a history row with ?version=<id>), as a download."""
    organisation, membership = _member(request)
    entry = _entry(organisation, pk)
    if not can_view_entry(membership, entry):
        raise PermissionDenied("Cette saisie revient à une autre direction.")
    source = entry
    if "version" in request.GET:
        try:
            version = int(request.GET["version"])
        except ValueError:
            raise Http404("Version inconnue.") from None
        source = get_object_or_404(entry.history.all(), history_id=version)
    # A history row keeps the file's path as text (simple_history does not copy files): open it from storage.
    name = source.evidence.name if source is entry else str(source.evidence or "")
    if not name:
        raise Http404("Aucun justificatif.")
    kind = TYPES.get(source.evidence_type)
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("Le fichier du justificatif est introuvable sur le serveur.") from None
    stem = Path(source.evidence_name or name).stem
    return FileResponse(
        handle,
        as_attachment=True,
        # The extension of the real type: a PDF named « .xlsx » by mistake downloads as « .pdf ».
        filename=f"{stem}.{kind.extension}" if kind else Path(name).name,
        content_type=kind.content_type if kind else "application/octet-stream",
    )
