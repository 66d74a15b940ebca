"""`spaser load_demo`: the Seine-Saint-Denis demo, loaded through the real services. Idempotent."""

from pathlib import Path

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand

from spaser.contracts.attribution import attribute_contracts
from spaser.contracts.models import AttributionRule
from spaser.contracts.services import import_decp_file
from spaser.demo.families import ATTRIBUTION_RULES
from spaser.demo.generator import DemoGenerator
from spaser.demo.users import ensure_demo_users
from spaser.indicators.services import compute_scheme_indicators
from spaser.schemes.services import load_scheme_file

SCHEME_FILE = Path(__file__).resolve().parents[2] / "data" / "seine-saint-denis-2024-2028.yaml"


class Command(BaseCommand):
    help = (
        "Charge la démonstration de la Seine-Saint-Denis : organisation, directions, comptes de "
        "démonstration, schéma 2024-2028, marchés générés au format DECP 2022 (importés par l'import réel), "
        "indicateurs."
    )

    def handle(self, *args, **options):
        loaded = load_scheme_file(SCHEME_FILE)
        scheme, organisation = loaded.scheme, loaded.scheme.organisation
        self.stdout.write(f"Schéma : {scheme} — {loaded.summary()}")
        self.stdout.write(f"Comptes de démonstration : {ensure_demo_users(organisation)}")

        directions = {d.slug: d for d in organisation.directions.all()}
        for prefix, slug in ATTRIBUTION_RULES.items():
            AttributionRule.objects.update_or_create(
                organisation=organisation, cpv_prefix=prefix, defaults={"direction": directions[slug]}
            )

        path = Path(settings.DATA_DIR) / "demo" / "decp-2022-seine-saint-denis-demo.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(DemoGenerator().generate(), option=orjson.OPT_INDENT_2))
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
        counts = compute_scheme_indicators(scheme=scheme)
        self.stdout.write(
            f"Indicateurs : {counts['created']} valeurs créées, {counts['updated']} mises à jour, "
            f"{counts['unchanged']} inchangées"
        )
        self.stdout.write(self.style.SUCCESS("Démonstration prête."))
