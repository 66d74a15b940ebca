"""Reading in a second process (importing/pipeline.py) gives exactly what reading in this one gives, and a
file broken halfway or a reading process that dies leaves the database unchanged with a clear message."""

import os

import pytest

from spaser.contracts.importing import pipeline
from spaser.contracts.models import Contract, ContractSupplier, ImportBatch, QuarantinedRecord
from spaser.contracts.services import import_decp_file
from spaser.decp import DecpError
from spaser.suppliers.models import Supplier
from tests.contracts.test_decp_import_rules import DIRTY, fates, record, report_rows, write

pytestmark = pytest.mark.django_db


def _mixed_records() -> list:
    records = [record(f"P{number:05d}") for number in range(2_600)]
    records[10] = record("P00003", published="2024-09-01", amount=7_000.0)  # a later duplicate
    records[1_300] = {"objet": "sans identifiant"}  # quarantined
    records[2_100] = {**record("P02100"), "montant": "NC", "dateNotification": "2024-02-30"}  # flagged
    return records


def _stored() -> dict:
    return {
        "contracts": list(
            Contract.objects.order_by("uid").values_list(
                "uid", "amount", "content_hash", "quality_flags", "raw", "end_date", "sources"
            )
        ),
        "links": sorted(
            ContractSupplier.objects.values_list("contract__uid", "supplier__identifier", "position")
        ),
        "quarantined": list(QuarantinedRecord.objects.values_list("position", "reasons", "raw")),
    }


def _forget_everything() -> None:
    ContractSupplier.objects.all().delete()
    Contract.objects.all().delete()
    Supplier.objects.all().delete()
    QuarantinedRecord.objects.all().delete()
    ImportBatch.objects.all().delete()


def test_reading_in_a_second_process_gives_the_same_import(tmp_path):
    path = write(tmp_path / "mixte.json", _mixed_records())
    results = {}
    for parallel in (True, False):
        calls: list = []
        summary = import_decp_file(
            path=path,
            validate_schema=True,
            parallel=parallel,
            progress=lambda *args, calls=calls: calls.append(args),
        )
        rows = [{k: v for k, v in row.items() if k != "fichier"} for row in report_rows(summary)]
        results[parallel] = (fates(summary), summary.warnings, rows, _stored(), calls)
        _forget_everything()
    assert results[True] == results[False]
    counts = results[True][0]
    assert counts == {
        "read": 2_600,
        "created": 2_598,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
        "quarantined": 1,
    }


def test_the_dirty_file_reads_the_same_in_a_second_process(tmp_path):
    first = import_decp_file(path=DIRTY, parallel=True)
    stored = _stored()
    _forget_everything()
    second = import_decp_file(path=DIRTY, parallel=False)
    assert fates(first) == fates(second)
    assert stored == _stored()


def test_a_file_broken_halfway_read_in_a_second_process_changes_nothing(tmp_path):
    path = write(tmp_path / "coupe.json", [record(f"T{number:05d}") for number in range(3_000)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 9 // 10])  # ends in the middle of a record, after several pieces
    with pytest.raises(DecpError, match=r"coupe\.json"):
        import_decp_file(path=path, validate_schema=False, parallel=True)
    assert not Contract.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_reading_process_that_dies_gives_a_clear_error_and_changes_nothing(tmp_path, monkeypatch):
    path = write(tmp_path / "tue.json", [record(f"K{number:05d}") for number in range(3_000)])
    prepare = pipeline.prepare

    def dying_prepare(read):
        if read.position == 2_500:
            os._exit(9)  # runs in the child: as if it were killed
        return prepare(read)

    monkeypatch.setattr(pipeline, "prepare", dying_prepare)
    with pytest.raises(DecpError, match="interrompue"):
        import_decp_file(path=path, validate_schema=False, parallel=True)
    assert not Contract.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_second_process_only_for_large_files(tmp_path, settings):
    small = write(tmp_path / "petit.json", [record("S1")])
    from spaser.decp import open_decp

    assert not pipeline.worth_a_process(open_decp(small))
    large = open_decp(small)
    large.size = pipeline.PARALLEL_MIN_BYTES
    assert pipeline.worth_a_process(large) == (pipeline._cores() >= 2)
    settings.SPASER_IMPORT_PARALLEL = False
    assert not pipeline.worth_a_process(large)


def test_the_writer_column_order_is_the_mapping_order():
    from spaser.contracts.decp_mapping import FIELD_NAMES, contract_fields
    from spaser.decp import open_decp

    first = next(iter(open_decp(DIRTY)))
    assert tuple(contract_fields(first)) == FIELD_NAMES
