"""Register import: merges with DECP contracts without touching DECP fields, creates register-only contracts,
is idempotent, explains every rejected row, and leaves the database unchanged on a dry run or a bad file."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from spaser.contracts.models import AttributionSource, Contract, ContractOrigin, ImportBatch, ImportKind
from spaser.contracts.services import import_decp_file
from spaser.registers.models import RegisterImport
from spaser.registers.services import import_register
from spaser.registers.tables import TableError

from .conftest import BUYER, MEGALIS, REGISTERS

CP1252 = REGISTERS / "registre_marches_cp1252.csv"
BOM = REGISTERS / "registre_marches_bom.csv"


def counts(result):
    return {name: getattr(result, name) for name in ("read", "created", "updated", "unchanged", "rejected")}


def test_register_completes_decp_contracts_and_creates_the_missing_ones(register, decp):
    before = Contract.objects.get(uid=f"{BUYER}H9O2024T0000356")
    result = import_register(path=CP1252, organisation=register.organisation, user=register.pilot)

    assert counts(result) == {"read": 7, "created": 1, "updated": 3, "unchanged": 0, "rejected": 3}
    contract = Contract.objects.get(uid=f"{BUYER}H9O2024T0000356")
    # register fields arrive …
    assert contract.end_date == date(2024, 10, 15)
    assert contract.end_date_estimated is False
    assert contract.renewal_deadline == date(2025, 7, 1)
    assert contract.reserved_article == "L2113-13"
    assert contract.estimated_spend == Decimal("150000.50")
    assert (contract.direction, contract.direction_source) == (register.prescribing, AttributionSource.IMPORT)
    # … and the DECP fields stay those of the DECP, whatever the register says
    assert contract.object == before.object
    assert contract.object.startswith("Confortement de la charpente de l’internat (bât B)")
    assert contract.amount == Decimal("146780.00")
    assert contract.origin == ContractOrigin.DECP
    assert contract.content_hash == before.content_hash
    assert contract.sources[-1] == "Registre interne"

    lot1 = Contract.objects.get(uid=f"{BUYER}H9O2024T0000256")
    assert (lot1.insertion_hours_planned, lot1.reserved_article) == (Decimal("150.00"), "")
    lot3 = Contract.objects.get(uid=f"{BUYER}H9O2024T0000456")
    # no end date in the register: estimated from notification (30/05/2024) + 4 months, and said so
    assert (lot3.end_date, lot3.end_date_estimated) == (date(2024, 9, 30), True)

    created = Contract.objects.get(uid=f"{BUYER}REG-2024-001")
    assert created.origin == ContractOrigin.REGISTER
    assert (created.buyer_siret, created.contract_id) == (BUYER, "REG-2024-001")
    assert created.object == "Entretien des espaces verts des collèges"
    assert created.amount == created.current_amount == Decimal("48500.00")
    assert (created.notification_date, created.notification_year) == (date(2024, 3, 15), 2024)
    assert created.reserved_article == "L2113-12"
    assert created.insertion_hours_planned == Decimal("300.00")
    assert created.direction == register.resource  # matched by name, accents and case ignored
    assert created.raw["Objet"] == "Entretien des espaces verts des collèges"
    assert {flag["field"] for flag in created.quality_flags} == {"", "cpv"}
    assert (created.end_date, created.end_date_estimated) == (date(2025, 3, 15), True)

    messages = {outcome.line: outcome.message for outcome in result.outcomes}
    assert messages[8] == (
        "ligne 8, colonne « Direction » : « Direction des routes » n'est pas une direction de "
        f"« {register.organisation.name} »"
    )
    assert messages[9] == "ligne 9, colonne « Date de notification » : « 31/02/2024 » n'est pas une date"
    assert "« 12 k€ » n'est pas un montant exact" in messages[10]
    rejected_ids = ["REG-2024-002", "REG-2024-003", "REG-2024-004"]
    assert not Contract.objects.filter(contract_id__in=rejected_ids).exists()


def test_reimport_changes_nothing(register, decp):
    import_register(path=CP1252, organisation=register.organisation)
    before = list(Contract.objects.order_by("pk").values_list("pk", "updated_at"))
    again = import_register(path=CP1252, organisation=register.organisation)
    assert counts(again) == {"read": 7, "created": 0, "updated": 0, "unchanged": 4, "rejected": 3}
    assert list(Contract.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_batch_and_result_file(register, decp):
    result = import_register(path=CP1252, organisation=register.organisation, user=register.pilot)
    batch = ImportBatch.objects.get(pk=result.batch)
    assert (batch.kind, batch.source_format) == (ImportKind.REGISTER, "register-csv")
    assert batch.user == register.pilot
    assert (batch.read, batch.created, batch.updated, batch.quarantined) == (7, 1, 3, 3)
    assert RegisterImport.objects.get(batch=batch).organisation == register.organisation
    with batch.report_file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["ligne", "résultat", "marché", "message"]
    assert rows[1][:3] == ["4", "mis à jour", f"{BUYER}H9O2024T0000256"]
    assert rows[-1][:2] == ["10", "rejeté"]


def test_manual_direction_is_never_overwritten(register, decp):
    Contract.objects.filter(uid=f"{BUYER}H9O2024T0000356").update(
        direction=register.resource, direction_source=AttributionSource.MANUAL
    )
    result = import_register(path=CP1252, organisation=register.organisation)
    contract = Contract.objects.get(uid=f"{BUYER}H9O2024T0000356")
    assert (contract.direction, contract.direction_source) == (register.resource, AttributionSource.MANUAL)
    outcome = next(o for o in result.outcomes if o.contract == contract.uid)
    assert "direction choisie à la main conservée" in outcome.message
    assert result.warnings == 1


def test_register_only_contract_is_completed_by_a_later_decp_import(register):
    """The register comes first: the DECP import later finds the same uid, completes it, no duplicate."""
    import_register(path=BOM, organisation=register.organisation)
    early = Contract.objects.get(uid=f"{BUYER}H9O2024T0000556")
    assert early.origin == ContractOrigin.REGISTER
    assert early.end_date == date(2024, 12, 31)

    import_decp_file(path=MEGALIS)
    assert Contract.objects.filter(uid=f"{BUYER}H9O2024T0000556").count() == 1
    completed = Contract.objects.get(uid=f"{BUYER}H9O2024T0000556")
    assert completed.amount == Decimal("19283.59")  # the DECP value
    assert completed.cpv == "45330000"
    # the register fields survive the DECP import
    assert (completed.end_date, completed.estimated_spend) == (date(2024, 12, 31), Decimal("19283.59"))
    assert (completed.direction, completed.direction_source) == (register.resource, AttributionSource.IMPORT)

    # a new register run now only brings register fields, and the DECP keeps its own
    import_register(path=BOM, organisation=register.organisation)
    completed.refresh_from_db()
    assert completed.origin == ContractOrigin.DECP
    assert completed.object.startswith("Confortement de la charpente de l’internat")


def test_utf8_bom_comma_file_with_default_buyer_and_excel_serial_date(register, decp):
    result = import_register(path=BOM, organisation=register.organisation)
    assert counts(result) == {"read": 3, "created": 1, "updated": 2, "unchanged": 0, "rejected": 0}
    lot5 = Contract.objects.get(uid=f"{BUYER}H9O2024T0000656")
    assert (lot5.end_date, lot5.end_date_estimated) == (date(2025, 1, 31), False)  # serial 45688


def test_dry_run_writes_nothing_and_counts_exactly(register, decp):
    before = list(Contract.objects.order_by("pk").values_list("pk", "updated_at", "end_date"))
    batches = ImportBatch.objects.count()
    result = import_register(path=CP1252, organisation=register.organisation, dry_run=True)
    assert counts(result) == {"read": 7, "created": 1, "updated": 3, "unchanged": 0, "rejected": 3}
    assert result.batch is None
    assert list(Contract.objects.order_by("pk").values_list("pk", "updated_at", "end_date")) == before
    assert ImportBatch.objects.count() == batches


def test_buyer_outside_the_perimeter_is_rejected(register, decp, tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text(
        "N° de marché;SIRET acheteur;Date de fin\nX-1;22930008201453;31/12/2025\n", encoding="utf-8"
    )
    result = import_register(path=path, organisation=register.organisation)
    assert result.rejected == 1
    assert "l'acheteur 22930008201453 n'est pas dans le périmètre" in result.outcomes[0].message
    assert not Contract.objects.filter(contract_id="X-1").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "est vide"),
        (b"\x00\x01\x02binary\x00" * 50, "contenu binaire"),
        (b"PK\x03\x04truncated workbook", "n'est pas un classeur Excel lisible"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "Excel 97-2003"),
        (b"Objet;Montant\nNettoyage;12\n", "numéro de marché"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_changes(register, decp, tmp_path, content, message):
    path = tmp_path / "registre.csv"
    path.write_bytes(content)
    before = (Contract.objects.count(), ImportBatch.objects.count())
    with pytest.raises(TableError) as error:
        import_register(path=path, organisation=register.organisation)
    assert message in str(error.value)
    assert "registre.csv" in str(error.value)
    assert (Contract.objects.count(), ImportBatch.objects.count()) == before


def test_a_later_real_end_date_replaces_the_estimate(register, decp, tmp_path):
    import_register(path=CP1252, organisation=register.organisation)
    lot3 = Contract.objects.get(uid=f"{BUYER}H9O2024T0000456")
    assert lot3.end_date_estimated
    path = tmp_path / "fin.csv"
    path.write_text("N° de marché;Date de fin\nH9O2024T0000456;15/11/2024\n", encoding="utf-8")
    result = import_register(path=path, organisation=register.organisation)
    assert result.updated == 1
    lot3.refresh_from_db()
    assert (lot3.end_date, lot3.end_date_estimated) == (date(2024, 11, 15), False)
