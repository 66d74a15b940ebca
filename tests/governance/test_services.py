"""Governance services: committees and members, meetings (plan, edit, cancel, agenda), holding (the frozen
pack: JSON, PDF and XLSX with their SHA-256, unchanged after a data change), attendance, decisions, corrective
actions and their follow-up; French messages naming the field."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from spaser.governance import decisions, packs, services
from spaser.governance.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CommitteeKind,
    CommitteeMember,
    CorrectiveAction,
    CorrectiveStatus,
    Decision,
    MeetingStatus,
)
from spaser.indicators.periods import Period
from tests.factories import DirectionFactory, OrganisationFactory, SchemeFactory
from tests.governance.conftest import meeting, member
from tests.governance.test_packs import contract, store

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 10)


def pilot(world):
    return member(world, world.pilot)


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Committees and members ----------------------------------------------------------------------------


def test_the_pilot_edits_a_committee_and_a_second_committee_of_a_kind_is_refused(world):
    services.committee_update(
        committee=world.cotech,
        membership=pilot(world),
        name="COTECH",
        description="Suivi",
        frequency_months=2,
    )
    world.cotech.refresh_from_db()
    assert (world.cotech.name, world.cotech.frequency_months) == ("COTECH", 2)
    assert world.cotech.history.count() == 2  # audited
    with pytest.raises(ValidationError) as error:
        services.committee_create(
            organisation=world.organisation,
            membership=pilot(world),
            kind=CommitteeKind.COPIL,
            name="Autre COPIL",
            frequency_months=6,
        )
    assert "déjà ce comité" in messages_of(error.value)


def test_committee_fields_are_validated_in_french(world):
    with pytest.raises(ValidationError) as error:
        services.committee_update(
            committee=world.cotech, membership=pilot(world), name=" ", frequency_months=0
        )
    assert set(error.value.message_dict) == {"name", "frequency_months"}
    assert error.value.message_dict["name"] == ["Nom : indiquez le nom du comité."]


def test_only_the_pilot_manages_committees(world):
    for user in (world.prescribing_referent, world.committee_member):
        with pytest.raises(PermissionDenied):
            services.committee_update(
                committee=world.cotech, membership=member(world, user), name="X", frequency_months=1
            )
    with pytest.raises(PermissionDenied):  # the pilot of another organisation
        services.committee_update(
            committee=world.cotech,
            membership=member(world, world.outsider),
            name="X",
            frequency_months=1,
        )


def test_members_are_added_edited_and_a_member_with_attendance_becomes_former(world):
    seat = services.member_save(
        committee=world.cotech,
        membership=pilot(world),
        name="Paul Martin",
        function="Directeur",
        direction=world.prescribing,
        user=world.prescribing_referent,
    )
    assert seat.is_active
    assert seat.direction == world.prescribing
    other = DirectionFactory()  # another organisation's direction
    with pytest.raises(ValidationError) as error:
        services.member_save(
            committee=world.cotech, membership=pilot(world), member=seat, name="Paul", direction=other
        )
    assert "direction de l'organisation" in error.value.message_dict["direction"][0]
    with pytest.raises(ValidationError) as error:
        services.member_save(committee=world.cotech, membership=pilot(world), name="X", user=world.outsider)
    assert "Compte Spaser" in error.value.message_dict["user"][0]

    held = meeting(world.cotech, ON)
    services.attendance_record(
        meeting=held, membership=pilot(world), statuses={seat: (AttendanceStatus.PRESENT, "")}
    )
    assert services.member_remove(member=seat, membership=pilot(world)) is False
    seat.refresh_from_db()
    assert seat.is_active is False
    assert services.member_remove(member=world.cotech_member, membership=pilot(world)) is True
    assert not CommitteeMember.objects.filter(pk=world.cotech_member.pk).exists()


# --- Meetings and agenda -------------------------------------------------------------------------------


def test_planning_validates_the_annual_review_fields(world):
    with pytest.raises(ValidationError) as error:
        services.meeting_plan(
            committee=world.cotech,
            membership=pilot(world),
            user=world.pilot,
            on=ON,
            validates_annual_review=True,
        )
    assert "seul un COPIL" in error.value.message_dict["validates_annual_review"][0]
    with pytest.raises(ValidationError) as error:
        services.meeting_plan(
            committee=world.copil,
            membership=pilot(world),
            user=world.pilot,
            on=ON,
            validates_annual_review=True,
        )
    assert "Année de la revue" in error.value.message_dict["annual_review_year"][0]
    copil = services.meeting_plan(
        committee=world.copil,
        membership=pilot(world),
        user=world.pilot,
        on=ON,
        location="Salle du conseil",
        validates_annual_review=True,
        annual_review_year=2026,
    )
    assert (copil.status, copil.annual_review_year, copil.created_by) == (
        MeetingStatus.PLANNED,
        2026,
        world.pilot,
    )


def test_the_agenda_is_added_reordered_and_removed(world):
    planned = meeting(world.cotech, ON)
    first, second, third = (
        services.agenda_add(meeting=planned, membership=pilot(world), title=title)
        for title in ("Indicateurs", "Renouvellements", "Actions")
    )
    assert [first.position, second.position, third.position] == [1, 2, 3]
    services.agenda_move(item=third, membership=pilot(world), up=True)
    assert list(planned.agenda_items.values_list("title", flat=True)) == [
        "Indicateurs",
        "Actions",
        "Renouvellements",
    ]
    services.agenda_move(item=first, membership=pilot(world), up=True)  # already first: nothing moves
    services.agenda_remove(item=first, membership=pilot(world))
    assert list(planned.agenda_items.values_list("title", "position")) == [
        ("Actions", 1),
        ("Renouvellements", 2),
    ]
    with pytest.raises(ValidationError) as error:
        services.agenda_add(meeting=planned, membership=pilot(world), title="", duration_minutes=0)
    assert set(error.value.message_dict) == {"title", "duration_minutes"}


def test_a_cancelled_meeting_changes_no_more(world):
    planned = meeting(world.cotech, ON)
    services.meeting_cancel(meeting=planned, membership=pilot(world))
    assert planned.status == MeetingStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.meeting_update(meeting=planned, membership=pilot(world), on=ON + timedelta(days=1))
    with pytest.raises(ValidationError):
        decisions.decision_save(meeting=planned, membership=pilot(world), user=world.pilot, text="Décider")
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=planned, membership=pilot(world))
    with pytest.raises(ValidationError):
        services.hold_meeting(planned, pilot(world), world.pilot, ON)


# --- Holding -------------------------------------------------------------------------------------------


def test_holding_freezes_the_pack_with_its_files_and_fingerprints(world):
    planned = meeting(world.cotech, ON)
    held = services.hold_meeting(planned, pilot(world), world.pilot, ON)
    held.refresh_from_db()
    assert held.status == MeetingStatus.HELD
    assert held.held_by == world.pilot
    assert held.held_at is not None
    assert held.pack["schema"] == packs.SCHEMA
    assert held.pack["meeting"] == {
        **held.pack["meeting"],
        "id": held.pk,
        "date": "2026-11-10",
        "status": "held",
    }
    canonical = json.dumps(held.pack, sort_keys=True, ensure_ascii=False).encode()
    assert held.pack_sha256 == hashlib.sha256(canonical).hexdigest()
    pdf, xlsx = bytes(held.pack_pdf), bytes(held.pack_xlsx)
    assert pdf.startswith(b"%PDF-")
    assert xlsx.startswith(b"PK")
    assert held.pack_pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert held.pack_xlsx_sha256 == hashlib.sha256(xlsx).hexdigest()


def test_a_held_meetings_pack_and_files_do_not_change_after_a_data_change(world):
    store(world.indicator, Period(2026, "C10"), "24")
    held = services.hold_meeting(meeting(world.cotech, ON), pilot(world), world.pilot, ON)
    held.refresh_from_db()
    before = (held.pack, held.pack_sha256, bytes(held.pack_pdf), bytes(held.pack_xlsx))
    value = world.indicator.values.get()
    value.value = Decimal("31")
    value.save()
    contract(world, notification_date=date(2026, 3, 2), amount=Decimal("90000"))
    assert (
        packs.build_pack(world.cotech, on=ON, meeting=held)["indicators"][0]["value"] == "31"
    )  # live changed
    held.refresh_from_db()
    assert (held.pack, held.pack_sha256, bytes(held.pack_pdf), bytes(held.pack_xlsx)) == before
    assert held.pack["indicators"][0]["value"] == "24"


def test_a_meeting_is_held_only_once_not_before_its_date_and_only_by_the_pilot(world):
    planned = meeting(world.cotech, ON)
    with pytest.raises(ValidationError) as error:
        services.hold_meeting(planned, pilot(world), world.pilot, ON - timedelta(days=1))
    assert "à venir" in messages_of(error.value)
    with pytest.raises(PermissionDenied):
        services.hold_meeting(planned, member(world, world.resource_referent), world.resource_referent, ON)
    planned.refresh_from_db()
    assert planned.pack is None
    assert planned.status == MeetingStatus.PLANNED
    services.hold_meeting(planned, pilot(world), world.pilot, ON)
    with pytest.raises(ValidationError) as error:
        services.hold_meeting(planned, pilot(world), world.pilot, ON)
    assert "seule une séance prévue" in messages_of(error.value)


def test_holding_is_all_or_nothing(world, monkeypatch):
    from spaser.governance import workbook

    def broken(pack):
        raise RuntimeError("rendu impossible")

    monkeypatch.setattr(workbook, "pack_xlsx", broken)
    planned = meeting(world.cotech, ON)
    with pytest.raises(RuntimeError):
        services.hold_meeting(planned, pilot(world), world.pilot, ON)
    planned.refresh_from_db()
    assert (planned.status, planned.pack, planned.pack_pdf_sha256) == (MeetingStatus.PLANNED, None, "")


def test_after_holding_the_schedule_and_agenda_are_fixed_but_minutes_may_be_recorded(world):
    held = meeting(world.cotech, ON)
    item = services.agenda_add(meeting=held, membership=pilot(world), title="Indicateurs")
    held = services.hold_meeting(held, pilot(world), world.pilot, ON)
    frozen = held.pack_sha256
    with pytest.raises(ValidationError):
        services.meeting_update(meeting=held, membership=pilot(world), on=ON)
    with pytest.raises(ValidationError):
        services.agenda_add(meeting=held, membership=pilot(world), title="Point ajouté")
    with pytest.raises(ValidationError):
        services.agenda_remove(item=item, membership=pilot(world))
    services.minutes_update(meeting=held, membership=pilot(world), minutes="Relevé des échanges.")
    decisions.decision_save(meeting=held, membership=pilot(world), user=world.pilot, text="Relancer S1")
    services.attendance_record(
        meeting=held, membership=pilot(world), statuses={world.cotech_member: (AttendanceStatus.EXCUSED, "")}
    )
    held.refresh_from_db()
    assert held.minutes == "Relevé des échanges."
    assert held.pack_sha256 == frozen


# --- Attendance, decisions -----------------------------------------------------------------------------


def test_attendance_is_recorded_updated_and_cleared_per_member(world):
    held = meeting(world.cotech, ON)
    seat = world.cotech_member
    services.attendance_record(
        meeting=held, membership=pilot(world), statuses={seat: (AttendanceStatus.REPRESENTED, "par M. Roy")}
    )
    assert Attendance.objects.get(meeting=held, member=seat).note == "par M. Roy"
    services.attendance_record(
        meeting=held, membership=pilot(world), statuses={seat: (AttendanceStatus.PRESENT, "")}
    )
    assert Attendance.objects.get(meeting=held, member=seat).status == AttendanceStatus.PRESENT
    services.attendance_record(meeting=held, membership=pilot(world), statuses={seat: ("", "")})
    assert not Attendance.objects.filter(meeting=held).exists()
    stranger = CommitteeMember.objects.create(committee=world.copil, name="Membre du COPIL")
    with pytest.raises(ValidationError):
        services.attendance_record(
            meeting=held, membership=pilot(world), statuses={stranger: (AttendanceStatus.PRESENT, "")}
        )


def test_decisions_link_only_to_the_organisations_register(world):
    held = meeting(world.cotech, ON)
    decision = decisions.decision_save(
        meeting=held,
        membership=pilot(world),
        user=world.pilot,
        text="Inscrire une clause d'insertion dans les marchés de voirie.",
        indicator=world.indicator,
        commitment=world.commitment,
        direction=world.prescribing,
    )
    assert decision.created_by == world.pilot
    assert decision.history.count() == 1
    foreign = SchemeFactory(organisation=OrganisationFactory())
    from tests.factories import AxisFactory, CommitmentFactory, IndicatorFactory

    foreign_commitment = CommitmentFactory(axis=AxisFactory(scheme=foreign))
    foreign_indicator = IndicatorFactory(method="manual", params={}, commitment=foreign_commitment)
    with pytest.raises(ValidationError) as error:
        decisions.decision_save(
            meeting=held,
            membership=pilot(world),
            user=world.pilot,
            decision=decision,
            text="",
            indicator=foreign_indicator,
            commitment=foreign_commitment,
            direction=DirectionFactory(),
        )
    assert set(error.value.message_dict) == {"text", "indicator", "commitment", "direction"}
    assert error.value.message_dict["text"] == ["Décision : indiquez le texte de la décision."]
    decisions.decision_remove(decision=decision, membership=pilot(world))
    assert not Decision.objects.exists()


# --- Corrective actions --------------------------------------------------------------------------------


def create_action(world, held, **fields):
    values = {
        "title": "Ajouter une clause sociale aux marchés de voirie",
        "owner_direction": world.prescribing,
        "due_date": ON + timedelta(days=60),
        "expected_effect": "S1 au-dessus de 25 % fin 2027.",
    }
    values.update(fields)
    return decisions.corrective_action_create(
        meeting=held, membership=pilot(world), user=world.pilot, **values
    )


def test_a_corrective_action_requires_owner_due_date_and_expected_effect(world):
    held = meeting(world.cotech, ON)
    with pytest.raises(ValidationError) as error:
        create_action(world, held, owner_direction=None, due_date=None, expected_effect=" ", title="")
    assert set(error.value.message_dict) == {"title", "owner_direction", "due_date", "expected_effect"}
    assert error.value.message_dict["owner_direction"] == [
        "Direction pilote : choisissez la direction qui porte l'action."
    ]
    with pytest.raises(ValidationError) as error:
        create_action(world, held, due_date=ON - timedelta(days=1))
    assert "précéder la séance" in error.value.message_dict["due_date"][0]
    other = meeting(world.cotech, ON - timedelta(days=30))
    foreign_decision = Decision.objects.create(meeting=other, text="Ailleurs")
    with pytest.raises(ValidationError) as error:
        create_action(world, held, decision=foreign_decision)
    assert "decision" in error.value.message_dict
    action = create_action(world, held, indicator=world.indicator)
    assert (action.organisation, action.status, action.created_by) == (
        world.organisation,
        CorrectiveStatus.OPEN,
        world.pilot,
    )


def test_owners_follow_up_their_action_and_closing_sets_then_reopening_clears_closed_at(world):
    action = create_action(world, meeting(world.cotech, ON))
    referent = world.prescribing_referent
    update = decisions.corrective_action_update(
        action=action, membership=member(world, referent), user=referent, status=CorrectiveStatus.IN_PROGRESS,
        comment="Clause rédigée avec le facilitateur.",
    )  # fmt: skip
    assert update.by == referent
    assert update.status == CorrectiveStatus.IN_PROGRESS
    decisions.corrective_action_update(
        action=action, membership=member(world, referent), user=referent, status=CorrectiveStatus.DONE,
        comment="Clause insérée dans les trois marchés.",
    )  # fmt: skip
    action.refresh_from_db()
    assert action.status == CorrectiveStatus.DONE
    assert action.closed_at is not None
    assert not CorrectiveAction.objects.open().exists()
    decisions.corrective_action_update(
        action=action, membership=pilot(world), user=world.pilot, status=CorrectiveStatus.IN_PROGRESS,
        comment="Un marché a été relancé sans la clause.",
    )  # fmt: skip
    action.refresh_from_db()
    assert action.closed_at is None
    assert list(action.updates.values_list("status", flat=True)) == ["in_progress", "done", "in_progress"]
    assert action.history.count() == 4


def test_other_directions_and_committee_members_cannot_update_an_action(world):
    action = create_action(world, meeting(world.cotech, ON))
    for user in (world.resource_referent, world.committee_member):
        with pytest.raises(PermissionDenied):
            decisions.corrective_action_update(
                action=action, membership=member(world, user), user=user, status="done", comment="Fait"
            )
    with pytest.raises(ValidationError) as error:
        decisions.corrective_action_update(
            action=action, membership=pilot(world), user=world.pilot, status="fini", comment=""
        )
    assert set(error.value.message_dict) == {"status", "comment"}


def test_an_action_created_at_a_held_cotech_is_carried_into_the_next_cotechs_pack(world):
    first = services.hold_meeting(meeting(world.cotech, ON), pilot(world), world.pilot, ON)
    action = create_action(world, first)
    following = meeting(world.cotech, date(2026, 12, 8))
    pack = packs.build_pack(world.cotech, on=following.date, meeting=following)
    assert [row["id"] for row in pack["corrective_actions"]] == [action.pk]
    assert first.pack["corrective_actions"] == []  # decided after the freeze: the frozen pack is unchanged


def test_agenda_items_of_a_held_meeting_stay(world):
    held = meeting(world.cotech, ON)
    services.agenda_add(meeting=held, membership=pilot(world), title="Indicateurs")
    services.hold_meeting(held, pilot(world), world.pilot, ON)
    assert AgendaItem.objects.filter(meeting=held).count() == 1
