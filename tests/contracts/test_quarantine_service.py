"""Correcting a quarantined record and re-importing it, or setting it aside: what the pilot sees change."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from spaser.contracts.models import Contract, QuarantinedRecord
from spaser.contracts.quarantine import ignore_quarantined, reimport_quarantined
from spaser.contracts.services import import_decp_file
from spaser.organisations.models import Buyer, Direction, DirectionKind, Organisation, OrganisationKind

pytestmark = pytest.mark.django_db

DIRTY = Path(__file__).parent.parent / "fixtures" / "decp" / "dirty_2022.json"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pilot():
    return get_user_model().objects.create_user(username="pilote", password="x" * 12)


@pytest.fixture
def quarantined():
    summary = import_decp_file(path=DIRTY, source_label="Maximilien")
    return {record.position: record for record in QuarantinedRecord.objects.filter(batch_id=summary.batch)}


def test_a_corrected_record_becomes_a_contract_and_the_record_is_marked_corrected(quarantined, pilot):
    record = quarantined[11]  # no id
    corrected = {**record.raw, "id": "CORRIGE-1"}
    before = Contract.objects.count()

    contract = reimport_quarantined(record=record, corrected_raw=corrected, user=pilot)

    assert Contract.objects.count() == before + 1
    assert (contract.uid, contract.object) == ("22930008201453CORRIGE-1", "Sans identifiant")
    assert contract.amount is not None
    assert contract.origin == "decp"
    assert contract.sources == ["Maximilien"]
    assert contract.raw["id"] == "CORRIGE-1"
    record.refresh_from_db()
    assert (record.status, record.contract, record.resolved_by) == ("corrected", contract, pilot)
    assert record.corrected_raw == corrected
    assert record.raw["objet"] == "Sans identifiant"  # the original stays beside the correction
    assert record.resolved_at is not None


def test_a_correction_that_is_still_not_a_contract_changes_nothing(quarantined, pilot):
    record = quarantined[13]  # no buyer
    with pytest.raises(ValidationError, match="toujours pas un marché"):
        reimport_quarantined(
            record=record, corrected_raw={**record.raw, "objet": "Toujours sans acheteur"}, user=pilot
        )
    with pytest.raises(ValidationError, match="objet JSON"):
        reimport_quarantined(record=record, corrected_raw=["pas", "un", "objet"], user=pilot)
    record.refresh_from_db()
    assert (record.status, record.contract, record.corrected_raw) == ("pending", None, None)
    assert not Contract.objects.filter(contract_id="SANS-ACHETEUR").exists()


def test_a_record_already_handled_cannot_be_handled_again(quarantined, pilot):
    record = quarantined[11]
    reimport_quarantined(record=record, corrected_raw={**record.raw, "id": "CORRIGE-2"}, user=pilot)
    with pytest.raises(ValidationError, match="déjà été traité"):
        reimport_quarantined(record=record, corrected_raw={**record.raw, "id": "CORRIGE-3"}, user=pilot)
    with pytest.raises(ValidationError, match="déjà été traité"):
        ignore_quarantined(record=record, user=pilot, reason="doublon")
    assert not Contract.objects.filter(contract_id="CORRIGE-3").exists()


def test_the_corrected_contract_is_attributed_by_the_rules(quarantined, pilot):
    organisation = Organisation.objects.create(
        name="Seine-Saint-Denis", slug="ssd", siren="229300082", kind=OrganisationKind.AUTRE
    )
    Buyer.objects.create(organisation=organisation, identifier="22930008201453", name="Département")
    works = Direction.objects.create(
        organisation=organisation, name="Bâtiments", slug="batiments", kind=DirectionKind.PRESCRIBING
    )
    organisation.attribution_rules.create(cpv_prefix="45", direction=works)
    record = quarantined[11]
    contract = reimport_quarantined(
        record=record, corrected_raw={**record.raw, "id": "CORRIGE-4"}, user=pilot
    )
    assert (contract.direction, contract.direction_source) == (works, "rule")


def test_ignoring_keeps_the_reason_with_the_record(quarantined, pilot):
    record = quarantined[12]  # a bare string, not a contract
    with pytest.raises(ValidationError, match="Indiquez pourquoi"):
        ignore_quarantined(record=record, user=pilot, reason="  ")
    ignore_quarantined(record=record, user=pilot, reason="Ligne de test laissée par la plateforme")
    record.refresh_from_db()
    assert (record.status, record.resolved_by) == ("ignored", pilot)
    assert record.resolution_note == "Ligne de test laissée par la plateforme"
    assert record.reasons == quarantined[12].reasons  # the original reasons are kept as they were


def test_a_correction_goes_through_the_duplicate_rule(quarantined, pilot):
    """A corrected record whose uid is already stored with a later publication does not overwrite it."""
    stored = Contract.objects.get(uid="22930008201453DUP1")
    record = quarantined[11]
    older = {**record.raw, "id": "DUP1", "montant": 1234567, "datePublicationDonnees": "2024-01-02"}
    contract = reimport_quarantined(record=record, corrected_raw=older, user=pilot)
    assert contract.pk == stored.pk
    assert contract.amount == Decimal("60000.00")
