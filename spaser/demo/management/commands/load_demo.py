"""`spaser load_demo`: the Seine-Saint-Denis demo, loaded through the real services. Idempotent."""

from pathlib import Path

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from spaser.contracts.attribution import attribute_contracts
from spaser.contracts.models import AttributionRule
from spaser.contracts.services import import_decp_file
from spaser.contracts.signals import held_changes
from spaser.demo.campaign import YEAR as DEMO_CAMPAIGN_YEAR
from spaser.demo.campaign import load_demo_campaign
from spaser.demo.families import ATTRIBUTION_RULES
from spaser.demo.generator import DemoGenerator
from spaser.demo.governance import load_demo_governance
from spaser.demo.insertion import SOURCE_LABEL, facilitator_export, last_half_year_end
from spaser.demo.projects import load_demo_purchases
from spaser.demo.reports import load_demo_report
from spaser.demo.suppliers import (
    EA_ESAT_LIST_SOURCE,
    LIST_DATE,
    SIAE_LIST_SOURCE,
    enrich_demo_suppliers,
    inclusive_lists,
    supplier_facts,
)
from spaser.demo.users import ensure_demo_users
from spaser.indicators.services import compute_scheme_indicators
from spaser.registers.services import import_insertion
from spaser.schemes.services import load_scheme_file
from spaser.suppliers.services import import_inclusive_list

SCHEME_FILE = Path(__file__).resolve().parents[2] / "data" / "seine-saint-denis-2024-2028.yaml"
LIST_FILES = {  # source → file name, in DATA_DIR/demo
    SIAE_LIST_SOURCE: "siae-conventions-demonstration.csv",
    EA_ESAT_LIST_SOURCE: "ea-esat-demonstration.csv",
}


class Command(BaseCommand):
    help = (
        "Charge la démonstration de la Seine-Saint-Denis : organisation, directions, comptes de "
        "démonstration, schéma 2024-2028, marchés générés au format DECP 2022 (importés par l'import réel), "
        "titulaires (faits de démonstration, listes de structures inclusives), heures d'insertion (export "
        "du facilitateur), indicateurs, comités (COTECH et COPIL, séances tenues et prévues), brouillon du "
        "rapport annuel validé par le COPIL."
    )

    def handle(self, *args, **options):
        loaded = load_scheme_file(SCHEME_FILE)
        scheme, organisation = loaded.scheme, loaded.scheme.organisation
        self.stdout.write(f"Schéma : {scheme} — {loaded.summary()}")
        self.stdout.write(f"Comptes de démonstration : {ensure_demo_users(organisation)}")

        # Each step would recompute the indicators in the background: they are computed once, below.
        with held_changes(announce=False):
            self.load_data(organisation)
            purchases = load_demo_purchases(organisation, Path(settings.DATA_DIR) / "demo")
            self.stdout.write(f"Processus d'achat : {purchases}")
        counts = compute_scheme_indicators(scheme=scheme)
        self.stdout.write(
            f"Indicateurs : {counts['created']} valeurs créées, {counts['updated']} mises à jour, "
            f"{counts['unchanged']} inchangées"
        )
        self.stdout.write(f"Campagne de saisie {DEMO_CAMPAIGN_YEAR} : {load_demo_campaign(scheme)}")
        # The held meetings freeze packs read from the values computed above.
        self.stdout.write(f"Gouvernance : {load_demo_governance(scheme)}")
        self.stdout.write(f"Rapport annuel : {load_demo_report(scheme)}")
        self.stdout.write(self.style.SUCCESS("Démonstration prête."))

    def load_data(self, organisation) -> None:
        """Attribution rules, the generated DECP file, supplier facts and lists, insertion hours."""
        directions = {d.slug: d for d in organisation.directions.all()}
        for prefix, slug in ATTRIBUTION_RULES.items():
            AttributionRule.objects.update_or_create(
                organisation=organisation, cpv_prefix=prefix, defaults={"direction": directions[slug]}
            )

        folder = Path(settings.DATA_DIR) / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        today = timezone.localdate()
        generator = DemoGenerator()
        decp = generator.generate(today=today)
        path = folder / "decp-2022-seine-saint-denis-demo.json"
        path.write_bytes(orjson.dumps(decp, option=orjson.OPT_INDENT_2))
        summary = import_decp_file(path=path)
        self.stdout.write(
            f"Marchés (données générées) : {summary.read} lus, {summary.created} créés, "
            f"{summary.updated} mis à jour, {summary.unchanged} inchangés, {summary.duplicates} doublons, "
            f"{summary.quarantined} en quarantaine"
        )
        # The importer attributes the contracts it creates or changes; this pass also re-applies rules that
        # changed since a previous load to contracts that did not.
        attributed = attribute_contracts(organisation=organisation)
        self.stdout.write(f"Attributions aux directions modifiées : {attributed}")

        enriched = enrich_demo_suppliers(facts=supplier_facts(generator), organisation_ids=[organisation.pk])
        self.stdout.write(
            f"Titulaires complétés (faits de démonstration, source « démonstration ») : {enriched}"
        )
        for source, text in inclusive_lists(generator).items():
            list_path = folder / LIST_FILES[source]
            list_path.write_text(text, encoding="utf-8")
            listed = import_inclusive_list(path=list_path, source=source, list_date=LIST_DATE)
            self.stdout.write(
                f"Liste « {source} » : {listed.imported} structures, {listed.inactive} inactives ignorées, "
                f"{len(listed.refused)} refusées ; {listed.flagged_suppliers} titulaires inclusifs"
            )

        hours_path = folder / "insertion-facilitateur-demonstration.csv"
        hours_path.write_text(
            facilitator_export(decp["marches"]["marche"], data_end=last_half_year_end(today)),
            encoding="utf-8",
        )
        hours = import_insertion(path=hours_path, organisation=organisation, source_label=SOURCE_LABEL)
        self.stdout.write(
            f"Heures d'insertion (export du facilitateur de démonstration) : {hours.read} lignes lues, "
            f"{hours.created} créées, {hours.updated} mises à jour, {hours.unchanged} inchangées, "
            f"{hours.rejected} rejetées"
        )
