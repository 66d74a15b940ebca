"""Every real file and every official example reads without a crash; every record is a contract or a
rejection with a French reason. Reads ../shared beside the clone (CI has it there)."""

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from spaser.decp import ContractRecord, RejectedRecord, open_decp

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "decp"
REAL = sorted((SHARED / "real").rglob("*.*"))
EXAMPLES = sorted((SHARED / "schema").glob("exemples_*/*.*"))

EXPECTED = {  # file → (format, records read)
    "data.gouv.fr_aife_2019-04-04.json": ("decp-2019", 4530),
    "marches-publics.info_2019-03-07.json": ("decp-2019", 4509),
    "e-marchespublics_2019-04-03.json": ("decp-2019", 470),
    "megalis_decp-59920013600241-2024-07-09-01.json": ("decp-2022", 5),
    "decp-processing_2024H2_travaux_cpv4521_filtered.csv": ("decp-tabular-csv", 7316),
}


@pytest.mark.parametrize("path", REAL + EXAMPLES, ids=lambda path: path.name)
def test_every_real_file_and_example_reads(path):
    source = open_decp(path)
    records = list(source)
    assert records
    for record in records:
        assert isinstance(record, ContractRecord | RejectedRecord)
        if isinstance(record, RejectedRecord):
            assert record.reasons
            assert all(reason.endswith(".") and " " in reason for reason in record.reasons)
        else:
            assert record.uid == record.buyer_siret + record.contract_id
            assert all(flag.code and flag.message for flag in record.flags)
    if path.name in EXPECTED:
        assert (source.format, len(records)) == EXPECTED[path.name]


def test_schema_validity_of_the_2019_files_matches_the_reference_counts():
    # shared/data/decp/README.md: against schema 1.5.0, 148/4 509, 4 199/4 530 and 17/470 records fail.
    def failing(name):
        records = list(open_decp(SHARED / "real" / "v1_2019" / name))
        return sum(
            1
            for record in records
            if isinstance(record, RejectedRecord) or any(flag.code == "schema" for flag in record.flags)
        )

    assert failing("marches-publics.info_2019-03-07.json") == 148
    assert failing("data.gouv.fr_aife_2019-04-04.json") == 4199
    assert failing("e-marchespublics_2019-04-03.json") == 17


def test_aife_2019_file_traps():
    records = list(open_decp(SHARED / "real" / "v1_2019" / "data.gouv.fr_aife_2019-04-04.json"))
    contracts = [record for record in records if isinstance(record, ContractRecord)]
    codes = Counter(flag.code for record in contracts for flag in record.flags)
    assert codes["date_notification_absente"] == 2510  # the README's 2 511, one of them rejected (no id)
    assert codes["caracteres_perdus"] > 4000  # "Soci\ufffdt\ufffd": lost at the source, said so
    first = contracts[0]
    assert first.kind == "marche"
    assert first.is_framework is True  # nature "Marché subséquent"
    assert "accord_cadre" in first.flag_codes
    assert first.suppliers[0].name == "DS Avocats"
    assert first.place_type == "Code département"
    concessions = [record for record in records if record.raw.get("_type") == "Contrat de concession"]
    assert len(concessions) == 22
    assert all(record.kind == "concession" for record in concessions if isinstance(record, ContractRecord))

    duplicates = Counter(record.uid for record in contracts)
    assert sum(count - 1 for count in duplicates.values() if count > 1) > 200  # resolved by the importer


def test_marches_publics_info_offsets_and_old_spellings():
    records = [
        record
        for record in open_decp(SHARED / "real" / "v1_2019" / "marches-publics.info_2019-03-07.json")
        if isinstance(record, ContractRecord)
    ]
    codes = Counter(flag.code for record in records for flag in record.flags)
    assert codes["date_fuseau_horaire"] > 300
    assert codes["date_impossible"] == 2
    procedures = Counter(record.procedure for record in records)
    assert "Marché négocié sans publicité ni mise en concurrence préalable" not in procedures
    assert Counter(record.place_type for record in records)["Code département"] == 296
    placeholders = [
        record
        for record in records
        if any(flag.code == "montant_fictif" and flag.field == "montant" for flag in record.flags)
    ]
    assert placeholders
    assert all(record.amount is None for record in placeholders)


def test_tabular_sample_merges_rows_into_contracts():
    path = SHARED / "real" / "tabular" / "decp-processing_2024H2_travaux_cpv4521_filtered.csv"
    records = list(open_decp(path))
    rows = sum(len(record.raw["lignes"]) for record in records)
    assert rows == 8957  # every row is in exactly one record
    assert (
        len({record.uid for record in records if isinstance(record, ContractRecord)}) == 5179
    )  # 5 180 uids, one of them with a 9-digit buyer id: rejected
    lot = next(
        r for r in records if isinstance(r, ContractRecord) and r.uid == "2104020950001720242024CISL01"
    )
    assert {s.identifier for s in lot.suppliers} == {"00735020000049", "34907675200014"}
    assert lot.amount == Decimal("421879.07")
    assert lot.social.has_any is None  # no considerations column: unknown, not "no"
