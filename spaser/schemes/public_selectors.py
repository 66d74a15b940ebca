"""Reads for the public site (no login): the directory of adopted schemes, a scheme's card and tree, the
sitemap, and the cheap fingerprints behind the public pages' conditional GETs (ETag, Last-Modified).

Only what a citizen may see leaves this module: drafts never do (the card and the tree of a draft are 404).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, OuterRef, Prefetch, Q, QuerySet, Subquery

import spaser
from spaser.indicators.targets import NATIONAL_TARGETS
from spaser.organisations.models import Buyer, Direction, OrganisationKind

from .models import Action, Axis, Commitment, Indicator, Objective, Scheme, SchemeStatus, Target

# Sorts of the public index: key → (label, order_by).
INDEX_SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "nom": ("Nom de l'acheteur", ("organisation__name", "-period_start", "pk")),
    "recent": ("Adoption la plus récente", ("-adoption_date", "organisation__name", "pk")),
    "periode": ("Période du schéma", ("-period_start", "organisation__name", "pk")),
}
DEFAULT_SORT = "nom"


def public_schemes() -> QuerySet[Scheme]:
    """Every scheme a citizen may open: adopted or archived, never a draft."""
    return Scheme.objects.exclude(status=SchemeStatus.DRAFT).select_related("organisation")


def directory(*, query: str = "", kind: str = "", sort: str = DEFAULT_SORT) -> QuerySet[Scheme]:
    """The adopted schemes of the public index, searched by buyer or scheme name or by SIREN (spaces
    ignored), filtered by buyer type, sorted by one of INDEX_SORTS."""
    schemes = Scheme.objects.adopted().select_related("organisation")
    query = query.strip()
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        match = Q(organisation__name__icontains=query) | Q(title__icontains=query)
        if digits and len(digits) == len(query.replace(" ", "")):
            match |= Q(organisation__siren__startswith=digits)
        schemes = schemes.filter(match)
    if kind:
        schemes = schemes.filter(organisation__kind=kind)
    return schemes.order_by(*INDEX_SORTS.get(sort, INDEX_SORTS[DEFAULT_SORT])[1])


def buyer_kinds_in_directory() -> list[tuple[str, str]]:
    """The buyer types that have at least one adopted scheme (the index's filter offers no empty choice)."""
    present = set(Scheme.objects.adopted().values_list("organisation__kind", flat=True))
    return [(value, label) for value, label in OrganisationKind.choices if value in present]


def other_editions(scheme: Scheme) -> list[Scheme]:
    """The organisation's other public schemes (earlier or later editions), latest first."""
    return list(
        public_schemes()
        .filter(organisation_id=scheme.organisation_id)
        .exclude(pk=scheme.pk)
        .order_by("-period_start", "-edition")
    )


def public_tree(scheme: Scheme) -> list[Axis]:
    """The scheme's axes › commitments › objectives, actions and indicators with their targets, in a fixed
    number of queries (one per level) whatever the size of the scheme. Each indicator gets `national_target`
    (NATIONAL_TARGETS by code, or None)."""
    axes = list(
        scheme.axes.order_by("position", "code").prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("position", "code")),
            Prefetch("commitments__objectives", queryset=Objective.objects.order_by("position", "pk")),
            Prefetch(
                "commitments__actions",
                queryset=Action.objects.select_related("owner_direction").order_by("position", "pk"),
            ),
            Prefetch(
                "commitments__indicators",
                queryset=Indicator.objects.order_by("position", "code").prefetch_related(
                    Prefetch("targets", queryset=Target.objects.order_by("year"))
                ),
            ),
        )
    )
    for axis in axes:
        for commitment in axis.commitments.all():
            for indicator in commitment.indicators.all():
                indicator.national_target = NATIONAL_TARGETS.get(indicator.code)
    return axes


def tree_counts(axes: list[Axis]) -> dict[str, int]:
    commitments = [c for axis in axes for c in axis.commitments.all()]
    return {
        "axes": len(axes),
        "commitments": len(commitments),
        "objectives": sum(len(c.objectives.all()) for c in commitments),
        "actions": sum(len(c.actions.all()) for c in commitments),
        "indicators": sum(len(c.indicators.all()) for c in commitments),
    }


# --- Fingerprints for conditional GETs -------------------------------------------------------------------

# Extra parts of a scheme's public fingerprint, for pages other apps add to the card (published reports):
# each takes the scheme and returns a short string that changes when what it shows changes.
FINGERPRINT_PARTS: list[Callable[[Scheme], str]] = []
# Extra public pages for the sitemap (the published reports): each returns site paths.
SITEMAP_PARTS: list[Callable[[], list[str]]] = []


def _history_maxima(schemes: QuerySet[Scheme]) -> QuerySet[Scheme]:
    """`schemes` annotated with the latest history date of the scheme and of each level of its register.

    A deletion leaves a history row (type « - ») whose parent still exists, so it moves the date too."""

    def latest(model, **filters):
        rows = model.history.model.objects.filter(**filters).order_by().values(*filters.keys())
        return Subquery(rows.annotate(latest=Max("history_date")).values("latest")[:1])

    scheme = OuterRef("pk")
    return schemes.annotate(
        changed_scheme=latest(Scheme, id=scheme),
        changed_axis=latest(Axis, scheme_id=scheme),
        changed_commitment=latest(Commitment, axis__scheme_id=scheme),
        changed_objective=latest(Objective, commitment__axis__scheme_id=scheme),
        changed_action=latest(Action, commitment__axis__scheme_id=scheme),
        changed_indicator=latest(Indicator, commitment__axis__scheme_id=scheme),
        changed_target=latest(Target, indicator__commitment__axis__scheme_id=scheme),
    )


def _latest(scheme: Scheme) -> datetime | None:
    dates = [
        getattr(scheme, name)
        for name in (
            "changed_scheme", "changed_axis", "changed_commitment", "changed_objective", "changed_action",
            "changed_indicator", "changed_target",
        )
    ]  # fmt: skip
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


def schemes_last_changed(schemes: QuerySet[Scheme]) -> list[tuple[Scheme, datetime | None]]:
    """Each scheme with the date of the latest change to it or its register (one query), for the sitemap."""
    return [(scheme, _latest(scheme)) for scheme in _history_maxima(schemes)]


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime | None


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]


def scheme_fingerprint(slug: str) -> Fingerprint | None:
    """What the card and the tree of a public scheme depend on, in three small queries: the latest history
    date of the register (historised), and the values of what is not historised (organisation, buyers,
    directions). None when the scheme is not public (the view answers 404)."""
    scheme = _history_maxima(public_schemes().filter(slug=slug)).first()
    if scheme is None:
        return None
    organisation = scheme.organisation
    buyers = list(Buyer.objects.filter(organisation=organisation).values_list("identifier", "name"))
    directions = list(
        Direction.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("pk", "name", "short_name")
    )
    latest = _latest(scheme)
    etag = _digest(
        spaser.__version__,
        scheme.pk,
        latest.isoformat() if latest else "",
        [getattr(scheme, f"changed_{level}") for level in ("scheme", "axis", "commitment")],
        (organisation.name, organisation.siren, organisation.kind, organisation.population_band),
        (organisation.purchase_volume_band, organisation.is_demo, organisation.slug),
        buyers,
        directions,
        [part(scheme) for part in FINGERPRINT_PARTS],
    )
    return Fingerprint(etag=etag, last_modified=latest)


def directory_fingerprint() -> Fingerprint:
    """What the index depends on: every public scheme's history and its organisation's listed values (one
    query; a few hundred rows at most)."""
    history = Scheme.history.model.objects.filter(id=OuterRef("pk")).order_by().values("id")
    rows = list(
        Scheme.objects.adopted()
        .select_related("organisation")
        .annotate(changed_scheme=Subquery(history.annotate(latest=Max("history_date")).values("latest")[:1]))
        .order_by("pk")
    )
    latest = max((d for d in (row.changed_scheme for row in rows) if d is not None), default=None)
    etag = _digest(
        spaser.__version__,
        [
            (
                row.pk,
                row.changed_scheme,
                row.organisation.name,
                row.organisation.siren,
                row.organisation.kind,
                row.organisation.is_demo,
            )
            for row in rows
        ],
    )
    return Fingerprint(etag=etag, last_modified=latest)
