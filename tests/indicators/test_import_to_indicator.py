"""From a DECP file to the figures: duplicates collapsed, unknowns kept apart, frameworks and placeholder
amounts left out of value shares. Every expected figure is worked out by hand below."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from spaser.contracts.models import Contract
from spaser.contracts.services import import_decp_file
from spaser.indicators.models import IndicatorValue

SIRET = "22930008201453"
NO_SOCIAL = ["Pas de considération sociale"]
NO_ENV = ["Pas de considération environnementale"]


def contract(contract_id, *, social, environmental, amount, published="2024-03-01", framework=False):
    record = {
        "id": contract_id,
        "acheteur": {"id": SIRET},
        "nature": "Marché",
        "objet": f"Marché {contract_id}",
        "codeCPV": "45000000",
        "techniques": {"technique": ["Accord-cadre" if framework else "Sans objet"]},
        "procedure": "Appel d'offres ouvert",
        "dureeMois": 12,
        "dateNotification": "2024-02-15",
        "datePublicationDonnees": published,
        "montant": amount,
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "32933888305269"}}],
    }
    if social is not None:
        record["considerationsSociales"] = {"considerationSociale": social}
    if environmental is not None:
        record["considerationsEnvironnementales"] = {"considerationEnvironnementale": environmental}
    return record


@pytest.fixture
def decp_file(tmp_path):
    """| id | social       | env          | amount      | note                                             |
    | A  | clause       | no           | 100 000     |                                                  |
    | B  | no           | criterion    | 300 000     | published 2024-03-01, superseded by B'           |
    | B' | criterion    | criterion    | 300 000     | same uid, published 2024-04-01: wins (duplicate) |
    | C  | (absent)     | (absent)     | 200 000     | unknown on both                                  |
    | D  | reserved     | clause       | 1 000 000   | framework: out of value shares                   |
    | E  | no           | no           | 999 999 999 | placeholder amount: no usable amount             |
    read 6 = created 5 + duplicates 1. Contracts: A, B', C, D, E.
    S1 = 3/5 = 60 % (A, B', D), unknown 1.
    S2 = (100 000 + 300 000) / (100 000 + 300 000 + 200 000) = 66.6667 %.
    E1 = 2/5 = 40 % (B', D), unknown 1. E2 = 300 000 / 600 000 = 50 %.
    """
    records = [
        contract("A", social=["Clause sociale"], environmental=NO_ENV, amount=100000),
        contract("B", social=NO_SOCIAL, environmental=["Critère environnemental"], amount=300000),
        contract("C", social=None, environmental=None, amount=200000),
        contract("D", social=["Marché réservé"], environmental=["Clause environnementale"], amount=1000000,
                 framework=True),
        contract("E", social=NO_SOCIAL, environmental=NO_ENV, amount=999999999),
        contract("B", social=["Critère social"], environmental=["Critère environnemental"], amount=300000,
                 published="2024-04-01"),
    ]  # fmt: skip
    path = tmp_path / "decp.json"
    path.write_text(json.dumps({"marches": {"marche": records, "contrat-concession": []}}), encoding="utf-8")
    return path


def test_figures_from_a_file_with_duplicates_unknowns_and_traps(perimeter, decp_file):
    # The perimeter fixture's own contracts would mix with this file's: keep this test's arithmetic alone.
    Contract.objects.all().delete()
    summary = import_decp_file(path=decp_file)
    assert (summary.read, summary.created, summary.duplicates, summary.quarantined) == (6, 5, 1, 0)

    call_command("compute_indicators", "--year", "2024", stdout=None, stderr=None)
    values = {
        v.indicator.code: v
        for v in IndicatorValue.objects.filter(year=2024, scope="organisation").select_related("indicator")
    }
    assert (values["S1"].numerator, values["S1"].denominator, values["S1"].unknown) == (3, 5, 1)
    assert values["S1"].value == Decimal("60.0000")
    assert (values["S2"].numerator, values["S2"].denominator) == (Decimal("400000"), Decimal("600000"))
    assert values["S2"].value == Decimal("66.6667")
    assert values["S2"].details["accords_cadres"] == 1
    assert values["S2"].details["sans_montant"] == 1
    assert (values["E1"].numerator, values["E1"].denominator, values["E1"].unknown) == (2, 5, 1)
    assert values["E2"].value == Decimal("50.0000")
