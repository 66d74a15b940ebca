"""API v1 (django-ninja), mounted at /api/v1/: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Public endpoints (the adopted schemes) need no token; the others take `Authorization: Bearer <jeton>` and
are scoped to the organisations the token's user belongs to (anything else is a 404). Thin endpoints: the
reads are in selectors.py, the writes in the apps' services (campaign entries)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Router, Schema
from pydantic import Field as PydanticField
from pydantic import WithJsonSchema

from spaser.campaigns import services as campaign_services
from spaser.campaigns.permissions import can_view_entry
from spaser.indicators.export_views import allowed_scopes
from spaser.indicators.exports import scope_labels
from spaser.indicators.periods import Period
from spaser.indicators.selectors import default_period, figures_for
from spaser.organisations.selectors import membership_for

from . import errors, selectors
from .auth import TokenAuth
from .docs import OfflineSwagger
from .schemas import (
    ContractDetailOut,
    ContractPageOut,
    EntryOut,
    EntrySubmitIn,
    EntryValueIn,
    Error,
    IndicatorValuesOut,
    MeOut,
    ReportContentOut,
    ReportOut,
    SchemeOut,
    SchemeTreeOut,
    ValidationErrorOut,
)

DESCRIPTION = """API de Spaser : le schéma (SPASER), les valeurs des indicateurs avec leur provenance, les
marchés du périmètre et la saisie des indicateurs manuels. Les schémas adoptés sont publics ; le reste
demande un jeton d'API (`Authorization: Bearer <jeton>`, créé sur la page /api/jetons/) et ne montre que les
organisations dont l'utilisateur du jeton est membre. Erreurs : `{"detail": "…"}` en français. Guide :
docs/api.md."""

api = NinjaAPI(
    title="API Spaser",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    docs=OfflineSwagger(),
    docs_url="/docs",
)
errors.install(api)
token = TokenAuth()

# Path numbers checked by ninja (a JSON 422 naming the field), not by Django's converters (an HTML 404).
PathYear = Annotated[int, Path(ge=2000, le=2100, description="Année.")]
PathNumber = Annotated[int, Path(ge=1, le=2_147_483_647, description="Numéro (entier positif).")]

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
PERIOD_PATTERN = r"^(A|S[12]|T[1-4]|M(0[1-9]|1[0-2])|C(0[1-9]|1[0-2]))$"
PRIVATE = {401: Error, 404: Error, 422: ValidationErrorOut}


def _no_scheme(slug: str) -> Http404:
    return Http404(f"Aucun schéma « {slug} » dans vos organisations.")


# --- Schemes (public) ------------------------------------------------------------------------------------

schemes = Router(tags=["Schémas"])


@schemes.get("", response=list[SchemeOut], summary="Schémas adoptés", auth=None)
def scheme_list(request: HttpRequest):
    """Les schémas adoptés de toutes les organisations (public, sans jeton)."""
    return [selectors.scheme_dict(scheme) for scheme in selectors.public_schemes()]


@schemes.get(
    "/{slug}", response={200: SchemeTreeOut, 404: Error}, summary="Un schéma et son arborescence", auth=None
)
def scheme_detail(request: HttpRequest, slug: str):
    """Le schéma (adopté ou archivé) avec ses axes, engagements, objectifs, actions et indicateurs, et les
    cibles de chaque indicateur par année (public, sans jeton)."""
    scheme = selectors.public_scheme(slug)
    if scheme is None:
        raise Http404(f"Aucun schéma publié « {slug} ».")
    return selectors.scheme_tree(scheme)


class IndicatorFilters(Schema):
    year: int | None = Field(
        None, ge=2000, le=2100, description="Année (par défaut : la dernière année avec des valeurs)."
    )
    period: str = Field(
        "A",
        pattern=PERIOD_PATTERN,
        description="Période : A (l'année), S1-S2, T1-T4, M01-M12, C01-C11 (cumul à fin de mois).",
    )
    scope: str = Field(
        "organisation",
        max_length=80,
        description="Périmètre : organisation, buyer:<SIREN ou SIRET> ou direction:<identifiant>.",
    )


@schemes.get(
    "/{slug}/indicators",
    response={200: IndicatorValuesOut, 403: Error, **PRIVATE},
    summary="Valeurs des indicateurs avec leur provenance",
    auth=token,
)
def indicator_values(request: HttpRequest, slug: str, filters: Query[IndicatorFilters]):
    """Les valeurs enregistrées (celles du tableau de bord) de chaque indicateur du schéma pour une
    période et un périmètre, avec numérateur, dénominateur, inconnus, périmètre des données, date des
    données, version de la méthode, date de calcul, cible et statut. Un référent de direction
    prescriptrice ne voit que sa direction parmi les directions (403 sinon)."""
    scheme = selectors.member_scheme(request.user, slug)
    if scheme is None:
        raise _no_scheme(slug)
    year = filters.year
    if year is None:
        default = default_period(scheme)
        year = (
            default.year
            if default
            else min(max(timezone.localdate().year, scheme.period_start), scheme.period_end)
        )
    if year not in scheme.years:
        raise errors.FieldProblem(
            "year",
            f"« year » : l'année {year} est hors de la période du schéma "
            f"({scheme.period_start}-{scheme.period_end}).",
        )
    period = Period(year, filters.period)
    labels = scope_labels(scheme)
    if filters.scope not in labels:
        raise errors.FieldProblem(
            "scope",
            f"« scope » : périmètre inconnu « {filters.scope} » (attendu : organisation, "
            "buyer:<SIREN ou SIRET> ou direction:<identifiant> d'une direction de l'organisation).",
        )
    membership = membership_for(request.user, scheme.organisation)
    allowed = allowed_scopes(membership, labels)
    if allowed is not None and filters.scope not in allowed:
        raise PermissionDenied(
            f"Votre rôle ne donne pas accès aux valeurs du périmètre « {labels[filters.scope]} »."
        )
    figures = figures_for(scheme=scheme, period=period, scope=filters.scope)
    return {
        "scheme": scheme.slug,
        "year": period.year,
        "period": period.key,
        "period_label": period.label,
        "scope": filters.scope,
        "scope_label": labels[filters.scope],
        "values": [selectors.figure_dict(figure) for figure in figures],
    }


# --- Contracts -------------------------------------------------------------------------------------------

contracts = Router(tags=["Marchés"], auth=token)
TriState = Literal["yes", "no", "unknown"]
# A decimal (never a float) documented as a number: « 40000 » or « 40000.50 ».
Amount = Annotated[
    Decimal,
    PydanticField(ge=0, le=Decimal("1e14")),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1e14}),
]


class ContractFilters(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Numéro de page, à partir de 1.")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Marchés par page (500 au plus).")
    organisation: str | None = Field(
        None, max_length=50, description="Identifiant court d'une de vos organisations (par défaut : toutes)."
    )
    year: int | None = Field(None, ge=1900, le=2100, description="Année de notification.")
    direction: str | None = Field(
        None,
        max_length=50,
        description="Identifiant court de la direction ; « none » : marchés non attribués.",
    )
    cpv: str | None = Field(
        None, pattern=r"^\d{1,8}$", description="Début du code CPV, par exemple 45 ou 4523."
    )
    procedure: str | None = Field(None, max_length=128, description="Procédure, telle que publiée.")
    nature: str | None = Field(None, max_length=64, description="Nature : Marché, Marché de partenariat…")
    social: TriState | None = Field(
        None, description="Au moins une considération sociale : yes, no ou unknown."
    )
    environmental: TriState | None = Field(
        None, description="Au moins une considération environnementale : yes, no ou unknown."
    )
    min_amount: Amount | None = Field(None, description="Montant initial minimal (€ HT, inclus).")
    max_amount: Amount | None = Field(None, description="Montant initial maximal (€ HT, inclus).")
    supplier_siret: str | None = Field(None, pattern=r"^\d{14}$", description="SIRET d'un titulaire.")
    q: str | None = Field(
        None, max_length=200, description="Texte cherché dans l'objet, l'uid, l'identifiant ou le titulaire."
    )


def _page_url(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(params.items()))}")


@contracts.get("", response={200: ContractPageOut, **PRIVATE}, summary="Marchés du périmètre (paginés)")
def contract_list(request: HttpRequest, filters: Query[ContractFilters]):
    """Les marchés des organisations dont vous êtes membre, du plus récent au plus ancien, filtrables et
    paginés (`page`, `page_size` ≤ 500 ; `count`, `next`, `previous`). Une page au-delà de la dernière
    est vide."""
    organisations = selectors.perimeter_organisations(request.user)
    if filters.organisation:
        organisations = [o for o in organisations if o.slug == filters.organisation]
        if not organisations:
            raise Http404(f"Aucune organisation « {filters.organisation} » parmi les vôtres.")
    if (
        filters.min_amount is not None
        and filters.max_amount is not None
        and filters.min_amount > filters.max_amount
    ):
        raise errors.FieldProblem(
            "min_amount", "« min_amount » doit être inférieur ou égal à « max_amount »."
        )
    rows = selectors.filter_contracts(selectors.perimeter_of(organisations), filters)
    paginator = Paginator(selectors.contract_rows(rows), filters.page_size)
    count = paginator.count
    results = []
    if filters.page <= paginator.num_pages and count:
        results = [selectors.contract_dict(c) for c in paginator.page(filters.page).object_list]
    last = paginator.num_pages if count else 0
    return {
        "count": count,
        "next": _page_url(request, filters.page + 1) if filters.page < last else None,
        "previous": _page_url(request, min(filters.page - 1, last)) if filters.page > 1 and last else None,
        "results": results,
    }


@contracts.get("/{path:uid}", response={200: ContractDetailOut, **PRIVATE}, summary="Un marché")
def contract_detail(request: HttpRequest, uid: str):
    """Un marché du périmètre de vos organisations, par son identifiant national (uid)."""
    organisations = selectors.perimeter_organisations(request.user)
    contract = selectors.contract_rows(selectors.perimeter_of(organisations).filter(uid=uid)).first()
    if contract is None:
        raise Http404(f"Aucun marché « {uid} » dans le périmètre de vos organisations.")
    return selectors.contract_dict(contract, detail=True)


# --- Me --------------------------------------------------------------------------------------------------

me = Router(tags=["Compte"], auth=token)


@me.get("", response={200: MeOut, 401: Error}, summary="L'utilisateur du jeton")
def whoami(request: HttpRequest):
    """L'utilisateur du jeton, ses rôles dans ses organisations et le jeton utilisé."""
    user, api_token = request.user, request.api_token
    memberships = user.memberships.select_related("organisation", "direction").order_by("organisation__name")
    return {
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "email": user.email,
        "memberships": [
            {
                "organisation": m.organisation.slug,
                "organisation_name": m.organisation.name,
                "role": m.role,
                "role_label": m.get_role_display(),
                "direction": {"slug": m.direction.slug, "name": m.direction.name} if m.direction else None,
            }
            for m in memberships
        ],
        "token": {
            "name": api_token.name,
            "prefix": api_token.prefix,
            "created_at": api_token.created_at,
            "expires_at": api_token.expires_at,
        },
    }


# --- Campaign entries ------------------------------------------------------------------------------------

campaigns = Router(tags=["Saisies"], auth=token)
ENTRY_RESPONSES = {200: EntryOut, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut}


def _entry(request: HttpRequest, pk: int):
    entry = selectors.member_entry(request.user, pk)
    if entry is None:
        raise Http404(f"Aucune saisie n° {pk} dans vos organisations.")
    membership = membership_for(request.user, entry.campaign.scheme.organisation)
    if not can_view_entry(membership, entry):
        return None
    return entry


OTHER_DIRECTION = "Cette saisie revient à une autre direction."


@campaigns.post(
    "/entries/{entry_id}/value", response=ENTRY_RESPONSES, summary="Enregistrer la valeur d'une saisie"
)
def entry_value(request: HttpRequest, entry_id: PathNumber, payload: EntryValueIn):
    """Enregistre la valeur et le commentaire d'une saisie sans la transmettre (comme le bouton
    « Enregistrer » de la page). Le pilote, ou un référent de la direction de la saisie ; mêmes contrôles
    et mêmes messages que la page (403 hors de son rôle, 422 sur une valeur refusée, rien n'est changé)."""
    entry = _entry(request, entry_id)
    if entry is None:
        raise PermissionDenied(OTHER_DIRECTION)
    entry = campaign_services.save_entry(
        entry=entry, user=request.user, value=payload.value, comment=payload.comment
    )
    return selectors.entry_dict(selectors.member_entry(request.user, entry.pk))


@campaigns.post(
    "/entries/{entry_id}/submit", response=ENTRY_RESPONSES, summary="Transmettre une saisie au pilote"
)
def entry_submit(request: HttpRequest, entry_id: PathNumber, payload: EntrySubmitIn | None = None):
    """Transmet la saisie au pilote (une valeur est obligatoire). Les champs absents du corps gardent ce
    qui est déjà enregistré."""
    entry = _entry(request, entry_id)
    if entry is None:
        raise PermissionDenied(OTHER_DIRECTION)
    fields = payload.model_fields_set if payload is not None else set()
    entry = campaign_services.submit_entry(
        entry=entry,
        user=request.user,
        value=payload.value if "value" in fields else entry.value,
        comment=payload.comment if "comment" in fields and payload.comment is not None else entry.comment,
    )
    return selectors.entry_dict(selectors.member_entry(request.user, entry.pk))


# --- Annual reports (public) ----------------------------------------------------------------------------

reports = Router(tags=["Rapports annuels"])


@reports.get("", response=list[ReportOut], summary="Rapports annuels publiés", auth=None)
def report_list(request: HttpRequest):
    """Toutes les versions publiées des rapports annuels, par schéma, année puis version (public)."""
    return [selectors.report_dict(report) for report in selectors.published_reports().defer("content")]


@reports.get(
    "/{slug}/{year}",
    response={200: ReportContentOut, 404: Error},
    summary="Rapport annuel d'une année (dernière version publiée)",
    auth=None,
)
def report_latest(request: HttpRequest, slug: str, year: PathYear):
    """La dernière version publiée du rapport de l'année, avec son contenu figé (public)."""
    report = selectors.published_reports().filter(scheme__slug=slug, year=year).order_by("-version").first()
    if report is None:
        raise Http404(f"Aucun rapport {year} publié pour le schéma « {slug} ».")
    return selectors.report_dict(report, content=True)


@reports.get(
    "/{slug}/{year}/{version}",
    response={200: ReportContentOut, 404: Error},
    summary="Une version publiée d'un rapport annuel",
    auth=None,
)
def report_version(request: HttpRequest, slug: str, year: PathYear, version: PathNumber):
    """Une version publiée précise, avec son contenu figé : les versions corrigées restent lisibles."""
    report = selectors.published_reports().filter(scheme__slug=slug, year=year, version=version).first()
    if report is None:
        raise Http404(f"Aucune version {version} publiée du rapport {year} du schéma « {slug} ».")
    return selectors.report_dict(report, content=True)


api.add_router("/schemes", schemes)
api.add_router("/reports", reports)
api.add_router("/contracts", contracts)
api.add_router("/me", me)
api.add_router("/campaigns", campaigns)
