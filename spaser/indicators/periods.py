"""Periods an indicator is computed over: a year, a semester, a quarter, a month, or the year to date (its
first months up to a given one). A contract belongs to the period of its notification date (domain.md §5
rule 2); every period is a set of months of one year, so figures of a period are sums of monthly counts.

Keys (stored with each value, used in URLs): "A" (the year), "S1"-"S2", "T1"-"T4" (trimestres), "M01"-"M12",
"C01"-"C12" (cumul à fin de mois: year to date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from spaser.schemes.models import Frequency

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
YEAR = "A"
_KEY = re.compile(r"A|S[12]|T[1-4]|M(0[1-9]|1[0-2])|C(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    key: str = YEAR

    def __post_init__(self):
        if not _KEY.fullmatch(self.key):
            raise ValueError(f"Période inconnue : « {self.key} ».")

    @property
    def kind(self) -> str:
        return {"A": "year", "S": "semester", "T": "quarter", "M": "month", "C": "to_date"}[self.key[0]]

    @property
    def first_day(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def day_after(self) -> date:
        """The first day after the period (periods are whole months)."""
        last = self.months[-1]
        return date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)

    @property
    def months(self) -> range:
        """The months (1-12) of the year the period covers."""
        letter, number = self.key[0], int(self.key[1:] or 0)
        if letter == "A":
            return range(1, 13)
        if letter == "S":
            return range(6 * number - 5, 6 * number + 1)
        if letter == "T":
            return range(3 * number - 2, 3 * number + 1)
        if letter == "M":
            return range(number, number + 1)
        return range(1, number + 1)

    @property
    def label(self) -> str:
        letter, number = self.key[0], int(self.key[1:] or 0)
        if letter == "A":
            return str(self.year)
        if letter == "S":
            return f"{'1er' if number == 1 else '2e'} semestre {self.year}"
        if letter == "T":
            return f"{'1er' if number == 1 else f'{number}e'} trimestre {self.year}"
        if letter == "M":
            return f"{MONTHS[number - 1]} {self.year}"
        return f"{self.year}, de janvier à fin {MONTHS[number - 1]}"

    @property
    def phrase(self) -> str:
        """After a participle: « notifiés en 2024 », « au 2e trimestre 2024 », « de janvier à fin mars »."""
        letter = self.key[0]
        if letter in "AM":
            return f"en {self.label}"
        if letter in "ST":
            return f"au {self.label}"
        return f"en {self.year}, de janvier à fin {MONTHS[int(self.key[1:]) - 1]}"

    @property
    def slug(self) -> str:
        """For URLs and exports: "2024", "2024-T2", "2024-M03", "2024-C11"."""
        return str(self.year) if self.key == YEAR else f"{self.year}-{self.key}"

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.key)

    @classmethod
    def parse(cls, slug: str) -> Period:
        """From a slug ("2024", "2024-T2"…); ValueError (French) when it is not one."""
        match = re.fullmatch(r"(\d{4})(?:-(\w+))?", slug or "")
        if not match:
            raise ValueError(f"Période invalide : « {slug} » (attendu : 2024, 2024-S1, 2024-T2, 2024-M03…).")
        return cls(int(match.group(1)), match.group(2) or YEAR)


def periods_of(year: int, frequency: str) -> list[Period]:
    """The year, then the sub-periods an indicator of this frequency is followed on."""
    periods = [Period(year)]
    if frequency == Frequency.SEMIANNUAL:
        periods += [Period(year, f"S{n}") for n in (1, 2)]
    elif frequency == Frequency.QUARTERLY:
        periods += [Period(year, f"T{n}") for n in range(1, 5)]
    elif frequency == Frequency.MONTHLY:
        periods += [Period(year, f"M{n:02d}") for n in range(1, 13)]
    return periods


def year_to_date(year: int, month: int) -> Period:
    """January to the end of `month` of `year` (the whole year when month is 12)."""
    return Period(year) if month == 12 else Period(year, f"C{month:02d}")
