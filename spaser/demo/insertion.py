"""The demo facilitator's export: insertion hours and participants of the contracts with a social clause,
written as the CSV the registers app documents (docs/registers.md, « Insertion hours ») and imported by the
real importer (`spaser.registers.services.import_insertion`).

One line per contract × half-year, and per participant: the half-year's planned and realised hours are
repeated on each participant's line. Planned hours follow the contract's amount (about 7 % of a works
contract's labour, less for services and studies), spread over its duration; realised hours scatter around
them; the last half-year is not fully reported yet (realised hours missing: unknowns). Participants are
pseudonymous references (« P-00042 »), never names; a person may work on several contracts and half-years.
Deterministic: the same DECP records give the same file.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
from datetime import date, timedelta

from .families import FAMILIES, INTELLECTUAL, IT, SUPPLIES, WORKS
from .generator import DEMO_BUYER_SIRET, DEMO_SEED

DATA_END = date(2025, 12, 31)  # by default, the facilitator's export covers the half-years ended by then
SOURCE_LABEL = "Export du facilitateur des clauses sociales (démonstration)"
HEADERS = [
    "Identifiant national",
    "Début de période",
    "Fin de période",
    "Heures prévues",
    "Heures réalisées",
    "Référence participant",
    "Genre",
    "Résident du territoire",
    "Heures du participant",
]
# Insertion hours planned per euro of the contract (≈ 5-7 % of the labour of a works contract at 35 € an
# hour); frameworks count for 60 % of their maximum.
HOURS_PER_EURO = {WORKS: 0.0018, SUPPLIES: 0.0022, INTELLECTUAL: 0.0006, IT: 0.0005}
FRAMEWORK_SHARE = 0.6
MAX_AMOUNT = 12_000_000  # a placeholder amount (999 999 999) is not a basis for hours
# Share of women among the participants, by family (cleaning and meals employ more women than works).
WOMEN_SHARE = {"90911200": 0.6, "55524000": 0.55, "85311000": 0.5, "80500000": 0.5, "77310000": 0.25}
FAMILY_OF = {family.cpv: family for family in FAMILIES}


def last_half_year_end(today: date) -> date:
    """The end of the last half-year ended by `today`: what a facilitator's export can cover."""
    return date(today.year, 6, 30) if today.month > 6 else date(today.year - 1, 12, 31)


def facilitator_export(records: list[dict], seed: int = DEMO_SEED, data_end: date = DATA_END) -> str:
    """The CSV text (`;`, French dates and decimals) for the generated DECP `records`, covering the
    half-years up to `data_end` (the last one not fully reported yet)."""
    rng = random.Random(f"{seed}-insertion")
    people: dict[str, tuple[str, str]] = {}  # reference → (gender, resident), fixed per person
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADERS)
    seen = set()
    for record in sorted(records, key=lambda r: r["id"]):
        if record["id"] in seen or not _has_social_clause(record):
            continue  # duplicates published twice count once; hours follow a clause
        seen.add(record["id"])
        amount = float(record["montant"])
        if amount > MAX_AMOUNT:
            continue
        family = FAMILY_OF[record["codeCPV"]]
        framework = "Accord-cadre" in record["techniques"]["technique"]
        total = amount * HOURS_PER_EURO[family.ccag] * (FRAMEWORK_SHARE if framework else 1)
        start = date.fromisoformat(record["dateNotification"])
        end = _add_months(start, int(record["dureeMois"]))
        uid = DEMO_BUYER_SIRET + record["id"]
        crew: list[str] = []
        for period_start, period_end in _half_years(start, min(end, data_end)):
            share = ((min(end, period_end) - max(start, period_start)).days + 1) / ((end - start).days + 1)
            planned = round(total * share)
            if planned < 10:
                continue
            realised = None
            if period_end < data_end or rng.random() < 0.8:
                realised = round(planned * min(max(rng.gauss(0.95, 0.18), 0.35), 1.5), 1)
            dates = [f"{period_start:%d/%m/%Y}", f"{period_end:%d/%m/%Y}", _number(planned)]
            if realised is None:
                writer.writerow([uid, *dates, "", "", "", "", ""])
                continue
            crew = _crew(rng, people, crew, realised, WOMEN_SHARE.get(family.cpv, 0.15))
            for person, hours in zip(crew, _split(rng, realised, len(crew)), strict=True):
                gender, resident = people[person]
                writer.writerow([uid, *dates, _number(realised), person, gender, resident, _number(hours)])
    return out.getvalue()


def _has_social_clause(record: dict) -> bool:
    return "Clause sociale" in record.get("considerationsSociales", {}).get("considerationSociale", [])


def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1])) - timedelta(days=1)


def _half_years(start: date, end: date):
    """The half-years (1 Jan-30 Jun, 1 Jul-31 Dec) from `start`'s to `end`'s."""
    year, first = start.year, start.month <= 6
    while True:
        period = (date(year, 1, 1), date(year, 6, 30)) if first else (date(year, 7, 1), date(year, 12, 31))
        if period[0] > end:
            return
        yield period
        year, first = (year, False) if first else (year + 1, True)


def _crew(rng: random.Random, people: dict, previous: list[str], hours: float, women: float) -> list[str]:
    """The people of a half-year: about one per 300 hours; most of the previous half-year's people stay, the
    others come from other contracts or are new to the clauses."""
    size = max(1, round(hours / rng.uniform(200, 420)))
    crew = [person for person in previous if rng.random() < 0.6][:size]
    while len(crew) < size:
        if people and rng.random() < 0.25:
            person = rng.choice(sorted(people))  # someone already working on another contract
        else:
            person = f"P-{len(people) + 1:05d}"
            gender = rng.choices(("F", "M", ""), weights=(women * 96, (1 - women) * 96, 4))[0]
            resident = rng.choices(("oui", "non", ""), weights=(68, 27, 5))[0]
            people[person] = (gender, resident)
        if person not in crew:
            crew.append(person)
    return crew


def _split(rng: random.Random, hours: float, parts: int) -> list[float]:
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    total = sum(weights)
    return [round(hours * weight / total, 1) for weight in weights]


def _number(value: float) -> str:
    """French decimal notation, as a facilitator's spreadsheet writes it: 310,5."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
