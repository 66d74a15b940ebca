"""A deterministic generator of 2022-format DECP files (schema 2.0.x) for the demo Département.

The output is imported through the real importer, so the demo exercises the same path as real data,
traps included: a few records published twice, considerations missing (unknown), placeholder amounts.
Same seed, same bytes.

Each purchase family draws its suppliers from a small pool, so suppliers recur across contracts and years;
in the families where the Département reserves contracts (cleaning, green spaces, furniture, meals…), a few
of the pool are inclusive structures (SIAE, EA, ESAT): reserved contracts go to them (suppliers.py gives them
their inclusive-list entry and their SIRENE-like facts).
"""

import math
import random
from datetime import date, timedelta

from stdnum import luhn

from .families import FAMILIES, INCLUSIVE_STRUCTURES, PLACES, SOFTWARES, WORKS, Family

DEMO_BUYER_SIRET = "22930008201453"
DEMO_SEED = 93
DEMO_YEARS = (2024, 2025)  # complete years, drawn from the main stream (their bytes never change)
FIRST_RUNNING_YEAR = 2026  # from this year on, contracts are drawn up to the last complete month before today
CONSULTATIONS_PER_YEAR = {2024: 230, 2025: 245, 2026: 250}
# Year-on-year progress of considerations (the scheme is working): factors applied to each family's
# social and environmental rates.
PROGRESS = {2024: (0.7, 1.0), 2025: (0.82, 1.18), 2026: (0.9, 1.3)}
POOL_SIZE = 10  # suppliers per family
INCLUSIVE_SCALE = 0.5  # median amount of an inclusive structure's contract, relative to its family's
INCLUSIVE_OPEN_WINS = 0.05  # chance an inclusive structure wins an open (not reserved) contract of its family
# Chance an eligible contract gets an advance: it rises in 2025 (an action of the plan, C4a).
ADVANCE_GRANTED = {2024: 0.4, 2025: 0.5, 2026: 0.55}
PUBLICATION_DELAY = {
    2024: 80,
    2025: 70,
    2026: 60,
}  # at most this many days between notification and publication


def random_siret(rng: random.Random) -> str:
    """A valid (Luhn) SIRET of an invented company."""
    siren = str(rng.randint(30_000_000, 99_999_999))
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.randint(1, 9999):04d}"
    base = siren + nic
    return base + luhn.calc_check_digit(base)


def last_notification(year: int) -> date:
    """The last day a contract of a complete year is notified (none in the Christmas weeks)."""
    return date(year, 1, 1) + timedelta(days=355)


class DemoGenerator:
    def __init__(self, seed: int = DEMO_SEED):
        self.seed = seed
        self.rng = random.Random(seed)
        # Each family draws from its own small pool, so suppliers recur across contracts and years; the
        # last ones of a pool are its inclusive structures (INCLUSIVE_STRUCTURES: SIRET → kind).
        self.suppliers = {
            family.cpv: [random_siret(self.rng) for _ in range(POOL_SIZE)] for family in FAMILIES
        }
        self.inclusive: dict[str, str] = {}
        for cpv, kinds in INCLUSIVE_STRUCTURES.items():
            for siret, kind in zip(reversed(self.suppliers[cpv]), kinds, strict=False):
                self.inclusive[siret] = kind
        self.weights = [family.weight for family in FAMILIES]

    def generate(self, years=DEMO_YEARS, today: date | None = None) -> dict:
        """The records of the complete `years`, then, when `today` is given, those of the years from
        FIRST_RUNNING_YEAR to today's: notified up to the end of the last complete month and already published
        by `today` (the Département publishes within two months, so the last weeks are thinner, as in real
        data)."""
        records = self.draw(
            [(year, CONSULTATIONS_PER_YEAR.get(year, 200), last_notification(year)) for year in years]
        )
        if today is not None:
            last_month_end = today.replace(day=1) - timedelta(days=1)
            for year in range(FIRST_RUNNING_YEAR, last_month_end.year + 1):
                # Each running year draws from its own stream: adding one never changes the earlier bytes.
                self.rng = random.Random(f"{self.seed}-{year}")
                last_day = min(last_notification(year), last_month_end)
                share = (last_day - date(year, 1, 1)).days / (last_notification(year) - date(year, 1, 1)).days
                count = round(CONSULTATIONS_PER_YEAR.get(year, 250) * share)
                drawn = self.draw([(year, count, last_day)]) if last_day.month > 1 else []
                records += [r for r in drawn if date.fromisoformat(r["datePublicationDonnees"]) <= today]
        return {"marches": {"marche": records, "contrat-concession": []}}

    def draw(self, years: list[tuple[int, int, date]]) -> list[dict]:
        """The records of (year, consultations, last notification day) — duplicates included, shuffled."""
        records = []
        for year, count, last_day in years:
            for sequence in range(1, count + 1):
                records += self.consultation(year, sequence, last_day)
        # Traps of real data, on purpose: some records published twice by the platform.
        for record in self.rng.sample(records, k=max(1, len(records) // 80)):
            records.append(dict(record))
        self.rng.shuffle(records)
        return records

    def consultation(self, year: int, sequence: int, last_day: date | None = None) -> list[dict]:
        rng = self.rng
        last_day = last_day or last_notification(year)
        family = rng.choices(FAMILIES, weights=self.weights)[0]
        lots = rng.choices((1, 2, 3, 4), weights=(60, 20, 12, 8))[0]
        notified = date(year, 1, 1) + timedelta(days=rng.randint(5, (last_day - date(year, 1, 1)).days))
        framework = rng.random() < family.framework
        text = rng.choice(family.objects).format(
            place=rng.choice(PLACES),
            lot=rng.randint(1, 6),
            road=rng.randint(1, 40),
            software=rng.choice(SOFTWARES),
        )
        return [
            self.contract(family, year, f"{year}C{sequence:04d}L{lot}", text, lot, lots, notified, framework)
            for lot in range(1, lots + 1)
        ]

    def contract(self, family: Family, year, contract_id, text, lot, lots, notified, framework) -> dict:
        rng = self.rng
        social, environmental = self.considerations(family, year)
        reserved = "Marché réservé" in social
        pool = self.suppliers[family.cpv]
        inclusive_pool = [siret for siret in pool if siret in self.inclusive]
        # Reserved contracts go to inclusive structures (L2113-12, -13); they seldom win an open one.
        to_inclusive = bool(inclusive_pool) and (reserved or rng.random() < INCLUSIVE_OPEN_WINS)
        # Their contracts are smaller: inclusive structures bid for what their teams can deliver.
        median = family.median_amount * (INCLUSIVE_SCALE if to_inclusive else 1)
        if reserved and framework and rng.random() < 0.6:
            framework = False  # a reserved lot is mostly a fixed service, not a framework with a maximum
        amount = round(min(max(rng.lognormvariate(math.log(median), 0.8), 40_000), 12_000_000), 2)
        if rng.random() < 0.003:
            amount = 999_999_999  # a placeholder amount, as real platforms publish
        duration = (
            rng.choice((4, 6, 12, 12, 24, 36, 48)) if family.ccag != WORKS else rng.choice((3, 6, 9, 12, 18))
        )
        works_threshold, services_threshold = 5_538_000, 221_000
        threshold = works_threshold if family.ccag == WORKS else services_threshold
        procedure = (
            "Appel d'offres ouvert"
            if amount >= threshold and rng.random() < 0.9
            else rng.choices(
                (
                    "Procédure adaptée",
                    "Procédure avec négociation",
                    "Marché passé sans publicité ni mise en concurrence préalable",
                ),
                weights=(88, 8, 4),
            )[0]
        )
        bids = max(1, min(15, int(rng.gammavariate(2.2, 1.7 if family.ccag == WORKS else 1.3)) + 1))
        eligible_advance = amount > 50_000 and duration > 2
        advance = eligible_advance and rng.random() < ADVANCE_GRANTED.get(year, 0.4)
        if to_inclusive:
            holders = [rng.choice(inclusive_pool)]
        else:
            others = [siret for siret in pool if siret not in self.inclusive]
            holders = rng.sample(others, k=2 if rng.random() < 0.08 else 1)
        record = {
            "id": contract_id,
            "acheteur": {"id": DEMO_BUYER_SIRET},
            "nature": "Marché",
            "objet": text + (f" — lot {lot}" if lots > 1 else ""),
            "codeCPV": family.cpv,
            "techniques": {"technique": ["Accord-cadre"] if framework else ["Sans objet"]},
            "modalitesExecution": {
                "modaliteExecution": ["Bons de commande"] if framework else ["Sans objet"]
            },
            "marcheInnovant": rng.random() < 0.02,
            "ccag": family.ccag,
            "offresRecues": bids,
            "attributionAvance": advance,
            "tauxAvance": round(rng.choice((0.05, 0.1, 0.2, 0.3)), 2) if advance else 0.0,
            "typeGroupementOperateurs": "Conjoint" if len(holders) > 1 else "Pas de groupement",
            "sousTraitanceDeclaree": rng.random() < (0.35 if family.ccag == WORKS else 0.08),
            "procedure": procedure,
            "lieuExecution": {"code": "93", "typeCode": "Code département"},
            "dureeMois": duration,
            "dateNotification": notified.isoformat(),
            # Publication within two months improves in 2025 (an action of the plan, T7a).
            "datePublicationDonnees": (
                notified + timedelta(days=rng.randint(3, PUBLICATION_DELAY.get(year, 80)))
            ).isoformat(),
            "montant": amount,
            "typesPrix": {"typePrix": [rng.choice(("Définitif ferme", "Définitif révisable"))]},
            "formePrix": "Unitaire" if framework else rng.choice(("Forfaitaire", "Mixte")),
            "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": siret}} for siret in holders],
        }
        self.add_considerations(record, social, environmental)
        return record

    def considerations(self, family: Family, year: int) -> tuple[list[str], list[str]]:
        rng = self.rng
        social_factor, environmental_factor = PROGRESS.get(year, (1.0, 1.0))
        social = []
        if rng.random() < min(family.social * social_factor, 0.95):
            kinds = (
                ["Clause sociale"],
                ["Critère social"],
                ["Clause sociale", "Critère social"],
                ["Marché réservé"],
            )
            # Only families with inclusive structures in their pool reserve contracts.
            reserved = 16 if family.cpv in INCLUSIVE_STRUCTURES else 0
            social = rng.choices(kinds, weights=(62, 14, 18, reserved))[0]
        environmental = []
        if rng.random() < min(family.environmental * environmental_factor, 0.97):
            kinds = (
                ["Clause environnementale"],
                ["Critère environnemental"],
                ["Clause environnementale", "Critère environnemental"],
            )
            environmental = rng.choices(kinds, weights=(55, 20, 25))[0]
        return social, environmental

    def add_considerations(self, record: dict, social: list[str], environmental: list[str]) -> None:
        rng = self.rng
        # About 5 % of records lack one field or both: unknown, never "no" (domain.md §5 rule 4).
        if rng.random() > 0.04:
            record["considerationsSociales"] = {
                "considerationSociale": social or ["Pas de considération sociale"]
            }
        if rng.random() > 0.03:
            record["considerationsEnvironnementales"] = {
                "considerationEnvironnementale": environmental or ["Pas de considération environnementale"]
            }
