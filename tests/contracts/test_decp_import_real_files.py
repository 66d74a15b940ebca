"""Every real file of shared/data/decp/real imports: no crash, every record accounted for, every quarantined
record explained, and a second import changes nothing."""

from pathlib import Path

import pytest

from spaser.contracts.models import Contract, QuarantinedRecord
from spaser.contracts.services import import_decp_file

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "decp" / "real"
FILES = sorted(path for path in REAL.glob("*/*") if path.is_file())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_real_files_are_there():
    assert len(FILES) >= 5, f"fichiers réels introuvables sous {REAL}"


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_real_file_imports_with_every_record_accounted_for_and_twice_changes_nothing(path):
    first = import_decp_file(path=path)
    assert first.read > 0
    assert first.balanced, first.as_dict()
    assert first.created > 0
    assert first.created == Contract.objects.count()
    for record in QuarantinedRecord.objects.filter(batch_id=first.batch):
        assert record.reasons
        assert all(reason.strip() for reason in record.reasons)

    before = list(Contract.objects.order_by("pk").values_list("pk", "updated_at", "content_hash"))
    second = import_decp_file(path=path)
    assert second.balanced, second.as_dict()
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == first.created + first.updated + first.unchanged
    assert (second.duplicates, second.quarantined) == (first.duplicates, first.quarantined)
    assert list(Contract.objects.order_by("pk").values_list("pk", "updated_at", "content_hash")) == before
