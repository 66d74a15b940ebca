"""Reads for the dashboard: values of a year with their target and status, per scope."""

from dataclasses import dataclass
from decimal import Decimal

from spaser.schemes.models import Indicator, Scheme

from .methods import MEASURES, SHORT_FLAGS
from .models import ORGANISATION_SCOPE, IndicatorValue
from .status import Status, status_for

HEADLINE_CODES = ("S1", "S2", "E1", "E2")  # the legal headline pair, in number and in value (L2111-3)
NATIONAL_TARGETS = {"S1": Decimal(30), "S2": Decimal(30), "E1": Decimal(100), "E2": Decimal(100)}  # PNAD 2025


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: IndicatorValue | None
    target: Decimal | None
    status: Status
    national_target: Decimal | None

    @property
    def unknown_share(self) -> Decimal | None:
        if self.value is None:
            return None
        measured = self.value.details.get("contrats_mesures", self.value.details.get("contrats"))
        if not measured:
            return None
        return Decimal(self.value.unknown) * 100 / Decimal(measured)

    @property
    def short_label(self) -> str:
        """« S1 — social, en nombre »: the code and what is counted, short enough for a chart axis."""
        params = self.indicator.params
        if params.get("condition") in SHORT_FLAGS and params.get("measure") in MEASURES:
            return (
                f"{self.indicator.code} — {SHORT_FLAGS[params['condition']]}, {MEASURES[params['measure']]}"
            )
        return self.indicator.code

    @property
    def is_amount(self) -> bool:
        return self.indicator.params.get("measure") == "amount"


def available_years(scheme: Scheme) -> list[int]:
    years = IndicatorValue.objects.filter(indicator__commitment__axis__scheme=scheme)
    return sorted(set(years.values_list("year", flat=True)))


def default_year(scheme: Scheme) -> int | None:
    """The latest year that has contracts behind its values; else the latest computed year."""
    values = IndicatorValue.objects.filter(period="A").filter(
        indicator__commitment__axis__scheme=scheme, scope=ORGANISATION_SCOPE
    )
    with_data = values.filter(denominator__gt=0).order_by("-year").values_list("year", flat=True).first()
    return with_data or values.order_by("-year").values_list("year", flat=True).first()


def figures_for(*, scheme: Scheme, year: int, scope: str = ORGANISATION_SCOPE) -> list[Figure]:
    indicators = list(
        scheme.indicators().computed().select_related("commitment__axis").prefetch_related("targets")
    )
    values = {
        v.indicator_id: v
        for v in IndicatorValue.objects.for_year(year).filter(indicator__in=indicators, scope=scope)
    }
    figures = []
    for indicator in indicators:
        target = next((t.value for t in indicator.targets.all() if t.year == year), None)
        value = values.get(indicator.pk)
        figures.append(
            Figure(
                indicator=indicator,
                value=value,
                target=target,
                status=status_for(value.value if value else None, target, indicator.polarity),
                national_target=NATIONAL_TARGETS.get(indicator.code),
            )
        )
    return figures


def headline(figures: list[Figure]) -> list[Figure]:
    by_code = {f.indicator.code: f for f in figures}
    return [by_code[code] for code in HEADLINE_CODES if code in by_code]


@dataclass(frozen=True)
class DirectionRow:
    name: str
    slug: str
    figures: list[Figure]
    contracts: int


def direction_rows(*, scheme: Scheme, year: int) -> list[DirectionRow]:
    """Headline figures for each direction that has contracts attributed in the year."""
    rows = []
    for direction in scheme.organisation.directions.all():
        figures = headline(figures_for(scheme=scheme, year=year, scope=f"direction:{direction.slug}"))
        contracts = max((f.value.details.get("contrats", 0) for f in figures if f.value), default=0)
        if contracts:
            rows.append(DirectionRow(direction.name, direction.slug, figures, contracts))
    return rows
