"""A deterministic generator of 2022-format DECP files (schema 2.0.x) for the demo Département.

The output is imported through the real importer, so the demo exercises the same path as real data,
traps included: a few records published twice, considerations missing (unknown), placeholder amounts.
Same seed, same bytes.
"""

import math
import random
from datetime import date, timedelta

from stdnum import luhn

from .families import FAMILIES, PLACES, SOFTWARES, WORKS, Family

DEMO_BUYER_SIRET = "22930008201453"
DEMO_SEED = 93
DEMO_YEARS = (2024, 2025)
CONSULTATIONS_PER_YEAR = {2024: 230, 2025: 245}
# Year-on-year progress of considerations (the scheme is working): factors applied to each family's
# social and environmental rates.
PROGRESS = {2024: (0.7, 1.0), 2025: (0.82, 1.18)}


def _siret(rng: random.Random) -> str:
    siren = str(rng.randint(30_000_000, 99_999_999))
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.randint(1, 9999):04d}"
    base = siren + nic
    return base + luhn.calc_check_digit(base)


class DemoGenerator:
    def __init__(self, seed: int = DEMO_SEED):
        self.rng = random.Random(seed)
        # Each family draws from its own small pool, so suppliers recur across contracts and years.
        self.suppliers = {family.cpv: [_siret(self.rng) for _ in range(10)] for family in FAMILIES}
        self.weights = [family.weight for family in FAMILIES]

    def generate(self, years=DEMO_YEARS) -> dict:
        records = []
        for year in years:
            for sequence in range(1, CONSULTATIONS_PER_YEAR.get(year, 200) + 1):
                records += self.consultation(year, sequence)
        # Traps of real data, on purpose: some records published twice by the platform.
        for record in self.rng.sample(records, k=max(1, len(records) // 80)):
            records.append(dict(record))
        self.rng.shuffle(records)
        return {"marches": {"marche": records, "contrat-concession": []}}

    def consultation(self, year: int, sequence: int) -> list[dict]:
        rng = self.rng
        family = rng.choices(FAMILIES, weights=self.weights)[0]
        lots = rng.choices((1, 2, 3, 4), weights=(60, 20, 12, 8))[0]
        notified = date(year, 1, 1) + timedelta(days=rng.randint(5, 355))
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
        amount = round(
            min(max(rng.lognormvariate(math.log(family.median_amount), 0.8), 40_000), 12_000_000), 2
        )
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
        advance = eligible_advance and rng.random() < 0.4
        holders = rng.sample(self.suppliers[family.cpv], k=2 if rng.random() < 0.08 else 1)
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
            "datePublicationDonnees": (notified + timedelta(days=rng.randint(3, 80))).isoformat(),
            "montant": amount,
            "typesPrix": {"typePrix": [rng.choice(("Définitif ferme", "Définitif révisable"))]},
            "formePrix": "Unitaire" if framework else rng.choice(("Forfaitaire", "Mixte")),
            "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": siret}} for siret in holders],
        }
        self.add_considerations(record, family, year)
        return record

    def add_considerations(self, record: dict, family: Family, year: int) -> None:
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
            social = rng.choices(kinds, weights=(62, 14, 18, 6))[0]
        environmental = []
        if rng.random() < min(family.environmental * environmental_factor, 0.97):
            kinds = (
                ["Clause environnementale"],
                ["Critère environnemental"],
                ["Clause environnementale", "Critère environnemental"],
            )
            environmental = rng.choices(kinds, weights=(55, 20, 25))[0]
        # About 5 % of records lack one field or both: unknown, never "no" (domain.md §5 rule 4).
        if rng.random() > 0.04:
            record["considerationsSociales"] = {
                "considerationSociale": social or ["Pas de considération sociale"]
            }
        if rng.random() > 0.03:
            record["considerationsEnvironnementales"] = {
                "considerationEnvironnementale": environmental or ["Pas de considération environnementale"]
            }
