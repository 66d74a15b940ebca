"""Loi Climat et résilience, art. 35 (CCP L2112-2, L2152-7), for consultations launched from 22 August 2026:
every contract has an environmental execution clause and at least one environmental award criterion;
contracts above the EU thresholds also have a social execution clause. Derogations exist (recorded as a
reason on the project), but a derogation does not make the project conform: E4 counts it as not conforming.

EU thresholds (€ HT) of a collectivité territoriale (« pouvoir adjudicateur » other than central government),
by period of application — Règlements délégués (UE) 2023/2495 (2024-2025) and of 2025 for 2026-2027, published
in France by the « avis relatif aux seuils de procédure et à la liste des autorités publiques centrales ».
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CLIMATE_LAW_START = date(2026, 8, 22)

# (first day of application, supplies and services, works)
EU_THRESHOLDS: tuple[tuple[date, Decimal, Decimal], ...] = (
    (date(2024, 1, 1), Decimal("221000"), Decimal("5538000")),
    (date(2026, 1, 1), Decimal("216000"), Decimal("5404000")),
)


def eu_threshold(nature: str, on: date) -> Decimal:
    """The EU threshold for a purchase of this nature whose consultation launches on `on`."""
    applicable = [row for row in EU_THRESHOLDS if row[0] <= on] or [EU_THRESHOLDS[0]]
    _, services, works = applicable[-1]
    return works if nature == "works" else services


@dataclass(frozen=True)
class Conformity:
    applies: bool  # launched (or to be launched) on or after 22 August 2026
    launch_date: date | None  # actual launch date, else the planned one
    above_eu_threshold: bool
    threshold: Decimal | None
    missing: tuple[str, ...]  # what the law requires and the project does not plan (French labels)
    undecided: tuple[str, ...]  # requirements not decided yet (unknown ≠ no)

    @property
    def conforming(self) -> bool | None:
        """True / False once everything is decided; None while something is undecided, or out of scope."""
        if not self.applies:
            return None
        if self.missing:
            return False
        return None if self.undecided else True


def check(project, *, launch: date | None = None) -> Conformity:
    """The project's conformity; `launch` overrides its launch date (the day it launches, at the move)."""
    launch = launch or project.launched_on or project.planned_launch_date
    if launch is None or launch < CLIMATE_LAW_START:
        return Conformity(False, launch, False, None, (), ())
    threshold = eu_threshold(project.nature, launch)
    above = project.estimated_amount is not None and project.estimated_amount >= threshold
    required = [("env_clause", "clause environnementale"), ("env_criterion", "critère environnemental")]
    if above:
        required.append(("social_clause", "clause sociale (marché au-dessus des seuils européens)"))
    missing = tuple(label for field, label in required if getattr(project, field) is False)
    undecided = tuple(label for field, label in required if getattr(project, field) is None)
    return Conformity(True, launch, above, threshold, missing, undecided)
