"""Status of a value against its target for the year.

Thresholds (documented in docs/indicators.md; configurable per indicator in a later version):
the value reaches the target → « atteint »; it is at least 90 % of the way → « en bonne voie »;
at least 75 % → « à surveiller »; below → « en retard ». For a lower-is-better indicator (payment delay),
the ratio is inverted. No value → « pas de données »; no target → « sans cible ».
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


def status_for(value: Decimal | None, target: Decimal | None, polarity: str) -> Status:
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
    if ratio >= ON_TRACK_RATIO:
        return ON_TRACK
    if ratio >= AT_RISK_RATIO:
        return AT_RISK
    return OFF_TRACK
