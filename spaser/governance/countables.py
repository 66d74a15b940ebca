"""Indicator T5b « comités tenus », counted from the committee meetings (registered in COUNTABLES by apps.py
as `meetings`; method `objects`, docs/indicators.md).

A meeting belongs to the period of its date. The measures:
- `held` (T5b): COTECH and COPIL meetings held in the period;
- `cotech_held`, `copil_held`: the same for one kind of committee;
- `held_share`: held / expected, in %.
The denominator is the number of meetings **expected** in the period from each committee's periodicity
(`frequency_months`): the period's months / periodicity, summed over the committees counted — 12 COTECH and
2 COPIL over a year, 11 and 1.83 to the end of November (pro rata, 2 decimals). Details: held, expected,
planned and cancelled per kind.

Nothing to count is « pas de données », never 0: no committee of that kind, or no meeting recorded in the
period (planned, held or cancelled — before the committees are followed in Spaser). Committees belong to the
organisation: a direction has no value of its own (its scope is « pas de données », said in the details).
"""

from __future__ import annotations

from decimal import Decimal

from spaser.indicators.objects import Countable, run_memo
from spaser.indicators.periods import Period
from spaser.indicators.results import Result, percent

from .models import Committee, CommitteeKind, Meeting, MeetingStatus

VERSION = "meetings/1"
PLACES = Decimal("0.01")
KINDS = {
    "held": (CommitteeKind.COTECH, CommitteeKind.COPIL),
    "cotech_held": (CommitteeKind.COTECH,),
    "copil_held": (CommitteeKind.COPIL,),
    "held_share": (CommitteeKind.COTECH, CommitteeKind.COPIL),
}
DETAIL_KEYS = {CommitteeKind.COTECH: "cotech", CommitteeKind.COPIL: "copil"}


def _organisation_meetings(organisation_id: int) -> tuple[dict[str, int], list[tuple[str, object, str]]]:
    """(periodicity in months by kind, [(kind, date, status)] of every meeting): once per computation run."""

    def build():
        frequencies = dict(
            Committee.objects.filter(organisation_id=organisation_id).values_list("kind", "frequency_months")
        )
        meetings = list(
            Meeting.objects.filter(committee__organisation_id=organisation_id).values_list(
                "committee__kind", "date", "status"
            )
        )
        return frequencies, meetings

    return run_memo(("governance_meetings", organisation_id), build)


def compute_meetings(scheme, direction, period: Period, measure: str) -> Result:
    if measure not in KINDS:
        raise ValueError(f"Mesure inconnue : « {measure} ».")
    if direction is not None:
        details = {"raison": "les comités sont ceux de l'organisation : pas de valeur par direction"}
        return Result(None, Decimal(0), Decimal(0), 0, VERSION, details)
    frequencies, meetings = _organisation_meetings(scheme.organisation_id)
    months = len(period.months)
    kinds = [kind for kind in KINDS[measure] if kind in frequencies]
    held = expected = Decimal(0)
    recorded = 0
    details: dict = {}
    for kind in kinds:
        mine = [
            status
            for meeting_kind, day, status in meetings
            if meeting_kind == kind and day.year == period.year and day.month in period.months
        ]
        kind_expected = (Decimal(months) / Decimal(max(frequencies[kind], 1))).quantize(PLACES)
        kind_held = sum(1 for status in mine if status == MeetingStatus.HELD)
        prefix = DETAIL_KEYS[kind]
        details[f"{prefix}_tenus"] = kind_held
        details[f"{prefix}_attendus"] = str(kind_expected)
        details[f"{prefix}_prevus"] = sum(1 for status in mine if status == MeetingStatus.PLANNED)
        details[f"{prefix}_annules"] = sum(1 for status in mine if status == MeetingStatus.CANCELLED)
        held += kind_held
        expected += kind_expected
        recorded += len(mine)
    details["seances_enregistrees"] = recorded
    if not recorded:
        details["raison"] = (
            "aucun comité de ce type" if not kinds else "aucune séance enregistrée dans la période"
        )
        return Result(None, held, expected, 0, VERSION, details)
    value = percent(held, expected) if measure == "held_share" else held
    return Result(value, held, expected, 0, VERSION, details)


MEETINGS = Countable(
    label="séances des comités de pilotage et techniques",
    measures={
        "held": "nombre de comités tenus (COTECH et COPIL)",
        "cotech_held": "nombre de COTECH tenus",
        "copil_held": "nombre de COPIL tenus",
        "held_share": "part des comités tenus parmi ceux attendus selon leur périodicité",
    },
    units={"held": "count", "cotech_held": "count", "copil_held": "count", "held_share": "percent"},
    compute=compute_meetings,
    perimeter="séances des comités de l'organisation datées dans la période ; attendues : mois de la "
    "période / périodicité de chaque comité (docs/indicators.md)",
    version=VERSION,
)
