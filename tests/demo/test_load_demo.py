"""The demo end to end: loaded through the real services, idempotent, and the CLI and the dashboard agree."""

import json
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from spaser.contracts.models import Contract, ContractOrigin
from spaser.demo.generator import DemoGenerator
from spaser.demo.users import DEMO_PASSWORD
from spaser.indicators.models import IndicatorValue
from spaser.organisations.models import Organisation
from spaser.registers.models import InsertionHours, InsertionParticipant
from spaser.schemes.models import Scheme
from spaser.suppliers.models import Supplier


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def demo(demo_output):
    return demo_output  # what the first `load_demo` printed (conftest.py: loaded once for the package)


def test_generator_is_deterministic():
    assert DemoGenerator().generate() == DemoGenerator().generate()


def test_running_years_add_contracts_without_changing_the_complete_years():
    complete = DemoGenerator().generate()["marches"]["marche"]
    records = DemoGenerator().generate(today=date(2026, 11, 29))["marches"]["marche"]
    assert records[: len(complete)] == complete
    running = records[len(complete) :]
    notified = {r["dateNotification"] for r in running}
    assert min(notified) >= "2026-01-01"
    assert max(notified) <= "2026-10-31"
    assert all(r["datePublicationDonnees"] <= "2026-11-29" for r in running)
    assert (
        len(running) > 250
    )  # ten months of a year of about 250 consultations (lots and duplicates included)
    assert DemoGenerator().generate(today=date(2026, 1, 15)) == {
        "marches": {"marche": complete, "contrat-concession": []}
    }


def test_demo_loads_everything_through_the_real_importer(demo):
    organisation = Organisation.objects.get(siren="229300082")
    assert organisation.is_demo
    scheme = Scheme.objects.get(organisation=organisation)
    assert scheme.axes.count() >= 3
    contracts = Contract.objects.for_organisation(organisation)
    decp = contracts.filter(origin=ContractOrigin.DECP)
    # two complete years, then the running years up to the last complete month
    years = set(range(2024, (timezone.localdate().replace(day=1) - timedelta(days=1)).year + 1))
    assert set(decp.values_list("notification_year", flat=True)) == years
    last_month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    assert not decp.filter(notification_date__gt=last_month_end).exists()
    # and two small contracts of the internal register (under the DECP threshold), dated from today
    assert contracts.filter(origin=ContractOrigin.REGISTER).count() == 2
    assert contracts.filter(direction__isnull=True).count() == 0  # every demo contract is attributed
    assert contracts.filter(has_social__isnull=True).exists()  # some unknowns, as in real data
    assert re.search(r"[1-9]\d* doublons", demo)  # duplicates collapsed by the importer
    assert get_user_model().objects.get(username="pilote").check_password(DEMO_PASSWORD)


def test_loading_the_demo_twice_changes_nothing(demo, settings):
    contracts, values = Contract.objects.count(), IndicatorValue.objects.count()
    history = IndicatorValue.history.count()
    suppliers = list(Supplier.objects.order_by("pk").values())
    hours = list(InsertionHours.objects.order_by("pk").values_list("pk", "hours_planned", "hours_realised"))
    participants = InsertionParticipant.objects.count()
    second = run("load_demo")
    assert " 0 créés, 0 mis à jour" in second
    assert "Titulaires complétés (faits de démonstration, source « démonstration ») : 0" in second
    assert "0 créées, 0 mises à jour" in second.split("Heures d'insertion")[1]
    assert "0 valeurs créées, 0 mises à jour" in second
    assert (Contract.objects.count(), IndicatorValue.objects.count()) == (contracts, values)
    assert IndicatorValue.history.count() == history
    assert list(Supplier.objects.order_by("pk").values()) == suppliers  # facts, flags and dates unchanged
    assert list(
        InsertionHours.objects.order_by("pk").values_list("pk", "hours_planned", "hours_realised")
    ) == (hours)
    assert InsertionParticipant.objects.count() == participants


def test_cli_prints_the_legal_indicators_the_dashboard_shows(demo, client):
    rows = json.loads(run("compute_indicators", "--year", "2024", "--json"))
    by_key = {(r["code"], r["scope"]): r for r in rows}
    directions = {r["scope"] for r in rows if r["scope"].startswith("direction:") and r["denominator"]}
    assert len(directions) >= 6
    for code in ("S1", "S2", "E1", "E2"):
        assert by_key[(code, "organisation")]["value"] is not None
        for scope in directions:
            assert (code, scope) in by_key

    client.login(username="comite", password=DEMO_PASSWORD)
    page = client.get("/tableau-de-bord/?annee=2024").content.decode()
    for code in ("S1", "S2", "E1", "E2"):
        value = by_key[(code, "organisation")]["value"]
        shown = f"{value:.1f}".replace(".", ",") + "\u202f%"
        card = page[page.index(f'data-code="{code}"') :]
        assert shown in card[: card.index("</li>")], code
    assert "Données de démonstration" in page
