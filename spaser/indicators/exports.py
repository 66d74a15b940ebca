"""Exports of a scheme's stored indicator values with their provenance: XLSX, CSV and JSON (docs/exports.md).

One function builds the rows (`export_rows`) from the stored `IndicatorValue`s, in register order (axis,
commitment, indicator), then year, period and scope; an indicator with no value under the filters appears
once, its value « pas de données » (never 0). The writers (export_formats.py: XLSX, CSV, JSON) only format
those rows, so the three files say the same thing; the views and `spaser export_indicators` call the same
functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Value, When

from spaser.schemes.models import Indicator, Scheme

from .catalogue import BY_CODE
from .errors import InvalidParams, NotComputable
from .models import ORGANISATION_SCOPE, IndicatorValue
from .periods import Period
from .plans import plan_for
from .status import NO_DATA, scheme_status
from .targets import NATIONAL_TARGETS, period_target

NO_DATA_TEXT = "pas de données"
# Periods in reading order: the year, its semesters, quarters, months, then the years to date.
PERIOD_ORDER = ["A", "S1", "S2", *(f"T{n}" for n in range(1, 5)), *(f"M{n:02d}" for n in range(1, 13)),
                *(f"C{n:02d}" for n in range(1, 13))]  # fmt: skip
PERIOD_KEYS_HELP = "A (l'année), S1-S2, T1-T4, M01-M12, C01-C11 (cumul à fin de mois)"


class FilterError(Exception):
    """A filter the export cannot use; `status` 400 (malformed), 403 (not yours) or 404 (does not exist)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


# -- filters -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Empty tuples mean « all » (all scopes: all the reader may see)."""

    years: tuple[int, ...] = ()
    periods: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()

    def describe(self, scope_labels: dict[str, str]) -> list[tuple[str, str]]:
        return [
            ("Années", ", ".join(map(str, self.years)) or "toutes"),
            ("Périodes", ", ".join(self.periods) or "toutes"),
            ("Périmètres", ", ".join(scope_labels.get(s, s) for s in self.scopes) or "tous"),
        ]

    def as_dict(self) -> dict:
        return {"years": list(self.years), "periods": list(self.periods), "scopes": list(self.scopes)}


def scope_labels(scheme: Scheme) -> dict[str, str]:
    """Every scope key of the scheme's organisation → its label (organisation, buyers, directions)."""
    organisation = scheme.organisation
    labels = {ORGANISATION_SCOPE: organisation.name}
    for identifier, name in organisation.buyers.values_list("identifier", "name"):
        labels[f"buyer:{identifier}"] = f"{name} ({identifier})"
    for slug, name in organisation.directions.values_list("slug", "name"):
        labels[f"direction:{slug}"] = name
    return labels


def _chosen(values: Iterable[str]) -> list[str]:
    """The values asked for, blanks dropped; none, or « all » among them, means all."""
    values = [value.strip() for value in values if value and value.strip()]
    return [] if "all" in values else values


def parse_filters(
    *,
    scheme: Scheme,
    years: Iterable[str] = (),
    periods: Iterable[str] = (),
    scopes: Iterable[str] = (),
    labels: dict[str, str],
    allowed_scopes: set[str] | None = None,
) -> Filters:
    """Filters from text (query string or command line), checked against the scheme. A period is a key
    (« T2 ») or a slug with its year (« 2025-T2 »: the year is added to the years). FilterError (French)."""
    chosen_years: set[int] = set()
    for text in _chosen(years):
        if not text.isdigit() or len(text) != 4:
            raise FilterError(f"Année invalide : « {text} » (attendu : une année comme 2025, ou « all »).")
        chosen_years.add(int(text))
    chosen_periods: set[str] = set()
    for text in _chosen(periods):
        try:
            period = Period.parse(text) if "-" in text else Period(2000, text)
        except ValueError:
            raise FilterError(
                f"Période invalide : « {text} » (attendu : {PERIOD_KEYS_HELP}, une période datée comme "
                "2025-T2, ou « all »)."
            ) from None
        chosen_periods.add(period.key)
        if "-" in text:
            chosen_years.add(period.year)
    for year in sorted(chosen_years):
        if year not in scheme.years:
            raise FilterError(
                f"L'année {year} est hors de la période du schéma « {scheme.title} » "
                f"({scheme.period_start}-{scheme.period_end}).",
                404,
            )
    chosen_scopes = _chosen(scopes)
    for key in chosen_scopes:
        if key not in labels:
            raise FilterError(
                f"Périmètre inconnu : « {key} » (attendu : organisation, buyer:<SIREN ou SIRET> ou "
                "direction:<identifiant> d'une direction de l'organisation).",
                404,
            )
        if allowed_scopes is not None and key not in allowed_scopes:
            raise FilterError(
                f"Votre rôle ne donne pas accès aux valeurs du périmètre « {labels[key]} ».", 403
            )
    if not chosen_scopes and allowed_scopes is not None:
        chosen_scopes = [key for key in labels if key in allowed_scopes]
    return Filters(
        years=tuple(sorted(chosen_years)),
        periods=tuple(sorted(chosen_periods, key=PERIOD_ORDER.index)),
        scopes=tuple(sorted(set(chosen_scopes), key=list(labels).index)),
    )


# -- rows --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    axis: str
    commitment: str
    code: str
    name: str
    unit: str  # Unit key: percent, count, euro, hours, days, tco2e
    unit_label: str
    year: int | None
    period: str
    period_label: str
    scope: str
    scope_label: str
    value: Decimal | None
    target: Decimal | None
    target_kind: str
    status: str
    status_label: str
    national_target: Decimal | None
    national_target_source: str
    numerator: Decimal | None
    denominator: Decimal | None
    unknown: int | None
    unknown_share: Decimal | None
    perimeter: str
    data_date: date | None
    method_version: str
    method: str
    params: dict
    details: dict
    computed_at: datetime | None
    note: str
    counts_in_euros: bool  # numerator and denominator are amounts (a share or total in value)


def unknown_share(method: str, params: dict, unknown: int, details: dict) -> Decimal | None:
    """Unknowns as a percent (0-100) of the units they are counted among: the contracts measured (a share
    in value: those with a usable amount), all the contracts of the base for a mean (the unknowns are left
    out of it), the periods of hours, the people. None where the unknowns are not units of one base (the
    realisation rate counts missing planned and missing realised hours apart) or nothing was measured."""
    if method in ("share", "total"):
        base = details.get("contrats_mesures", details.get("contrats"))
    elif method == "mean":
        base = details.get("contrats")
    elif method == "hours" and params.get("measure") != "rate":
        base = details.get("periodes")
    elif method == "people":
        base = details.get("personnes")
    else:
        base = None
    if not base:
        return None
    return (Decimal(unknown) * 100 / Decimal(base)).quantize(Decimal("0.0001"))


def in_euros(indicator: Indicator) -> bool:
    params = indicator.params or {}
    if indicator.method in ("share", "total"):
        return params.get("measure") == "amount"
    return indicator.method == "mean" and params.get("field") in ("amount", "current_amount")


def _no_value_note(indicator: Indicator) -> str:
    definition = BY_CODE.get(indicator.code)
    if indicator.is_manual:
        if definition is not None and definition.missing:
            return f"{NO_DATA_TEXT} : {definition.missing}"
        return f"{NO_DATA_TEXT} : indicateur saisi par les directions, aucune valeur validée pour ces filtres"
    try:
        plan_for(indicator.method, indicator.params)
    except (InvalidParams, NotComputable) as error:
        return f"{NO_DATA_TEXT} : définition non calculable ({error})"
    return f"{NO_DATA_TEXT} : aucune valeur calculée pour ces filtres (spaser compute_indicators)"


def _indicators(scheme: Scheme) -> list[Indicator]:
    return list(
        scheme.indicators()
        .order_by(
            "commitment__axis__position",
            "commitment__axis__code",
            "commitment__position",
            "commitment__code",
            "position",
            "code",
            "pk",
        )
        .select_related("commitment__axis__scheme")
        .prefetch_related("targets")
    )


def _values(indicators: list[Indicator], filters: Filters):
    """The stored values under the filters, in the order of `indicators`, then year, period, scope."""
    values = IndicatorValue.objects.filter(indicator__in=[i.pk for i in indicators])
    if filters.years:
        values = values.filter(year__in=filters.years)
    if filters.periods:
        values = values.filter(period__in=filters.periods)
    if filters.scopes:
        values = values.filter(scope__in=filters.scopes)
    rank = Case(
        *(When(indicator_id=i.pk, then=Value(n)) for n, i in enumerate(indicators)),
        output_field=IntegerField(),
    )
    period_rank = Case(
        *(When(period=key, then=Value(n)) for n, key in enumerate(PERIOD_ORDER)),
        default=Value(len(PERIOD_ORDER)),
        output_field=IntegerField(),
    )
    scope_rank = Case(
        When(scope=ORGANISATION_SCOPE, then=Value(0)),
        When(scope__startswith="buyer:", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return values.annotate(r=rank, pr=period_rank, sr=scope_rank).order_by("r", "year", "pr", "sr", "scope")


def export_rows(
    *, scheme: Scheme, filters: Filters, labels: dict[str, str] | None = None
) -> Iterator[ExportRow]:
    """The export's rows (see the module docstring), streamed: a bounded number of queries whatever the
    number of indicators, scopes and periods (values are read in chunks)."""
    labels = labels if labels is not None else scope_labels(scheme)
    indicators = _indicators(scheme)
    values = _values(indicators, filters)
    with_values = set(values.order_by().values_list("indicator_id", flat=True).distinct())
    stream = values.iterator(chunk_size=2000)
    pending = next(stream, None)
    for indicator in indicators:
        targets = {target.year: target.value for target in indicator.targets.all()}
        if indicator.pk not in with_values:
            yield _empty_row(indicator, filters, targets, labels)
            continue
        while pending is not None and pending.indicator_id == indicator.pk:
            yield _value_row(indicator, pending, targets, labels)
            pending = next(stream, None)


def _common(indicator: Indicator) -> dict[str, Any]:
    axis, commitment = indicator.commitment.axis, indicator.commitment
    national = NATIONAL_TARGETS.get(indicator.code)
    return {
        "axis": f"{axis.code} — {axis.title}",
        "commitment": f"{commitment.code} — {commitment.title}",
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "unit_label": indicator.get_unit_display(),
        "national_target": national.value if national else None,
        "national_target_source": national.source if national else "",
        "method": indicator.method,
        "params": indicator.params or {},
        "counts_in_euros": in_euros(indicator),
    }


def _value_row(
    indicator: Indicator, value: IndicatorValue, targets: dict, labels: dict[str, str]
) -> ExportRow:
    period = Period(value.year, value.period)
    target = period_target(indicator, period, targets)
    status = scheme_status(value.value, target.value if target else None, indicator)
    return ExportRow(
        **_common(indicator),
        year=value.year,
        period=value.period,
        period_label=period.label,
        scope=value.scope,
        scope_label=labels.get(value.scope, value.scope),
        value=value.value,
        target=target.value if target else None,
        target_kind=target.label if target else "",
        status=status.key,
        status_label=status.label,
        numerator=value.numerator,
        denominator=value.denominator,
        unknown=value.unknown,
        unknown_share=unknown_share(
            indicator.method, indicator.params or {}, value.unknown, value.details or {}
        ),
        perimeter=value.perimeter,
        data_date=value.data_date,
        method_version=value.method_version,
        details=value.details or {},
        computed_at=value.computed_at,
        note=""
        if value.value is not None
        else f"{NO_DATA_TEXT} : rien à mesurer sur ce périmètre et cette période",
    )


def _empty_row(indicator: Indicator, filters: Filters, targets: dict, labels: dict[str, str]) -> ExportRow:
    """An indicator with no stored value under the filters: one row, « pas de données »."""
    year = filters.years[0] if len(filters.years) == 1 else None
    key = filters.periods[0] if len(filters.periods) == 1 else ""
    period = Period(year, key or "A") if year else None
    target = period_target(indicator, period, targets) if period else None
    scope = filters.scopes[0] if len(filters.scopes) == 1 else ""
    return ExportRow(
        **_common(indicator),
        year=year,
        period=key,
        period_label=period.label if period and key else "",
        scope=scope,
        scope_label=labels.get(scope, ""),
        value=None,
        target=target.value if target else None,
        target_kind=target.label if target else "",
        status=NO_DATA.key,
        status_label=NO_DATA.label,
        numerator=None,
        denominator=None,
        unknown=None,
        unknown_share=None,
        perimeter="",
        data_date=None,
        method_version="",
        details={},
        computed_at=None,
        note=_no_value_note(indicator),
    )
