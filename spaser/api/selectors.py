"""Reads of the API, as plain dicts shaped like the schemas (schemas.py). Every figure comes from the
stored values (`spaser.indicators.selectors.figures_for`), every contract from the organisation's perimeter
(`Contract.objects.for_organisation`): the API shows what the pages show. Lists read a bounded number of
queries whatever their length (the tests count them)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse

from spaser.campaigns.models import CampaignEntry
from spaser.contracts.models import Contract
from spaser.contracts.selectors import list_rows, search
from spaser.indicators.exports import unknown_share
from spaser.indicators.selectors import Figure
from spaser.organisations.models import Organisation
from spaser.reports.models import AnnualReport
from spaser.schemes.models import Scheme, SchemeStatus
from spaser.schemes.selectors import register_tree

# --- Schemes ---------------------------------------------------------------------------------------------


def public_schemes() -> QuerySet:
    """The schemes anyone may read: adopted ones, by organisation then latest first."""
    return (
        Scheme.objects.adopted()
        .select_related("organisation")
        .order_by("organisation__name", "-period_start")
    )


def public_scheme(slug: str) -> Scheme | None:
    """An adopted or archived scheme (drafts are not public)."""
    return (
        Scheme.objects.exclude(status=SchemeStatus.DRAFT)
        .select_related("organisation")
        .filter(slug=slug)
        .first()
    )


def organisations_of(user) -> QuerySet:
    return Organisation.objects.for_user(user)


def perimeter_organisations(user) -> list[Organisation]:
    """The user's organisations with their buyers (two queries)."""
    return list(organisations_of(user).prefetch_related("buyers"))


def member_scheme(user, slug: str) -> Scheme | None:
    """A scheme (any status) of an organisation the user belongs to; None otherwise (a 404 for the API)."""
    return (
        Scheme.objects.filter(organisation__in=organisations_of(user), slug=slug)
        .select_related("organisation")
        .first()
    )


def organisation_dict(organisation: Organisation) -> dict:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "siren": organisation.siren,
        "kind": organisation.kind,
        "kind_label": organisation.get_kind_display(),
    }


def scheme_dict(scheme: Scheme) -> dict:
    return {
        "slug": scheme.slug,
        "title": scheme.title,
        "organisation": organisation_dict(scheme.organisation),
        "period_start": scheme.period_start,
        "period_end": scheme.period_end,
        "edition": scheme.edition,
        "mutualised": scheme.mutualised,
        "status": scheme.status,
        "status_label": scheme.get_status_display(),
        "adoption_date": scheme.adoption_date,
        "public_url": scheme.public_url,
        "summary": scheme.summary,
    }


def _direction_name(direction) -> str | None:
    return direction.name if direction is not None else None


def scheme_tree(scheme: Scheme) -> dict:
    """The scheme with its whole register, in a fixed number of queries."""
    axes = []
    for axis in register_tree(scheme):
        commitments = []
        for commitment in axis.commitments.all():
            commitments.append(
                {
                    "code": commitment.code,
                    "title": commitment.title,
                    "description": commitment.description,
                    "objectives": [
                        {"text": o.text, "deadline": o.deadline} for o in commitment.objectives.all()
                    ],
                    "actions": [
                        {
                            "title": action.title,
                            "description": action.description,
                            "owner_direction": _direction_name(action.owner_direction),
                            "due_date": action.due_date,
                            "status": action.status,
                            "status_label": action.get_status_display(),
                            "progress": action.progress,
                        }
                        for action in commitment.actions.all()
                    ],
                    "indicators": [
                        {
                            "code": indicator.code,
                            "name": indicator.name,
                            "definition": indicator.definition,
                            "unit": indicator.unit,
                            "unit_label": indicator.get_unit_display(),
                            "polarity": indicator.polarity,
                            "method": indicator.method,
                            "manual": indicator.is_manual,
                            "frequency": indicator.frequency,
                            "source": indicator.source,
                            "perimeter_note": indicator.perimeter_note,
                            "owner_direction": _direction_name(indicator.owner_direction),
                            "baseline_value": indicator.baseline_value,
                            "baseline_year": indicator.baseline_year,
                            "targets": [{"year": t.year, "value": t.value} for t in indicator.targets.all()],
                        }
                        for indicator in commitment.indicators.all()
                    ],
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
    return {**scheme_dict(scheme), "axes": axes}


# --- Indicator values ------------------------------------------------------------------------------------


def figure_dict(figure: Figure) -> dict:
    """One stored value with its provenance, target and status (the dashboard's figure)."""
    indicator, value = figure.indicator, figure.value
    national = figure.national
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "unit_label": indicator.get_unit_display(),
        "manual": indicator.is_manual,
        "value": figure.number,
        "numerator": value.numerator if value else None,
        "denominator": value.denominator if value else None,
        "unknown": value.unknown if value else None,
        "unknown_share": unknown_share(
            indicator.method, indicator.params or {}, value.unknown, value.details or {}
        )
        if value
        else None,
        "perimeter": value.perimeter if value else None,
        "data_date": value.data_date if value else None,
        "method_version": value.method_version if value else None,
        "computed_at": value.computed_at if value else None,
        "target": figure.target.value if figure.target else None,
        "target_label": figure.target.label if figure.target else None,
        "status": figure.status.key,
        "status_label": figure.status.label,
        "previous_value": figure.previous_number,
        "national_target": {"value": national.value, "source": national.source} if national else None,
    }


# --- Contracts -------------------------------------------------------------------------------------------

TRI_STATE = {"yes": True, "no": False}


def perimeter_of(organisations) -> QuerySet:
    """The contracts of every organisation given (their buyers' perimeters, united; the rule of
    `Organisation.buyer_filter`, read from the prefetched buyers: no query per organisation)."""
    q = Q(pk__in=[])
    for organisation in organisations:
        for buyer in organisation.buyers.all():
            if len(buyer.identifier) == 14:
                q |= Q(buyer_siret=buyer.identifier)
            else:
                q |= Q(buyer_siret__startswith=buyer.identifier)
    return Contract.objects.filter(q)


def _tri_state(contracts: QuerySet, field: str, value: str | None) -> QuerySet:
    if not value:
        return contracts
    if value == "unknown":
        return contracts.filter(**{f"{field}__isnull": True})
    return contracts.filter(**{field: TRI_STATE[value]})


def filter_contracts(contracts: QuerySet, filters) -> QuerySet:
    """The API's contract filters (schemas validated them already)."""
    if filters.q:
        contracts = search(contracts, filters.q)
    if filters.year is not None:
        contracts = contracts.filter(notification_year=filters.year)
    if filters.direction:
        contracts = (
            contracts.filter(direction__isnull=True)
            if filters.direction == "none"
            else contracts.filter(direction__slug=filters.direction)
        )
    if filters.cpv:
        contracts = contracts.filter(cpv__startswith=filters.cpv)
    if filters.procedure:
        contracts = contracts.filter(procedure__iexact=filters.procedure)
    if filters.nature:
        contracts = contracts.filter(nature__iexact=filters.nature)
    contracts = _tri_state(contracts, "has_social", filters.social)
    contracts = _tri_state(contracts, "has_environmental", filters.environmental)
    if filters.min_amount is not None:
        contracts = contracts.filter(amount__gte=filters.min_amount)
    if filters.max_amount is not None:
        contracts = contracts.filter(amount__lte=filters.max_amount)
    if filters.supplier_siret:
        contracts = contracts.filter(
            contract_suppliers__supplier__identifier=filters.supplier_siret
        ).distinct()
    return contracts


def contract_rows(contracts: QuerySet) -> QuerySet:
    return list_rows(contracts).order_by("-notification_date", "uid")


def contract_dict(contract: Contract, *, detail: bool = False) -> dict:
    direction = contract.direction
    data = {
        "uid": contract.uid,
        "buyer_siret": contract.buyer_siret,
        "contract_id": contract.contract_id,
        "kind": contract.kind,
        "object": contract.object,
        "nature": contract.nature,
        "procedure": contract.procedure,
        "cpv": contract.cpv,
        "is_framework": contract.is_framework,
        "amount": contract.amount,
        "current_amount": contract.current_amount,
        "duration_months": contract.duration_months,
        "notification_date": contract.notification_date,
        "notification_year": contract.notification_year,
        "publication_date": contract.publication_date,
        "has_social": contract.has_social,
        "social_clause": contract.social_clause,
        "social_criterion": contract.social_criterion,
        "reserved": contract.reserved,
        "has_environmental": contract.has_environmental,
        "environmental_clause": contract.environmental_clause,
        "environmental_criterion": contract.environmental_criterion,
        "direction": {"slug": direction.slug, "name": direction.name} if direction else None,
        "suppliers": [
            {
                "identifier": link.supplier.identifier,
                "identifier_type": link.supplier.identifier_type,
                "name": link.supplier.name,
            }
            for link in contract.contract_suppliers.all()
        ],
        "quality_flags": [str(flag) for flag in contract.quality_flags or []],
        "origin": contract.origin,
    }
    if detail:
        data.update(
            techniques=[str(t) for t in contract.techniques or []],
            framework_id=contract.framework_id,
            current_duration_months=contract.current_duration_months,
            place_code=contract.place_code,
            bids_received=contract.bids_received,
            advance_granted=contract.advance_granted,
            innovative=contract.innovative,
            subcontracting_declared=contract.subcontracting_declared,
            end_date=contract.end_date,
            end_date_estimated=contract.end_date_estimated,
            modifications=[m for m in contract.modifications or [] if isinstance(m, dict)],
            sources=[str(s) for s in contract.sources or []],
        )
    return data


# --- Campaign entries ------------------------------------------------------------------------------------


def member_entry(user, pk: int) -> CampaignEntry | None:
    """An entry of a campaign of one of the user's organisations, None otherwise."""
    return (
        CampaignEntry.objects.filter(campaign__scheme__organisation__in=organisations_of(user), pk=pk)
        .select_related("campaign__scheme__organisation", "indicator", "direction", "entered_by")
        .first()
    )


def entry_dict(entry: CampaignEntry) -> dict:
    direction = entry.direction
    user = entry.entered_by
    return {
        "id": entry.pk,
        "campaign": entry.campaign.title,
        "year": entry.campaign.year,
        "period": entry.campaign.period,
        "indicator": entry.indicator.code,
        "indicator_name": entry.indicator.name,
        "unit": entry.indicator.unit,
        "direction": {"slug": direction.slug, "name": direction.name} if direction else None,
        "status": entry.status,
        "status_label": entry.get_status_display(),
        "value": entry.value,
        "comment": entry.comment,
        "entered_by": (user.get_full_name() or user.get_username()) if user else None,
        "entered_at": entry.entered_at,
    }


# --- Annual reports --------------------------------------------------------------------------------------


def published_reports() -> QuerySet:
    """Published versions only (drafts and validated reports are not public); the frozen content is read
    only where it is returned."""
    return (
        AnnualReport.objects.published()
        .select_related("scheme")
        .defer("pdf")
        .order_by("scheme__slug", "-year", "-version")
    )


def report_dict(report: AnnualReport, *, content: bool = False) -> dict:
    data = {
        "scheme": report.scheme.slug,
        "scheme_title": report.scheme.title,
        "year": report.year,
        "version": report.version,
        "published_on": report.published_on,
        "published_at": report.published_at,
        "erratum": report.erratum,
        "content_sha256": report.content_sha256,
        "url": reverse("api_v1:report_version", args=[report.scheme.slug, report.year, report.version]),
    }
    if content:
        data["content"] = report.content
    return data
