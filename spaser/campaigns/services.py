"""Writes of the input campaigns. Each function checks who may call it (PermissionDenied, French message) and
what it is given (ValidationError keyed by field, French message naming the field), so the pages, the command
line and a later API share the same rules. Every change is a history row with its author and its reason.

Life of an entry: to_enter → submitted → validated, or submitted → sent_back → submitted… A validated
entry may be sent back for correction: its IndicatorValue stays until a new validation replaces it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from spaser.indicators.methods import METHODS
from spaser.indicators.models import ORGANISATION_SCOPE, IndicatorValue
from spaser.indicators.periods import Period
from spaser.organisations.selectors import membership_for
from spaser.schemes.models import MANUAL_METHOD, Indicator, Scheme, Unit

from .evidence import check_evidence
from .models import PERIOD_KEYS, Campaign, CampaignEntry, CampaignStatus, EntryStatus
from .permissions import can_enter, can_review, is_pilot

MANUAL_VERSION = METHODS[MANUAL_METHOD].version
NON_NEGATIVE_UNITS = {Unit.COUNT, Unit.EURO, Unit.HOURS, Unit.DAYS, Unit.TCO2E}
MAX_VALUE = Decimal("1e14")  # 18 digits, 4 after the point


def user_label(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


def _membership(user, scheme: Scheme):
    return membership_for(user, scheme.organisation)


def _require_pilot(user, scheme: Scheme, message: str) -> None:
    if not is_pilot(_membership(user, scheme)):
        raise PermissionDenied(message)


def _record(instance, *, user, reason: str, fields: list[str] | None = None) -> None:
    """Save with the author and the reason in the history row."""
    instance._history_user = user
    instance._change_reason = reason[:100]
    instance.save(update_fields=fields)


# --- Campaigns -------------------------------------------------------------------------------------------


def default_title(period: Period) -> str:
    return f"Saisie des indicateurs — {period.label}"


@transaction.atomic
def open_campaign(
    *,
    scheme: Scheme,
    year: int,
    period: str = "A",
    due_date: date,
    user,
    indicators: list[Indicator] | None = None,
    title: str = "",
    note: str = "",
) -> Campaign:
    """Open a campaign with one entry per manual indicator given (all the scheme's manual indicators when
    `indicators` is None); each entry goes to the indicator's owner direction, or to the pilot."""
    _require_pilot(user, scheme, "Seul le pilote du schéma ouvre une campagne de saisie.")
    errors = {}
    if year not in scheme.years:
        errors["year"] = (
            f"L'année {year} n'est pas dans la période du schéma ({scheme.period_start}-{scheme.period_end})."
        )
    if period not in PERIOD_KEYS:
        errors["period"] = f"La période « {period} » n'est pas une période de saisie."
    if due_date is None:
        errors["due_date"] = "Indiquez la date limite de saisie."
    manual = scheme.indicators().filter(method=MANUAL_METHOD).select_related("owner_direction")
    chosen = list(manual if indicators is None else manual.filter(pk__in=[i.pk for i in indicators]))
    if indicators is not None and len(chosen) != len({i.pk for i in indicators}):
        errors["indicators"] = "Seuls les indicateurs saisis manuellement de ce schéma peuvent être inclus."
    elif not chosen:
        errors["indicators"] = "Cochez au moins un indicateur à saisir."
    if not errors and Campaign.objects.filter(scheme=scheme, year=year, period=period).exists():
        errors["period"] = f"Une campagne existe déjà pour {Period(year, period).label}."
    if errors:
        raise ValidationError(errors)
    campaign = Campaign(
        scheme=scheme,
        year=year,
        period=period,
        title=title.strip() or default_title(Period(year, period)),
        due_date=due_date,
        note=note.strip(),
        opened_by=user,
    )
    campaign._history_user = user
    campaign._change_reason = "Campagne ouverte"
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:  # opened at the same moment by another pilot
        raise ValidationError(
            {"period": f"Une campagne existe déjà pour {Period(year, period).label}."}
        ) from None
    for indicator in chosen:
        entry = CampaignEntry(campaign=campaign, indicator=indicator, direction=indicator.owner_direction)
        entry._history_user = user
        entry._change_reason = "Campagne ouverte : saisie attendue"
        entry.save()
    return campaign


@transaction.atomic
def close_campaign(*, campaign: Campaign, user) -> Campaign:
    """Close a campaign: nothing can be entered any more; every entry stays as it is."""
    _require_pilot(user, campaign.scheme, "Seul le pilote du schéma clôture une campagne.")
    if campaign.status == CampaignStatus.CLOSED:
        return campaign
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    _record(campaign, user=user, reason="Campagne clôturée", fields=["status", "closed_at"])
    return campaign


@transaction.atomic
def reopen_campaign(*, campaign: Campaign, user) -> Campaign:
    _require_pilot(user, campaign.scheme, "Seul le pilote du schéma rouvre une campagne.")
    if campaign.status == CampaignStatus.OPEN:
        return campaign
    campaign.status = CampaignStatus.OPEN
    campaign.closed_at = None
    _record(campaign, user=user, reason="Campagne rouverte", fields=["status", "closed_at"])
    return campaign


# --- Entries ---------------------------------------------------------------------------------------------


def check_value(indicator: Indicator, value) -> Decimal | None:
    """The value as a Decimal in the indicator's unit; ValidationError on `value` when it cannot be one."""
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"value": "La valeur doit être un nombre (par exemple 12,5)."}) from None
    if not number.is_finite():
        raise ValidationError({"value": "La valeur doit être un nombre (par exemple 12,5)."})
    unit = indicator.unit
    if unit == Unit.PERCENT and not 0 <= number <= 100:
        raise ValidationError(
            {"value": f"La valeur est un pourcentage, comprise entre 0 et 100 (saisi : {number})."}
        )
    if unit in NON_NEGATIVE_UNITS and number < 0:
        raise ValidationError(
            {"value": f"La valeur ({Unit(unit).label}) ne peut pas être négative (saisi : {number})."}
        )
    if unit == Unit.COUNT and number != number.to_integral_value():
        raise ValidationError({"value": f"La valeur est un nombre entier (saisi : {number})."})
    if abs(number) >= MAX_VALUE:
        raise ValidationError({"value": "La valeur est trop grande."})
    if number.as_tuple().exponent < -4:
        raise ValidationError({"value": "La valeur a au plus 4 chiffres après la virgule."})
    return number


def _locked(entry: CampaignEntry) -> CampaignEntry:
    """The entry re-read under a row lock (PostgreSQL), so two reviewers never both act on a stale state."""
    return (
        CampaignEntry.objects.select_for_update(of=("self",))
        .select_related("campaign__scheme__organisation", "indicator", "direction")
        .get(pk=entry.pk)
    )


def _require_open(entry: CampaignEntry) -> None:
    if not entry.campaign.is_open:
        raise ValidationError("La campagne est clôturée : plus aucune saisie n'est possible.")


@transaction.atomic
def save_entry(
    *,
    entry: CampaignEntry,
    user,
    value=None,
    comment: str = "",
    evidence=None,
    remove_evidence: bool = False,
    submit: bool = False,
) -> CampaignEntry:
    """Record the value, comment and evidence of an entry; with `submit`, also hand it to the pilot."""
    entry = _locked(entry)
    if not can_enter(_membership(user, entry.campaign.scheme), entry):
        raise PermissionDenied(
            "Seuls le pilote et les référents de la direction responsable saisissent cet indicateur."
        )
    _require_open(entry)
    if not entry.is_editable:
        raise ValidationError(
            f"La saisie est « {entry.get_status_display().lower()} » : elle ne peut plus être modifiée "
            "(le pilote peut la renvoyer pour correction)."
        )
    number = check_value(entry.indicator, value)
    if submit and number is None:
        raise ValidationError({"value": "La valeur est obligatoire pour transmettre la saisie au pilote."})
    kind = check_evidence(evidence) if evidence else None
    entry.value = number
    entry.comment = (comment or "").strip()
    if remove_evidence and not evidence:
        # The file itself is kept: the history rows still point to it (nothing lost).
        entry.evidence = ""
        entry.evidence_name = entry.evidence_type = ""
    if evidence:
        original = Path(evidence.name).name
        stored = f"{get_valid_filename(Path(original).stem)[:80] or 'justificatif'}.{kind.extension}"
        entry.evidence.save(stored, evidence, save=False)
        entry.evidence_name = original[:255]
        entry.evidence_type = kind.key
    entry.entered_by = user
    entry.entered_at = timezone.now()
    if submit:
        entry.status = EntryStatus.SUBMITTED
    _record(entry, user=user, reason="Saisie transmise au pilote" if submit else "Saisie enregistrée")
    return entry


def submit_entry(*, entry: CampaignEntry, user, **fields) -> CampaignEntry:
    """Save and hand to the pilot (a value is required); see `save_entry` for `fields`."""
    return save_entry(entry=entry, user=user, submit=True, **fields)


@transaction.atomic
def validate_entry(*, entry: CampaignEntry, user) -> CampaignEntry:
    """Accept a submitted entry and publish its value as the indicator's value for the campaign's period
    (scope « organisation », and « direction:<slug> » when a direction reports). Validating an entry that
    is already validated changes nothing."""
    entry = _locked(entry)
    if not can_review(_membership(user, entry.campaign.scheme)):
        raise PermissionDenied("Seul le pilote du schéma valide les saisies.")
    if entry.status == EntryStatus.VALIDATED:
        return entry
    _require_open(entry)
    if entry.status != EntryStatus.SUBMITTED:
        raise ValidationError("Seule une saisie transmise par la direction peut être validée.")
    if entry.value is None:
        raise ValidationError({"value": "La saisie n'a pas de valeur : renvoyez-la à la direction."})
    if entry.indicator.method != MANUAL_METHOD:
        raise ValidationError(
            f"L'indicateur {entry.indicator.code} n'est plus saisi manuellement (méthode « "
            f"{entry.indicator.method} ») : sa valeur est calculée, la saisie ne peut pas la remplacer."
        )
    now = timezone.now()
    entry.status = EntryStatus.VALIDATED
    entry.reviewed_by = user
    entry.reviewed_at = now
    entry.review_comment = ""
    _record(entry, user=user, reason="Saisie validée")
    publish_entry(entry=entry, user=user, validated_on=timezone.localdate(now))
    return entry


@transaction.atomic
def send_back_entry(*, entry: CampaignEntry, user, comment: str) -> CampaignEntry:
    """Return a submitted (or validated, for a correction) entry to its direction with the pilot's comment.
    A validated value already published stays until a new validation replaces it."""
    entry = _locked(entry)
    if not can_review(_membership(user, entry.campaign.scheme)):
        raise PermissionDenied("Seul le pilote du schéma renvoie une saisie.")
    _require_open(entry)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"review_comment": "Le commentaire est obligatoire : dites ce qu'il faut corriger."}
        )
    if entry.status not in (EntryStatus.SUBMITTED, EntryStatus.VALIDATED):
        raise ValidationError("Seule une saisie transmise ou validée peut être renvoyée à la direction.")
    reason = (
        "Validation reprise : renvoyée pour correction"
        if entry.status == EntryStatus.VALIDATED
        else "Renvoyée pour correction"
    )
    entry.status = EntryStatus.SENT_BACK
    entry.reviewed_by = user
    entry.reviewed_at = timezone.now()
    entry.review_comment = comment
    _record(entry, user=user, reason=reason)
    return entry


# --- Publication as indicator values ---------------------------------------------------------------------


def perimeter_text(entry: CampaignEntry, user, validated_on: date) -> str:
    who = f"de la direction {entry.direction.name}" if entry.direction_id else "du pilote du schéma"
    return (
        f"Saisie {who} pour {entry.campaign.period_obj.label}, validée par {user_label(user)} "
        f"le {validated_on:%d/%m/%Y}"
    )


def publish_entry(*, entry: CampaignEntry, user, validated_on: date) -> dict[str, int]:
    """Write the entry's IndicatorValue rows (created, updated, or left unchanged: idempotent)."""
    scopes = [(ORGANISATION_SCOPE, None)]
    if entry.direction_id:
        scopes.append((f"direction:{entry.direction.slug}", entry.direction))
    fields = {
        "value": entry.value,
        "numerator": entry.value,
        "denominator": Decimal(1),
        "unknown": 0,
        "details": {
            "saisie": entry.pk,
            "campagne": entry.campaign_id,
            "commentaire": entry.comment,
            "justificatif": bool(entry.evidence),
        },
        "perimeter": perimeter_text(entry, user, validated_on),
        "data_date": validated_on,
        "method_version": MANUAL_VERSION,
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    campaign = entry.campaign
    for scope, direction in scopes:
        current = IndicatorValue.objects.filter(
            indicator=entry.indicator, year=campaign.year, period=campaign.period, scope=scope
        ).first()
        wanted = {**fields, "direction": direction}
        if current is None:
            value = IndicatorValue(
                indicator=entry.indicator, year=campaign.year, period=campaign.period, scope=scope, **wanted
            )
            counts["created"] += 1
        elif any(_differs(getattr(current, name), new) for name, new in wanted.items()):
            value = current
            for name, new in wanted.items():
                setattr(value, name, new)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        value._history_user = user
        value._change_reason = f"Saisie n° {entry.pk} validée"
        value.save()
    return counts


def _differs(stored, new) -> bool:
    if hasattr(stored, "pk") or hasattr(new, "pk"):
        return getattr(stored, "pk", None) != getattr(new, "pk", None)
    return stored != new
