"""Insertion hours: periods and pseudonymous participants per contract, replaced per period, never silently
dropped."""

from decimal import Decimal

from spaser.contracts.models import ImportBatch, ImportKind
from spaser.registers.models import InsertionHours, InsertionParticipant
from spaser.registers.services import import_insertion

from .conftest import BUYER, REGISTERS

EXPORT = REGISTERS / "insertion_facilitateur.csv"


def counts(result):
    return {name: getattr(result, name) for name in ("read", "created", "updated", "unchanged", "rejected")}


def test_facilitator_export_is_stored_per_contract_and_period(register, decp):
    result = import_insertion(path=EXPORT, organisation=register.organisation)
    assert counts(result) == {"read": 7, "created": 5, "updated": 0, "unchanged": 0, "rejected": 2}
    first = InsertionHours.objects.get(contract__uid=f"{BUYER}H9O2024T0000356", period_start="2024-01-01")
    assert (first.hours_planned, first.hours_realised) == (Decimal("400.00"), Decimal("310.50"))
    people = {(p.person_ref, p.gender, p.resident, p.hours) for p in first.participants.all()}
    assert people == {
        ("P-0001", "F", True, Decimal("120.00")),
        ("P-0002", "M", False, Decimal("90.50")),
        ("P-0003", "autre", None, Decimal("100.00")),
    }
    assert InsertionHours.objects.filter(contract__uid=f"{BUYER}H9O2024T0000356").count() == 2
    hours_only = InsertionHours.objects.get(contract__uid=f"{BUYER}H9O2024T0000256")
    assert hours_only.hours_planned == Decimal("120.00")
    assert not hours_only.participants.exists()
    assert ImportBatch.objects.get(pk=result.batch).kind == ImportKind.INSERTION


def test_unknown_contracts_and_names_are_rejected_with_a_reason(register, decp):
    result = import_insertion(path=EXPORT, organisation=register.organisation)
    messages = {outcome.line: outcome.message for outcome in result.outcomes if outcome.fate == "rejected"}
    assert "marché inconnu" in messages[7]
    assert messages[8].startswith(
        "ligne 8, colonne « Référence participant » : « Marie Dupont » ressemble à un nom"
    )
    # no name is ever stored
    assert not InsertionParticipant.objects.filter(person_ref__icontains="Dupont").exists()
    assert not InsertionHours.objects.filter(contract__uid=f"{BUYER}H9O2024T0000456").exists()


def test_reimport_is_idempotent_and_a_changed_period_replaces_the_old_one(register, decp, tmp_path):
    import_insertion(path=EXPORT, organisation=register.organisation)
    again = import_insertion(path=EXPORT, organisation=register.organisation)
    assert counts(again) == {"read": 7, "created": 0, "updated": 0, "unchanged": 5, "rejected": 2}
    assert InsertionParticipant.objects.count() == 4

    corrected = tmp_path / "correction.csv"
    corrected.write_text(
        "Identifiant national;Début de période;Fin de période;Heures prévues;Heures réalisées;"
        "Référence participant;Genre;Résident du territoire;Heures du participant\n"
        f"{BUYER}H9O2024T0000356;01/01/2024;30/06/2024;400;330;P-0001;F;oui;140\n"
        f"{BUYER}H9O2024T0000356;01/01/2024;30/06/2024;400;330;P-0004;F;non;190\n",
        encoding="utf-8",
    )
    result = import_insertion(path=corrected, organisation=register.organisation)
    assert counts(result) == {"read": 2, "created": 0, "updated": 2, "unchanged": 0, "rejected": 0}
    period = InsertionHours.objects.get(contract__uid=f"{BUYER}H9O2024T0000356", period_start="2024-01-01")
    assert period.hours_realised == Decimal("330.00")
    assert sorted(period.participants.values_list("person_ref", flat=True)) == ["P-0001", "P-0004"]
    # the other period of the same contract is untouched
    assert InsertionHours.objects.filter(contract__uid=f"{BUYER}H9O2024T0000356").count() == 2


def test_conflicting_period_hours_are_rejected(register, decp, tmp_path):
    path = tmp_path / "conflit.csv"
    path.write_text(
        "N° de marché;Début de période;Fin de période;Heures prévues;Référence participant\n"
        "H9O2024T0000356;01/01/2024;30/06/2024;400;P-1\n"
        "H9O2024T0000356;01/01/2024;30/06/2024;450;P-2\n"
        "H9O2024T0000356;30/06/2024;01/01/2024;450;P-3\n",
        encoding="utf-8",
    )
    result = import_insertion(path=path, organisation=register.organisation)
    assert counts(result) == {"read": 3, "created": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    messages = [outcome.message for outcome in result.outcomes if outcome.fate == "rejected"]
    assert "450.00 au lieu de 400.00 (ligne 2)" in messages[0]
    assert "la fin de période (01/01/2024) précède son début (30/06/2024)" in messages[1]
