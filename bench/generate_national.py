"""A national-scale DECP data set for the observatory benchmark: a 2022-format JSON file (schema 2.0.x) and
its tabular equivalent (the national consolidated layout, one row per contract × supplier, CSV and Parquet).

Deterministic (same seed and count, same bytes) and written streaming: records are drawn one at a time and
written at once, so memory stays small whatever the count (default 1.7 M contracts, like the national data).

What it looks like:
- ~40 000 buyers of every type, with SIRENs of realistic prefixes (Luhn-valid): 101 départements (22…, the
  Seine-Saint-Denis with its real SIRET 22930008201453), 18 régions (23…), communes (21…),
  intercommunalités (24… and 200…), hospitals (26…), State services (1…), other public bodies (18…, 27…, 28…)
  and private-law buyers (3…-9…); a buyer publishes under one to three SIRETs. Sizes are heavy-tailed (Pareto
  within each type; the type's share of the national volume is fixed).
- purchase families of the demo (CPV, CCAG, median amount, framework rate); amounts log-normal, a few
  placeholder amounts (999 999 999); procedures by amount; 1 to 4 lots per consultation, each lot a contract.
- social and environmental considerations by buyer type and buyer (some buyers never fill them: unknown),
  plus ~4 % of records missing one field; advances, bids, innovation, subcontracting.
- traps: ~0.7 % of contracts published twice identically (two platforms), ~0.3 % published again later with
  another amount (the later one is current), both a few thousand records further in the file; ~0.4 % of
  concessions (`contrat-concession`).

`count` is the number of distinct contracts (concessions included); the JSON file holds ~1 % more records
(the duplicates). The tabular files hold each distinct contract once, in its current version (as the
consolidated data set does), with "Sans objet" for "Pas de considération…" and joined lists
(bench/national_tabular.py).

    .venv/bin/python bench/generate_national.py [--count 1700000] [--output DIR] [--seed 2024]
        [--no-tabular] [--exclude-siren SIREN ...]

`--exclude-siren` (`exclude_sirens=`) leaves buyers out of the file: the buyers whose contracts come from
their own file (the demo's Seine-Saint-Denis, 229300082, whose DECP file `load_demo` writes), so that file
and the national one ingested together hold each of their contracts once, from their own source.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import heapq
import math
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from national_tabular import (  # noqa: E402
    NO_ENVIRONMENTAL,
    NO_SOCIAL,
    TABULAR_COLUMNS,
    ParquetSink,
    csv_cell,
    tabular_rows,
)

from spaser.demo.families import FAMILIES, PLACES, WORKS  # noqa: E402

DEFAULT_COUNT = 1_700_000
DEFAULT_SEED = 2024
JSON_NAME, CSV_NAME, PARQUET_NAME = "decp-national.json", "decp-national.csv", "decp-national.parquet"
DEMO_SIREN, DEMO_SIRET = "229300082", "22930008201453"

# type: (number of buyers, share of the national contracts, social rate, environmental rate)
BUYER_TYPES = {
    "departement": (101, 0.08, 0.24, 0.36),
    "region": (18, 0.035, 0.26, 0.42),
    "commune": (27_000, 0.28, 0.07, 0.20),
    "intercommunalite": (3_000, 0.12, 0.12, 0.28),
    "hopital": (1_100, 0.12, 0.08, 0.22),
    "etat": (1_500, 0.15, 0.14, 0.30),
    "autre_public": (5_000, 0.15, 0.10, 0.24),
    "autre": (2_281, 0.065, 0.06, 0.15),
}
NAMES = {
    "departement": "DEPARTEMENT {n}",
    "region": "REGION {n}",
    "commune": "COMMUNE {n}",
    "intercommunalite": "COMMUNAUTE D'AGGLOMERATION {n}",
    "hopital": "CENTRE HOSPITALIER {n}",
    "etat": "DIRECTION DEPARTEMENTALE {n}",
    "autre_public": "OFFICE PUBLIC DE L'HABITAT {n}",
    "autre": "SOCIETE D'ECONOMIE MIXTE {n}",
}
DEPARTEMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974"]
YEARS = (2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026)
YEAR_WEIGHTS = (9, 9, 10, 11, 12, 14, 14, 12)
# The file is the national data as published on 2026-11-29: the running year stops there (day 332 of 2026),
# so that a buyer's running year has peers in the observatory, as in the real consolidated files.
LAST_DAY = {2026: 332}
SUPPLIERS = 120_000
DUPLICATE_RATE, REPUBLISHED_RATE, CONCESSION_RATE = 0.007, 0.003, 0.004
DUPLICATE_DELAY = (500, 5_000)  # records between a contract and its second publication
NEVER_FILLS = 0.15  # share of buyers whose platform never fills the considerations (unknown)
PROCEDURES_SMALL = (
    ("Procédure adaptée", 86),
    ("Procédure avec négociation", 6),
    ("Marché passé sans publicité ni mise en concurrence préalable", 6),
    ("Dialogue compétitif", 2),
)
PROCEDURES_LARGE = (
    ("Appel d'offres ouvert", 82),
    ("Appel d'offres restreint", 8),
    ("Procédure avec négociation", 7),
    ("Dialogue compétitif", 3),
)
CONCESSION_NATURES = ("Concession de service", "Concession de travaux", "Délégation de service public")


def luhn_complete(digits: str) -> str:
    """`digits` followed by its Luhn check digit (SIREN and SIRET are Luhn numbers)."""
    total = sum(_DOUBLED[int(char)] for char in digits[-1::-2])
    total += sum(map(int, digits[-2::-2]))
    return digits + str((10 - total % 10) % 10)


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its digits added


@dataclass
class Buyer:
    siren: str
    sirets: tuple[str, ...]
    type: str
    name: str
    departement: str
    social: float  # chance of at least one social consideration
    environmental: float
    missing: float  # chance a record lacks its considerations fields


def national_buyers(rng: random.Random) -> tuple[list[Buyer], list[float]]:
    """Every buyer and its weight (its expected share of the contracts)."""
    buyers: list[Buyer] = []
    weights: list[float] = []
    seen: set[str] = set()
    for buyer_type, (count, share, social, environmental) in BUYER_TYPES.items():
        sizes = [min(rng.paretovariate(1.3), 400.0) for _ in range(count)]
        scale = share / sum(sizes)
        for number in range(count):
            departement = DEPARTEMENTS[number % len(DEPARTEMENTS)] if buyer_type == "departement" else ""
            if buyer_type == "departement" and departement == "93":
                siren = DEMO_SIREN
            else:
                while True:
                    siren = luhn_complete(_siren_prefix(rng, buyer_type, departement))
                    if siren not in seen and siren != DEMO_SIREN:
                        break
            seen.add(siren)
            nics = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
            sirets = tuple(luhn_complete(f"{siren}{rng.randint(10, 9999):04d}") for _ in range(nics))
            if siren == DEMO_SIREN:
                sirets = (DEMO_SIRET, *sirets[1:])
            if not departement:
                departement = rng.choice(DEPARTEMENTS)
            never = rng.random() < NEVER_FILLS
            propensity = rng.lognormvariate(0, 0.6)
            buyers.append(
                Buyer(
                    siren=siren,
                    sirets=sirets,
                    type=buyer_type,
                    name=NAMES[buyer_type].format(
                        n=departement if buyer_type == "departement" else number + 1
                    ),
                    departement=departement,
                    social=min(social * propensity, 0.9),
                    environmental=min(environmental * propensity, 0.95),
                    missing=1.0 if never else rng.choice((0.0, 0.02, 0.04, 0.08)),
                )
            )
            weights.append(sizes[number] * scale)
    return buyers, weights


def _siren_prefix(rng: random.Random, buyer_type: str, departement: str) -> str:
    """The first 8 digits of a SIREN of this type (legal category 72xx for local authorities, etc.)."""
    if buyer_type == "departement":
        code = departement.replace("2A", "20").replace("2B", "20")[:2]
        return f"22{code}{rng.randint(0, 9999):04d}"
    if buyer_type == "region":
        return f"23{rng.randint(0, 999999):06d}"
    if buyer_type == "commune":
        return f"21{rng.randint(0, 999999):06d}"
    if buyer_type == "intercommunalite":
        return f"24{rng.randint(0, 999999):06d}" if rng.random() < 0.6 else f"200{rng.randint(0, 99999):05d}"
    if buyer_type == "hopital":
        return f"26{rng.randint(0, 999999):06d}"
    if buyer_type == "etat":
        return f"1{rng.choice('1234'):s}{rng.randint(0, 999999):06d}"
    if buyer_type == "autre_public":
        return rng.choice(("18", "19", "27", "28")) + f"{rng.randint(0, 999999):06d}"
    return f"{rng.randint(3, 9)}{rng.randint(0, 9999999):07d}"


class NationalGenerator:
    """Draws the records; `records(count)` yields (record, buyer, current) in file order, where `current` says
    whether the record is the contract's current version (what the tabular files hold)."""

    def __init__(self, seed: int = DEFAULT_SEED, *, exclude_sirens: Iterable[str] = ()):
        self.seed = seed
        rng = random.Random(f"{seed}-buyers")
        self.buyers, weights = national_buyers(rng)
        # Buyers whose contracts come from their own file (the demo's): never drawn (weight 0), so the file
        # holds none of their contracts (deterministic still: same seed and exclusions, same bytes).
        self.excluded = frozenset(exclude_sirens)
        weights = [
            0.0 if buyer.siren in self.excluded else w for buyer, w in zip(self.buyers, weights, strict=True)
        ]
        self.buyer_cumulative = list(accumulate(weights))
        self._suppliers: dict[int, str] = {}
        self.family_cumulative = list(accumulate(family.weight for family in FAMILIES))
        self.year_cumulative = list(accumulate(YEAR_WEIGHTS))

    def supplier(self, rng: random.Random) -> str:
        """One of SUPPLIERS companies (its SIRET made once, when first drawn: cheap for small runs)."""
        number = rng.randrange(SUPPLIERS)
        siret = self._suppliers.get(number)
        if siret is None:
            siren = luhn_complete(str(30_000_000 + number * 577 % 69_999_989))
            siret = self._suppliers[number] = luhn_complete(f"{siren}{10 + number % 9_989:04d}")
        return siret

    def buyer(self, rng: random.Random) -> Buyer:
        index = bisect.bisect(self.buyer_cumulative, rng.random() * self.buyer_cumulative[-1])
        return self.buyers[min(index, len(self.buyers) - 1)]

    def records(self, count: int):
        concessions = round(count * CONCESSION_RATE)
        rng = random.Random(f"{self.seed}-marches")
        pending: list[tuple[int, int, dict, Buyer, bool]] = []  # (due, order, record, buyer, current)
        written = sequence = 0
        while written < count - concessions:
            sequence += 1
            for record, buyer in self.consultation(rng, sequence, count - concessions - written):
                written += 1
                draw = rng.random()
                if draw < DUPLICATE_RATE + REPUBLISHED_RATE:
                    due = written + rng.randint(*DUPLICATE_DELAY)
                    again = dict(record)
                    if draw >= DUPLICATE_RATE:  # published again later, another amount: the current one
                        published = date.fromisoformat(record["datePublicationDonnees"])
                        again["datePublicationDonnees"] = (
                            published + timedelta(days=rng.randint(5, 90))
                        ).isoformat()
                        again["montant"] = round(record["montant"] * rng.choice((1.05, 1.1, 1.2)), 2)
                        yield record, buyer, False
                        heapq.heappush(pending, (due, sequence * 10 + len(pending), again, buyer, True))
                    else:  # the same record from a second platform
                        yield record, buyer, True
                        heapq.heappush(pending, (due, sequence * 10 + len(pending), again, buyer, False))
                else:
                    yield record, buyer, True
                while pending and pending[0][0] <= written:
                    _, _, again, again_buyer, current = heapq.heappop(pending)
                    yield again, again_buyer, current
        while pending:
            _, _, again, again_buyer, current = heapq.heappop(pending)
            yield again, again_buyer, current
        rng = random.Random(f"{self.seed}-concessions")
        for number in range(1, concessions + 1):
            buyer = self.buyer(rng)
            yield self.concession(rng, buyer, number), buyer, True

    def consultation(self, rng: random.Random, sequence: int, left: int):
        buyer = self.buyer(rng)
        family = FAMILIES[bisect.bisect(self.family_cumulative, rng.random() * self.family_cumulative[-1])]
        year = YEARS[bisect.bisect(self.year_cumulative, rng.random() * self.year_cumulative[-1])]
        lots = min(left, rng.choices((1, 2, 3, 4, 6), weights=(64, 16, 10, 7, 3))[0])
        notified = date(year, 1, 1) + timedelta(days=rng.randint(0, LAST_DAY.get(year, 364)))
        framework = rng.random() < family.framework
        siret = buyer.sirets[0] if len(buyer.sirets) == 1 else rng.choice(buyer.sirets)
        objet = rng.choice(family.objects).format(
            place=rng.choice(PLACES), lot=rng.randint(1, 6), road=rng.randint(1, 400), software="métier"
        )
        for lot in range(1, lots + 1):
            contract_id = f"{year}{sequence:07d}" + (f"L{lot}" if lots > 1 else "")
            yield (
                self.contract(rng, buyer, siret, family, contract_id, objet, lot, lots, notified, framework),
                buyer,
            )

    def contract(
        self, rng, buyer: Buyer, siret, family, contract_id, objet, lot, lots, notified, framework
    ) -> dict:
        amount = round(
            min(max(rng.lognormvariate(math.log(family.median_amount * 0.45), 1.1), 40_000), 80_000_000), 2
        )
        if rng.random() < 0.002:
            amount = 999_999_999
        works = family.ccag == WORKS
        threshold = 5_538_000 if works else 221_000
        procedures = PROCEDURES_LARGE if amount >= threshold else PROCEDURES_SMALL
        procedure = rng.choices([name for name, _ in procedures], weights=[w for _, w in procedures])[0]
        duration = rng.choice((3, 6, 9, 12, 18)) if works else rng.choice((4, 6, 12, 12, 24, 36, 48))
        bids = max(1, min(20, int(rng.gammavariate(2.0, 1.6 if works else 1.2)) + 1))
        advance = amount > 50_000 and duration > 2 and rng.random() < 0.35
        holders = [self.supplier(rng) for _ in range(2 if rng.random() < 0.07 else 1)]
        record = {
            "id": contract_id,
            "acheteur": {"id": siret},
            "nature": "Marché",
            "objet": objet + (f" — lot {lot}" if lots > 1 else ""),
            "codeCPV": family.cpv,
            "techniques": {"technique": ["Accord-cadre"] if framework else ["Sans objet"]},
            "modalitesExecution": {
                "modaliteExecution": ["Bons de commande"] if framework else ["Sans objet"]
            },
            "marcheInnovant": rng.random() < 0.015,
            "ccag": family.ccag,
            "offresRecues": bids,
            "attributionAvance": advance,
            "tauxAvance": rng.choice((0.05, 0.1, 0.2, 0.3)) if advance else 0.0,
            "typeGroupementOperateurs": "Conjoint" if len(holders) > 1 else "Pas de groupement",
            "sousTraitanceDeclaree": rng.random() < (0.3 if works else 0.06),
            "procedure": procedure,
            "lieuExecution": {"code": buyer.departement, "typeCode": "Code département"},
            "dureeMois": duration,
            "dateNotification": notified.isoformat(),
            "datePublicationDonnees": (notified + timedelta(days=rng.randint(1, 120))).isoformat(),
            "montant": amount,
            "typesPrix": {"typePrix": [rng.choice(("Définitif ferme", "Définitif révisable"))]},
            "formePrix": "Unitaire" if framework else rng.choice(("Forfaitaire", "Mixte")),
            "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": holder}} for holder in holders],
        }
        if rng.random() < 0.03:
            del record["offresRecues"]  # not filled in: unknown
        self.add_considerations(rng, record, buyer, family)
        return record

    def concession(self, rng: random.Random, buyer: Buyer, number: int) -> dict:
        year = YEARS[bisect.bisect(self.year_cumulative, rng.random() * self.year_cumulative[-1])]
        signed = date(year, 1, 1) + timedelta(days=rng.randint(0, LAST_DAY.get(year, 364)))
        record = {
            "id": f"{year}DSP{number:05d}",
            "autoriteConcedante": {"id": buyer.sirets[0]},
            "nature": rng.choice(CONCESSION_NATURES),
            "objet": rng.choice(
                ("Exploitation du réseau de chaleur", "Gestion de la piscine", "Restauration")
            ),
            "procedure": rng.choice(("Procédure négociée ouverte", "Procédure non négociée ouverte")),
            "dureeMois": rng.choice((36, 60, 84, 120, 240)),
            "dateSignature": signed.isoformat(),
            "datePublicationDonnees": (signed + timedelta(days=rng.randint(1, 90))).isoformat(),
            "dateDebutExecution": (signed + timedelta(days=rng.randint(10, 120))).isoformat(),
            "valeurGlobale": round(rng.lognormvariate(math.log(3_000_000), 1.2), 2),
            "montantSubventionPublique": 0,
            "concessionnaires": [{"concessionnaire": {"typeIdentifiant": "SIRET", "id": self.supplier(rng)}}],
        }
        self.add_considerations(rng, record, buyer, None)
        return record

    def add_considerations(self, rng: random.Random, record: dict, buyer: Buyer, family) -> None:
        social_rate = buyer.social * ((family.social / 0.35) if family else 1.0)
        environmental_rate = buyer.environmental * ((family.environmental / 0.5) if family else 1.0)
        if rng.random() >= buyer.missing and rng.random() > 0.02:
            social = [NO_SOCIAL]
            if rng.random() < social_rate:
                social = rng.choices(
                    (
                        ["Clause sociale"],
                        ["Critère social"],
                        ["Clause sociale", "Critère social"],
                        ["Marché réservé"],
                    ),
                    weights=(60, 16, 18, 6),
                )[0]
            record["considerationsSociales"] = {"considerationSociale": social}
        if rng.random() >= buyer.missing and rng.random() > 0.02:
            environmental = [NO_ENVIRONMENTAL]
            if rng.random() < environmental_rate:
                environmental = rng.choices(
                    (
                        ["Clause environnementale"],
                        ["Critère environnemental"],
                        ["Clause environnementale", "Critère environnemental"],
                    ),
                    weights=(55, 20, 25),
                )[0]
            record["considerationsEnvironnementales"] = {"considerationEnvironnementale": environmental}


def write_national(
    output: Path,
    count: int = DEFAULT_COUNT,
    *,
    seed: int = DEFAULT_SEED,
    tabular: bool = True,
    exclude_sirens: Iterable[str] = (),
) -> dict:
    """Write the JSON file (and, with `tabular`, its CSV and Parquet equivalents) into `output`; returns what
    was written (paths, sizes in bytes, records, contracts, rows). `exclude_sirens`: buyers left out of the
    file (their contracts come from their own file, e.g. the demo's: DEMO_SIREN)."""
    output.mkdir(parents=True, exist_ok=True)
    generator = NationalGenerator(seed, exclude_sirens=exclude_sirens)
    json_path, csv_path, parquet_path = output / JSON_NAME, output / CSV_NAME, output / PARQUET_NAME
    records = rows = contracts = concessions = 0
    csv_file = csv_path.open("w", encoding="utf-8", newline="") if tabular else None
    csv_writer = csv.writer(csv_file, lineterminator="\n") if csv_file else None
    parquet = ParquetSink(parquet_path) if tabular else None
    if csv_writer:
        csv_writer.writerow(TABULAR_COLUMNS)
    try:
        with json_path.open("wb") as out:
            out.write(b'{"marches": {"marche": [\n')
            in_concessions = False
            for record, buyer, current in generator.records(count):
                if "autoriteConcedante" in record and not in_concessions:
                    out.write(b'\n], "contrat-concession": [\n')
                    in_concessions = True
                elif records:
                    out.write(b",\n")
                if in_concessions:
                    concessions += 1
                out.write(orjson.dumps(record))
                records += 1
                if current:
                    contracts += 1
                    if csv_writer and parquet:
                        for row in tabular_rows(record, buyer):
                            csv_writer.writerow([csv_cell(row.get(column)) for column in TABULAR_COLUMNS])
                            parquet.add(row)
                            rows += 1
            out.write(b"\n]}}\n" if in_concessions else b'\n], "contrat-concession": []}}\n')
    finally:
        if csv_file:
            csv_file.close()
        if parquet:
            parquet.close()
    written = {
        "json": str(json_path),
        "json_bytes": json_path.stat().st_size,
        "records": records,
        "contracts": contracts,
        "concessions": concessions,
        "buyers": len({buyer.siren for buyer in generator.buyers} - generator.excluded),
    }
    if tabular:
        written |= {
            "csv": str(csv_path),
            "csv_bytes": csv_path.stat().st_size,
            "parquet": str(parquet_path),
            "parquet_bytes": parquet_path.stat().st_size,
            "rows": rows,
        }
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=DEFAULT_COUNT, help="contrats distincts (1,7 M par défaut)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "bench-national")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-tabular", action="store_true", help="le fichier JSON seulement")
    parser.add_argument(
        "--exclude-siren",
        dest="exclude_sirens",
        nargs="+",
        default=[],
        metavar="SIREN",
        help=f"acheteurs laissés hors du fichier (leurs marchés viennent de leur propre fichier, "
        f"p. ex. la démonstration : {DEMO_SIREN})",
    )
    args = parser.parse_args()
    for siren in args.exclude_sirens:
        if not (len(siren) == 9 and siren.isdigit()):
            parser.error(f"--exclude-siren : « {siren} » n'est pas un SIREN (9 chiffres).")
    start = time.perf_counter()
    written = write_national(
        args.output,
        args.count,
        seed=args.seed,
        tabular=not args.no_tabular,
        exclude_sirens=args.exclude_sirens,
    )
    seconds = time.perf_counter() - start
    print(
        f"{written['json']} : {written['records']} enregistrements "
        f"({written['contracts']} contrats distincts, "
        f"{written['concessions']} concessions), {written['json_bytes'] / 1e6:.1f} Mo"
    )
    if "rows" in written:
        print(
            f"{written['csv']} : {written['rows']} lignes, {written['csv_bytes'] / 1e6:.1f} Mo ; "
            f"{written['parquet']} : {written['parquet_bytes'] / 1e6:.1f} Mo"
        )
    print(f"en {seconds:.1f} s")


if __name__ == "__main__":
    main()
