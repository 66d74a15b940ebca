"""Reading whole files: the real Mégalis sample, the official examples, dirty and unsupported files."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spaser.decp import ContractRecord, InvalidFile, RejectedRecord, UnsupportedFormat, open_decp, read_decp

FIXTURES = Path(__file__).parent.parent / "fixtures" / "decp"
MEGALIS = FIXTURES / "megalis_decp-59920013600241-2024-07-09-01.json"
DIRTY = FIXTURES / "dirty_2022.json"


def by_id(path):
    return {record.contract_id: record for record in read_decp(path) if isinstance(record, ContractRecord)}


def test_no_django_in_the_decp_package():
    package = Path(__file__).parents[2] / "spaser" / "decp"
    for source in package.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "import django" not in text, source
        assert "from django" not in text, source


def test_real_megalis_sample():
    records = list(read_decp(MEGALIS))
    assert len(records) == 5
    assert all(isinstance(record, ContractRecord) for record in records)
    first = records[0]
    assert first.uid == "59920013600241H9O2024T0000256"
    assert first.buyer_siret == "59920013600241"
    assert first.kind == "marche"
    assert first.cpv == "45111100"
    assert first.amount == Decimal("32122.00")
    assert first.duration_months == 4
    assert first.notification_date == date(2024, 5, 30)
    assert first.publication_date == date(2024, 7, 9)
    assert first.place_code == "22"
    assert first.procedure == "Appel d'offres ouvert"
    assert first.bids_received == 11
    assert first.advance_granted is False
    assert first.advance_rate == Decimal("0")
    assert first.is_framework is False
    assert first.techniques == ("Sans objet",)
    assert [(s.identifier_type, s.identifier) for s in first.suppliers] == [("SIRET", "32933888305269")]
    # explicit "no", not unknown
    assert first.social.has_any is False
    assert first.environmental.has_any is False
    assert first.raw["id"] == "H9O2024T0000256"
    assert sum(record.amount for record in records) == Decimal("247122.22")
    assert first.flags == ()  # without schema validation, the values themselves are clean


def test_schema_failures_of_the_real_sample_are_flags_not_rejections():
    records = list(read_decp(MEGALIS, validate_schema=True))
    assert all(isinstance(record, ContractRecord) for record in records)
    messages = [flag.message for flag in records[0].flags if flag.code == "schema"]
    assert any("_type" in message for message in messages)
    assert any(flag.field == "modifications" for flag in records[0].flags)


def test_official_example_with_framework_modifications_and_cpv_check_digit():
    record = by_id(FIXTURES / "exemples_v2" / "marches_avec_modifications.json")["TEST2022"]
    assert record.cpv == "45000000"
    assert record.is_framework is True
    assert record.framework_id == "1234567890"
    assert record.social.clause is True
    assert record.social.criterion is True
    assert record.social.reserved is False
    assert record.environmental.criterion is False
    assert record.innovative is True
    assert record.modified_amount == Decimal("123457.87")
    assert record.modifications[0].duration_months == 12


def test_official_concessions_map_onto_contracts():
    records = list(read_decp(FIXTURES / "exemples_v2" / "concessions_avec_modifications.json"))
    assert [record.kind for record in records] == ["concession", "concession"]
    first = records[0]
    assert first.buyer_siret == "12345678901250"
    assert first.amount == Decimal("10.30")
    assert first.notification_date == date(2024, 4, 2)
    assert len(first.suppliers) == 2
    assert first.modified_amount == Decimal("25.00")


def test_dirty_file_keeps_what_can_be_a_contract_and_rejects_the_rest():
    records = list(read_decp(DIRTY))
    rejected = [record for record in records if isinstance(record, RejectedRecord)]
    assert len(records) == 14
    assert [record.position for record in rejected] == [11, 12, 13]
    assert "Identifiant du marché (id) absent." in rejected[0].reasons
    assert "n'est pas un objet" in rejected[1].reasons[0]
    assert "acheteur" in rejected[2].reasons[0]
    assert rejected[1].raw == "ceci n'est pas un marché"


def test_dirty_values_are_cleaned_and_flagged():
    records = by_id(DIRTY)
    assert records["INCONNU"].social.has_any is None
    assert records["INCONNU"].environmental.has_any is None
    assert records["NON-EXPLICITE"].social.has_any is False
    assert records["NON-EXPLICITE"].environmental.has_any is False
    casse = records["CASSE"]
    assert (casse.social.clause, casse.social.reserved, casse.environmental.criterion) == (True, True, True)
    assert casse.is_framework is True
    assert (casse.innovative, casse.advance_granted, casse.subcontracting_declared) == (True, False, True)
    assert casse.bids_received == 3
    assert records["FICTIF"].amount is None
    assert "montant_fictif" in [flag.code for flag in records["FICTIF"].flags]
    assert records["NC"].amount is None  # "NC" is a legitimate id; as an amount it means "not given"
    assert "montant_absent" in [flag.code for flag in records["NC"].flags]
    assert records["DATES"].notification_date is None
    assert records["DATES"].publication_date == date(2024, 3, 9)
    assert records["CPV"].cpv == "03100000"
    sirets = records["SIRETS"]
    assert sirets.uid == "22930008201453SIRETS"
    assert [s.identifier for s in sirets.suppliers] == [
        "05420224700026",
        "32933888305268",
        "35600000052135",
        "FR12345678901",
    ]
    assert [s.identifier_type for s in sirets.suppliers] == ["SIRET", "SIRET", "SIRET", "TVA"]
    flagged_fields = {flag.field for flag in sirets.flags}
    assert flagged_fields == {"titulaires[0].id", "titulaires[1].id"}  # not La Poste's


def test_nan_literals_and_bom_are_read():
    (record,) = list(read_decp(FIXTURES / "nan_bom_2022.json"))
    assert record.amount is None
    assert record.raw["montant"] != record.raw["montant"]  # NaN kept in the raw source


def test_format_is_known_before_reading():
    source = open_decp(MEGALIS)
    assert source.format == "decp-2022"
    assert source.name == MEGALIS.name


def test_2019_format_is_read():
    source = open_decp(FIXTURES / "v2019_small.json")
    assert source.format == "decp-2019"
    (record,) = list(source)
    assert (record.uid, record.buyer_name, record.amount) == (
        "229300082014532019-1",
        "Département",
        Decimal(50000),
    )


def test_xml_is_detected_by_its_content(tmp_path):
    path = tmp_path / "marches.json"  # a misleading extension: the content decides
    path.write_text(
        "<?xml version='1.0'?><marches><marche><id>X1</id><acheteur><id>22930008201453</id></acheteur>"
        "<montant>1200.5</montant></marche></marches>",
        encoding="utf-8",
    )
    source = open_decp(path)
    assert source.format == "decp-2022-xml"
    (record,) = list(source)
    assert (record.uid, record.amount) == ("22930008201453X1", Decimal("1200.50"))


def test_unknown_json_names_what_was_found(tmp_path):
    path = tmp_path / "autre.json"
    path.write_text('{"contracts": []}', encoding="utf-8")
    with pytest.raises(UnsupportedFormat, match="« contracts »"):
        open_decp(path)


def test_invalid_json_gives_file_line_and_column():
    # Streaming: the error surfaces while reading; the importer's transaction then writes nothing.
    with pytest.raises(InvalidFile, match=r"broken\.json.*ligne 2, colonne 15"):
        list(open_decp(FIXTURES / "broken.json"))


def test_missing_file():
    with pytest.raises(InvalidFile, match="introuvable"):
        open_decp(FIXTURES / "absent.json")
