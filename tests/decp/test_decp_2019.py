"""The 2019 format's shapes: titulaires three ways, modifications four ways, frameworks, old spellings."""

import json
from datetime import date
from decimal import Decimal

import pytest

from spaser.decp import ContractRecord, open_decp, open_decp_record

BASE = {
    "_type": "Marché",
    "id": "2019-7",
    "acheteur": {"id": "22930008201453", "nom": "Département de la Seine-Saint-Denis"},
    "nature": "ACCORD-CADRE",
    "objet": "Entretien",
    "codeCPV": "45111100",
    "procedure": "Marché négocié sans publicité ni mise en concurrence préalable",
    "lieuExecution": {"code": "93", "typeCode": "CODE DEPARTEMENT", "nom": "Seine-Saint-Denis"},
    "dureeMois": 12,
    "dateNotification": "2019-02-01",
    "datePublicationDonnees": "2019-02-10",
    "montant": 120000,
    "formePrix": "Ferme",
    "titulaires": [
        {"typeIdentifiant": "Siret", "id": "329 338 883 05269", "denominationSociale": "Garami SARL"}
    ],
    "modifications": [],
}


def read(tmp_path, **changes):
    path = tmp_path / "decp.json"
    path.write_text(json.dumps({"marches": [{**BASE, **changes}]}), encoding="utf-8")
    (record,) = list(open_decp(path))
    return record


def test_names_enumerations_and_framework(tmp_path):
    record = read(tmp_path)
    assert isinstance(record, ContractRecord)
    assert record.source_format == "decp-2019"
    assert record.buyer_name == "Département de la Seine-Saint-Denis"
    assert record.suppliers[0].name == "Garami SARL"
    assert record.suppliers[0].identifier == "32933888305269"
    assert record.nature == "Accord-cadre"
    assert record.procedure == "Marché passé sans publicité ni mise en concurrence préalable"
    assert record.place_type == "Code département"
    assert record.is_framework is True
    assert {"accord_cadre", "enumeration_corrigee"} <= record.flag_codes
    respelled = {flag.field for flag in record.flags if flag.code == "enumeration_corrigee"}
    assert respelled == {"nature", "procedure", "lieuExecution.typeCode"}
    assert record.raw["nature"] == "ACCORD-CADRE"  # the original is kept


@pytest.mark.parametrize(
    "titulaires",
    [
        [{"typeIdentifiant": "SIRET", "id": "32933888305269", "denominationSociale": "A"}],
        [{"titulaire": {"typeIdentifiant": "SIRET", "id": "32933888305269", "denominationSociale": "A"}}],
        {"titulaire": {"typeIdentifiant": "SIRET", "id": "32933888305269", "denominationSociale": "A"}},
    ],
    ids=["flat", "wrapped", "object"],
)
def test_titulaires_in_their_three_shapes(tmp_path, titulaires):
    record = read(tmp_path, titulaires=titulaires)
    assert [(s.identifier, s.name) for s in record.suppliers] == [("32933888305269", "A")]


MODIFICATION = {
    "objetModification": "Avenant 1 : travaux supplémentaires",
    "dateNotificationModification": "2019-06-01",
    "datePublicationDonneesModification": "2019-06-05",
    "montant": 150000,
    "dureeMois": 18,
}


@pytest.mark.parametrize(
    ("modifications", "count"),
    [([MODIFICATION], 1), (MODIFICATION, 1), ({"modification": [MODIFICATION]}, 1), (None, 0), ([], 0)],
    ids=["list", "dict", "wrapped", "null", "empty"],
)
def test_modifications_in_every_shape_keep_initial_and_current_values(tmp_path, modifications, count):
    record = read(tmp_path, modifications=modifications)
    assert len(record.modifications) == count
    assert record.amount == Decimal("120000.00")
    assert record.duration_months == 12
    if count:
        assert record.modifications[0].object == "Avenant 1 : travaux supplémentaires"
        assert (record.current_amount, record.current_duration_months) == (Decimal("150000.00"), 18)


def test_modification_as_text_is_flagged_not_lost(tmp_path):
    record = read(tmp_path, modifications="avenant de prolongation")
    assert record.modifications == ()
    assert "modification_illisible" in record.flag_codes


def test_modifications_in_list_order_and_backward_dates_flagged(tmp_path):
    second = {**MODIFICATION, "dateNotificationModification": "2019-03-01", "montant": 130000}
    early = {**MODIFICATION, "dateNotificationModification": "2018-12-01", "montant": 125000}
    record = read(tmp_path, modifications=[MODIFICATION, second, early])
    assert record.current_amount == Decimal("125000.00")  # applied in order, never re-sorted by guess
    assert {"modification_retour_arriere", "modification_avant_notification"} <= record.flag_codes


def test_concession_by_type_and_by_its_fields(tmp_path):
    concession = {
        "_type": "Contrat de concession",
        "id": "C1",
        "autoriteConcedante": {"id": "22930008201453", "nom": "Département"},
        "nature": "DELEGATION DE SERVICE PUBLIC",
        "valeurGlobale": 2_000_000,
        "dateSignature": "2018-05-02+02:00",
        "concessionnaires": [
            {"typeIdentifiant": "SIRET", "id": "32933888305269", "denominationSociale": "B"}
        ],
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"marches": [concession]}), encoding="utf-8")
    (record,) = list(open_decp(path))
    assert (record.kind, record.nature, record.amount) == (
        "concession",
        "Délégation de service public",
        Decimal("2000000.00"),
    )
    assert record.notification_date == date(2018, 5, 2)
    assert "date_fuseau_horaire" in record.flag_codes
    without_type = {key: value for key, value in concession.items() if key != "_type"}
    assert open_decp_record(without_type, format="decp-2019").kind == "concession"


def test_2022_modifications_follow_their_ids(tmp_path):
    raw = {
        "id": "M1",
        "acheteur": {"id": "22930008201453"},
        "montant": 1000,
        "dateNotification": "2024-02-01",
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "32933888305269"}}],
        "modifications": [
            {"modification": {"id": 2, "montant": 3000, "dateNotificationModification": "2024-05-01"}},
            {
                "modification": {
                    "id": 1,
                    "montant": 2000,
                    "dureeMois": 9,
                    "dateNotificationModification": "2024-04-01",
                }
            },
        ],
    }
    record = open_decp_record(raw, format="decp-2022")
    assert [m.id for m in record.modifications] == ["1", "2"]
    assert (record.amount, record.current_amount, record.current_duration_months) == (
        Decimal("1000.00"),
        Decimal("3000.00"),
        9,
    )
    assert "modifications_desordre" in record.flag_codes
