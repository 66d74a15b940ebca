"""Status of a value against its target for the period (targets.py).

The value reaches the target → « atteint »; it is at least `on_track` of the way (default 90 %) → « en
bonne voie »; at least `at_risk` (default 75 %) → « à surveiller »; below → « en retard ». Each scheme sets
its two thresholds (Scheme.on_track_ratio, Scheme.at_risk_ratio; docs/indicators.md). For a lower-is-better
indicator (payment delay) the ratio is inverted (target / value). No value → « pas de données »; no target →
« sans cible ».
"""

from dataclasses import dataclass
from decimal import Decimal

from spaser.schemes.models import Polarity

ON_TRACK_RATIO = Decimal("0.90")
AT_RISK_RATIO = Decimal("0.75")


@dataclass(frozen=True)
class Status:
    key: str
    label: str


REACHED = Status("reached", "Atteint")
ON_TRACK = Status("on_track", "En bonne voie")
AT_RISK = Status("at_risk", "À surveiller")
OFF_TRACK = Status("off_track", "En retard")
NO_DATA = Status("no_data", "Pas de données")
NO_TARGET = Status("no_target", "Sans cible")
STATUSES = [REACHED, ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA, NO_TARGET]


def scheme_status(value: Decimal | None, target: Decimal | None, indicator) -> Status:
    """`status_for` with the thresholds of the indicator's scheme."""
    scheme = indicator.commitment.axis.scheme
    return status_for(
        value, target, indicator.polarity, on_track=scheme.on_track_ratio, at_risk=scheme.at_risk_ratio
    )


def status_for(
    value: Decimal | None,
    target: Decimal | None,
    polarity: str,
    *,
    on_track: Decimal = ON_TRACK_RATIO,
    at_risk: Decimal = AT_RISK_RATIO,
) -> Status:
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    if polarity == Polarity.LOWER_IS_BETTER:
        if value <= target:
            return REACHED
        ratio = target / value if value else Decimal(0)
    else:
        if value >= target:
            return REACHED
        ratio = value / target if target else Decimal(1)
    if ratio >= on_track:
        return ON_TRACK
    if ratio >= at_risk:
        return AT_RISK
    return OFF_TRACK
