"""Reads for one indicator's page: its figure (selectors.figures_for), the trend over the scheme's years and
the sub-periods of the year, the breakdowns (engine.breakdown on the scope's contracts of the period), the
method notes and, when there is no value, why.

Breakdowns are computed live by the engine with the same plan as the stored figure; their denominators add up
to the figure's (a test checks it). When the data changed since the last computation, the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from spaser.contracts.cpv import division_label

from . import selectors
from .catalogue import BY_CODE, Definition
from .engine import BREAKDOWNS, breakdown, in_period
from .errors import InvalidParams, NotComputable
from .methods import describe_definition
from .models import IndicatorValue
from .periods import Period, periods_of
from .plans import ContractPlan, Plan, plan_for
from .results import Result
from .scopes import Scope
from .selectors import Figure
from .status import Status, scheme_status
from .targets import PeriodTarget, period_target

# The provenance details of a stored value, in words: key → (label, kind); kind: int, money, hours, text,
# bool.
DETAILS = {
    "contrats": ("Marchés du périmètre (hors concessions)", "int"),
    "contrats_mesures": ("Marchés mesurés", "int"),
    "inconnus": ("Marchés dont la donnée est inconnue", "int"),
    "montant_inconnu": ("Montant des marchés à donnée inconnue", "money"),
    "accords_cadres": ("Accords-cadres", "int"),
    "montant_accords_cadres": ("Montant des accords-cadres (maxima ou estimations)", "money"),
    "sans_montant": ("Marchés sans montant exploitable", "int"),
    "periodes": ("Périodes d'heures", "int"),
    "heures_prevues": ("Heures prévues", "hours"),
    "heures_realisees": ("Heures réalisées", "hours"),
    "sans_prevision": ("Périodes sans heures prévues", "int"),
    "sans_realisation": ("Périodes sans heures réalisées", "int"),
    "personnes": ("Personnes distinctes", "int"),
    "femmes": ("dont femmes", "int"),
    "residents": ("dont résidents du territoire", "int"),
    "actions_echues": ("Actions échues", "int"),
    "realisees": ("Actions réalisées", "int"),
    "en_retard": ("Actions en retard", "int"),
    "saisie": ("Saisie n°", "text"),
    "commentaire": ("Commentaire de la direction", "text"),
    "justificatif": ("Justificatif joint", "bool"),
}


@dataclass(frozen=True)
class Detail:
    label: str
    value: object
    kind: str


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    result: Result


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str  # « division CPV »
    rows: list[BreakdownRow]

    @property
    def denominator(self) -> Decimal:
        return sum((row.result.denominator for row in self.rows), Decimal(0))

    @property
    def numerator(self) -> Decimal:
        return sum((row.result.numerator for row in self.rows), Decimal(0))

    @property
    def unknown(self) -> int:
        return sum(row.result.unknown for row in self.rows)


@dataclass(frozen=True)
class TrendRow:
    """A period of the trend: its stored value, its target and the status against it."""

    period: Period
    value: IndicatorValue | None
    target: PeriodTarget | None
    status: Status

    @property
    def number(self) -> Decimal | None:
        return self.value.value if self.value is not None else None


@dataclass(frozen=True)
class IndicatorPage:
    figure: Figure
    scope: Scope
    yearly: list[TrendRow]  # the year's value for every year of the scheme (and earlier computed ones)
    sub_periods: list[TrendRow]  # the sub-periods of the year the indicator is followed on
    breakdowns: list[Breakdown]
    no_breakdown: str  # why there are no breakdowns, when there are none
    method: list[tuple[str, str]]
    details: list[Detail]
    catalogue: Definition | None
    missing_reason: str  # why there is no value (« pas de données : … »)
    plan: Plan | None
    live: Result | None  # the figure recomputed now by the breakdown's query (contracts only)

    @property
    def stale(self) -> bool:
        """The data changed since the stored figure was computed (the breakdowns are live)."""
        value = self.figure.value
        if self.live is None or value is None or self.figure.is_manual:
            return False
        return (self.live.numerator, self.live.denominator, self.live.unknown) != (
            value.numerator,
            value.denominator,
            value.unknown,
        )

    @property
    def drillable(self) -> bool:
        return isinstance(self.plan, ContractPlan) or (self.plan is not None and self.plan.source == "hours")


def _plan(indicator) -> Plan | None:
    try:
        return plan_for(indicator.method, indicator.params)
    except (NotComputable, InvalidParams):
        return None


def _details(value: IndicatorValue | None) -> list[Detail]:
    if value is None:
        return []
    rows = []
    for key, stored in (value.details or {}).items():
        label, kind = DETAILS.get(key, (key.replace("_", " ").capitalize(), "text"))
        rows.append(Detail(label, stored, kind))
    return rows


def _missing_reason(indicator, figure: Figure, catalogue: Definition | None, plan: Plan | None) -> str:
    if figure.has_value:
        return ""
    if indicator.is_manual:
        if catalogue is not None and catalogue.missing:
            return f"pas encore de données dans Spaser : {catalogue.missing}."
        return (
            "indicateur saisi par les directions lors des campagnes de saisie : aucune valeur validée pour "
            f"{figure.period.label}."
        )
    if plan is None:
        return "la définition de l'indicateur (méthode et paramètres) ne peut pas être calculée."
    followed = periods_of(figure.period.year, indicator.frequency)
    if figure.period.kind not in ("year", "to_date") and figure.period not in followed:
        frequency = indicator.get_frequency_display().lower()
        return (
            f"l'indicateur est suivi à une fréquence {frequency} : pas de valeur pour {figure.period.label}."
        )
    if figure.value is None:
        return (
            f"aucune valeur calculée pour {figure.period.label} ; le pilote la calcule avec "
            "« spaser compute_indicators »."
        )
    return "rien à mesurer dans le périmètre pour cette période (dénominateur nul)."


def _row(indicator, period: Period, value: IndicatorValue | None) -> TrendRow:
    target = period_target(indicator, period)  # the targets are prefetched with the indicator
    number = value.value if value is not None else None
    return TrendRow(period, value, target, scheme_status(number, target.value if target else None, indicator))


def _trend(indicator, scope: Scope, period: Period, today: date) -> tuple[list[TrendRow], list[TrendRow]]:
    """All stored values of the indicator on the scope (one query) as the yearly series and the sub-periods
    of the period's year."""
    stored = {
        (v.year, v.period): v for v in IndicatorValue.objects.filter(indicator=indicator, scope=scope.key)
    }
    scheme = indicator.commitment.axis.scheme
    years = sorted({*scheme.years, *(year for year, key in stored if key == "A")})
    years = [y for y in years if y <= max(today.year, scheme.period_start)]
    yearly = [_row(indicator, Period(year), stored.get((year, "A"))) for year in years]
    subs = [
        p
        for p in periods_of(period.year, indicator.frequency)[1:]
        if date(p.year, p.months[0], 1) <= today or (p.year, p.key) in stored
    ]
    return yearly, [_row(indicator, p, stored.get((p.year, p.key))) for p in subs]


def _breakdowns(indicator, plan: Plan | None, scope: Scope, period: Period) -> tuple[list[Breakdown], str]:
    if not isinstance(plan, ContractPlan):
        if indicator.is_manual:
            return [], "Valeur saisie : elle ne se ventile pas par marché."
        return [], "Cet indicateur ne se compte pas marché par marché : il ne se ventile pas."
    contracts = in_period(scope.contracts, "contracts", period)
    result = []
    for key, label in BREAKDOWNS.items():
        rows = []
        for name, figure in breakdown(indicator.method, indicator.params, contracts, key):
            if key == "cpv" and name != "non renseigné":
                name = f"{name} — {division_label(name) or 'division inconnue'}"
            rows.append(BreakdownRow(name, figure))
        result.append(Breakdown(key, label, rows))
    return result, ""


def indicator_page(*, indicator, scope: Scope, period: Period, today: date | None = None) -> IndicatorPage:
    today = today or timezone.localdate()
    scheme = indicator.commitment.axis.scheme
    figure = selectors.figures_for(scheme=scheme, period=period, scope=scope.key, indicators=[indicator])[0]
    plan = _plan(indicator)
    catalogue = BY_CODE.get(indicator.code)
    yearly, subs = _trend(indicator, scope, period, today)
    breakdowns, no_breakdown = _breakdowns(indicator, plan, scope, period)
    live = None
    if breakdowns:
        rows = [row.result for row in breakdowns[0].rows]
        live = Result(
            None,
            sum((r.numerator for r in rows), Decimal(0)),
            sum((r.denominator for r in rows), Decimal(0)),
            sum(r.unknown for r in rows),
            plan.version,
        )
    return IndicatorPage(
        figure=figure,
        scope=scope,
        yearly=yearly,
        sub_periods=subs,
        breakdowns=breakdowns,
        no_breakdown=no_breakdown,
        method=describe_definition(indicator.method, indicator.params),
        details=_details(figure.value),
        catalogue=catalogue,
        missing_reason=_missing_reason(indicator, figure, catalogue, plan),
        plan=plan,
        live=live,
    )
