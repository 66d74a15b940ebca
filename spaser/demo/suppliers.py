"""What the demo knows of its (invented) suppliers: the facts a SIRENE enrichment would give — name, legal
category, size, social economy, location — and the inclusive-supplier lists (SIAE, EA, ESAT).

DECP give only a SIRET. The facts are written through the suppliers app's own writing rule
(`apply_facts`) with the source « démonstration », never « SIRENE », so no one takes them for real company
data; names end in « (fictif) ». The inclusive lists are written as CSV files in the documented layouts
(docs/suppliers.md) and imported by the real importer (`import_inclusive_list`). Deterministic: the same
generator gives the same facts and the same files.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from django.db import transaction
from django.utils import timezone

from spaser.contracts.signals import notify_contracts_changed
from spaser.suppliers.enrichment import CompanyFacts, apply_facts
from spaser.suppliers.models import SIAE_KINDS, Supplier

from .families import FAMILIES, INTELLECTUAL, IT, SUPPLIES, WORKS
from .generator import DemoGenerator, random_siret

DEMO_SOURCE = "démonstration"
SIAE_LIST_SOURCE = "Liste des SIAE conventionnées (démonstration)"
EA_ESAT_LIST_SOURCE = "Liste des EA et ESAT (démonstration)"
LIST_DATE = date(2025, 1, 15)

# Trade of each family's suppliers, for their invented names.
TRADES = {
    "45214200": "Bâtiment",
    "45261000": "Couverture",
    "45331000": "Génie climatique",
    "90911200": "Propreté",
    "79713000": "Sécurité",
    "09310000": "Énergie",
    "45233140": "Travaux publics",
    "45316110": "Éclairage",
    "71311000": "Ingénierie",
    "55524000": "Restauration",
    "15000000": "Alimentation",
    "39160000": "Mobilier",
    "77310000": "Paysage",
    "77211400": "Élagage",
    "85311000": "Accueil",
    "80500000": "Formation",
    "48000000": "Logiciels",
    "30213100": "Informatique",
    "72000000": "Services numériques",
    "79341000": "Communication",
    "66510000": "Assurances",
    "34144900": "Véhicules",
    "71313000": "Conseil",
}
# Size weights (PME, ETI, GE, unknown) by CCAG, and for the families held by large groups.
SIZES = ("PME", "ETI", "GE", "")
SIZE_WEIGHTS = {
    WORKS: (68, 17, 10, 5),
    SUPPLIES: (55, 20, 18, 7),
    INTELLECTUAL: (75, 12, 5, 8),
    IT: (40, 30, 25, 5),
}
SIZE_WEIGHTS_BY_FAMILY = {
    "09310000": (0, 20, 80, 0),  # electricity
    "66510000": (10, 30, 60, 0),  # insurance
    "34144900": (20, 30, 50, 0),  # vehicles
}
SOCIAL_SECTOR = {"85311000", "80500000"}  # families where associations (ESS) are common
# Establishment communes (INSEE codes of the COG shipped with the suppliers app).
IN_93 = ("93001", "93005", "93006", "93007", "93008", "93010", "93029", "93048", "93055", "93066", "93070",
         "93071", "93072", "93078")  # fmt: skip
REST_OF_ILE_DE_FRANCE = ("75111", "75112", "75119", "92012", "92050", "94028", "94081", "77288", "78646",
                         "91228", "95018", "95127")  # fmt: skip
ELSEWHERE = (
    "69123",
    "59350",
    "44109",
    "13055",
    "33063",
    "67482",
    "31555",
    "45234",
    "51454",
    "76540",
    "35238",
)
# Where a supplier's establishment lies, by size: (93, rest of Île-de-France, elsewhere, unknown).
PLACE_WEIGHTS = {"PME": (40, 35, 20, 5), "ETI": (15, 45, 35, 5), "GE": (10, 45, 45, 0), "": (30, 35, 25, 10)}
INCLUSIVE_LABELS = {"ACI": "Chantier d'insertion", "AI": "Association intermédiaire", "EI": "Insertion",
                    "EA": "Entreprise adaptée", "ESAT": "ESAT"}  # fmt: skip


def supplier_facts(generator: DemoGenerator) -> dict[str, CompanyFacts]:
    """SIRET → the facts of every supplier the generator can draw (same generator, same facts)."""
    rng = random.Random(f"{generator.seed}-suppliers")
    facts: dict[str, CompanyFacts] = {}
    for family in FAMILIES:
        for position, siret in enumerate(generator.suppliers[family.cpv]):
            letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[position]
            kind = generator.inclusive.get(siret)
            if kind:
                facts[siret] = _inclusive_facts(rng, siret, kind, family.cpv, letter)
            else:
                facts[siret] = _company_facts(rng, siret, family, letter)
    return facts


def _company_facts(rng: random.Random, siret: str, family, letter: str) -> CompanyFacts:
    weights = SIZE_WEIGHTS_BY_FAMILY.get(family.cpv, SIZE_WEIGHTS[family.ccag])
    size = rng.choices(SIZES, weights=weights)[0]
    if family.cpv in SOCIAL_SECTOR:
        is_ess = rng.choices((True, False, None), weights=(40, 50, 10))[0]
    elif size == "PME":
        is_ess = rng.choices((True, False, None), weights=(6, 80, 14))[0]
    else:
        is_ess = rng.choices((False, None), weights=(90, 10))[0]
    legal = "9220" if is_ess and family.cpv in SOCIAL_SECTOR else rng.choice(("5710", "5499", "5599"))
    return CompanyFacts(
        siren=siret[:9],
        name=f"{TRADES[family.cpv]} {letter} (fictif)",
        legal_category=legal,
        size_category=size,
        is_ess=is_ess,
        commune_code=_commune(rng, PLACE_WEIGHTS[size]),
    )


def _inclusive_facts(rng: random.Random, siret: str, kind: str, cpv: str, letter: str) -> CompanyFacts:
    """Inclusive structures are small, of the social economy, and mostly from the territory."""
    association = kind in {"ACI", "AI", "ESAT"}
    return CompanyFacts(
        siren=siret[:9],
        name=f"{INCLUSIVE_LABELS[kind]} {TRADES[cpv].lower()} {letter} (fictif)",
        legal_category="9220" if association else "5710",
        size_category="PME",
        is_ess=True,
        commune_code=_commune(rng, (80, 20, 0, 0)),
    )


def _commune(rng: random.Random, weights: tuple[int, int, int, int]) -> str:
    places = rng.choices((IN_93, REST_OF_ILE_DE_FRANCE, ELSEWHERE, ()), weights=weights)[0]
    return rng.choice(places) if places else ""


@transaction.atomic
def enrich_demo_suppliers(*, facts: dict[str, CompanyFacts], organisation_ids: list[int]) -> int:
    """Write the demo facts on the suppliers the DECP import created, by the suppliers app's rule (a known
    value replaces the stored one, an unknown never erases). Returns how many suppliers changed; a second run
    changes none."""
    now = timezone.now()
    changed_count = 0
    for supplier in Supplier.objects.filter(identifier_type="SIRET", identifier__in=list(facts)):
        changed = apply_facts(supplier, facts[supplier.identifier], source=DEMO_SOURCE, when=now)
        if changed:
            supplier.save(update_fields=changed)
            changed_count += 1
    if changed_count:
        notify_contracts_changed(organisation_ids)  # sizes, ESS and places feed S8, C1, C2, C4c
    return changed_count


def inclusive_lists(generator: DemoGenerator) -> dict[str, str]:
    """The two inclusive-supplier lists as CSV texts, {source: text}: the ASP export of SIAE conventions
    (`siret,siren,kind,asp_id,is_active`) and a DREETS-like list of EA and ESAT (`siret;type`). Like real
    lists, they also hold structures that are not the Département's suppliers, and an ended convention."""
    rng = random.Random(f"{generator.seed}-inclusive")
    siae = io.StringIO(newline="")
    writer = csv.writer(siae, lineterminator="\n")
    writer.writerow(["siret", "siren", "kind", "asp_id", "is_active"])
    others = io.StringIO(newline="")
    other_writer = csv.writer(others, delimiter=";", lineterminator="\n")
    other_writer.writerow(["siret", "type"])
    entries = sorted(generator.inclusive.items())
    entries += [(random_siret(rng), rng.choice(("ACI", "EI", "ETTI", "EA", "ESAT"))) for _ in range(12)]
    for number, (siret, kind) in enumerate(entries, start=1):
        if kind in SIAE_KINDS:
            writer.writerow([siret, siret[:9], kind, f"ASP-DEMO-{number:04d}", "True"])
        else:
            other_writer.writerow([siret, "Entreprise adaptée" if kind == "EA" else kind])
    ended = random_siret(rng)  # a convention that ended: skipped by the import, counted as inactive
    writer.writerow([ended, ended[:9], "ACI", "ASP-DEMO-9999", "False"])
    return {SIAE_LIST_SOURCE: siae.getvalue(), EA_ESAT_LIST_SOURCE: others.getvalue()}
