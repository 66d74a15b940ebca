"""`spaser observatory_indicators`: one buyer with its rank among its type, one type's distribution, the
summary of every type, JSON for machines, French errors (no store, unknown year, SIREN or type)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .test_peers import write_buyers, write_indicators

SSD = "229300082"


@pytest.fixture
def store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    root = tmp_path / "observatory"
    values = {SSD: 18.0, "221000011": 40.0, "222000010": 25.0, "223000019": 10.0, "224000018": None}
    rows = [(siren, "departement", "S1", value) for siren, value in values.items()]
    rows += [(SSD, "departement", "E1", 5.0), ("221000011", "departement", "E1", 5.0)]
    rows += [("200000001", "region", "S1", 33.0)]
    write_indicators(root, 2024, rows)
    write_indicators(root, 2022, [(SSD, "departement", "S1", 1.0)])
    write_buyers(root, [(SSD, "Département de la Seine-Saint-Denis", "departement")])
    return root


def run(*args) -> str:
    out = StringIO()
    call_command("observatory_indicators", *args, stdout=out)
    return out.getvalue()


def test_one_buyer_as_a_french_table(store):
    text = run("--siren", SSD)
    assert text.startswith("SIREN 229300082 — Département de la Seine-Saint-Denis (Département), 2024")
    s1 = next(line for line in text.splitlines() if line.startswith("S1 "))
    assert "18,0\u202f%" in s1
    assert "3e sur 4 départements" in s1
    assert "33,3\u202f%" in s1  # percentile
    assert "21,5\u202f%" in s1  # median of the type
    assert "30,0\u202f%" in s1  # national target
    e1 = next(line for line in text.splitlines() if line.startswith("E1 "))
    assert "1er sur 2 départements (ex aequo)" in e1


def test_one_buyer_as_json(store):
    data = json.loads(run("--siren", SSD, "--json"))
    assert (data["year"], data["buyer_type"]) == (2024, "departement")
    s1 = next(item for item in data["indicators"] if item["code"] == "S1")
    assert (s1["value"], s1["rank"], s1["peers"]) == (18.0, 3, 4)
    assert s1["percentile"] == pytest.approx(100 / 3)
    assert s1["national_target"] == 30.0


def test_one_type_and_every_type(store):
    data = json.loads(run("--type", "departement", "--json"))
    [departements] = data["types"]
    s1 = next(item for item in departements["indicators"] if item["code"] == "S1")
    assert (departements["buyers"], s1["count"], s1["unknown"], s1["median"]) == (5, 4, 1, 21.5)
    assert sum(b["count"] for b in s1["bins"]) == 4
    text = run("--year", "2024")
    assert "Département : 5 acheteur(s), 2024" in text
    assert "Région : 1 acheteur(s), 2024" in text
    assert "Sans donnée" in text


def test_other_year(store):
    data = json.loads(run("--siren", SSD, "--year", "2022", "--json"))
    assert data["indicators"][0]["value"] == 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2019"], "Pas de données pour 2019 dans l'observatoire : années disponibles 2024, 2022."),
        (["--siren", "12345"], "SIREN « 12345 » invalide : 9 chiffres attendus."),
        (["--siren", "999999999"], "SIREN 999999999 inconnu de l'observatoire en 2024"),
        (["--type", "chateau"], "Type d'acheteur « chateau » inconnu : attendu departement, region"),
        (["--type", "hopital"], "Aucun acheteur de type « Établissement public de santé »"),
    ],
)
def test_clear_french_errors(store, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


def test_no_store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="Pas de données : aucun fichier d'indicateurs"):
        run()
