"""`spaser meeting_pack`: a pack printed or written for a scheduled job — live for a date, frozen for a held
meeting — and French errors."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from spaser.governance import packs
from spaser.governance.models import Committee, CorrectiveAction
from tests.factories import build_register
from tests.governance.conftest import meeting
from tests.governance.test_packs import ON, contract, hold, store


def run(*args) -> str:
    out = StringIO()
    call_command("meeting_pack", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_of_a_live_pack_for_a_date(world):
    store(world.indicator, packs.pack_period(ON), "24")
    pack = json.loads(run("--committee", "cotech", "--date", "2026-11-10"))
    assert pack["schema"] == "spaser-pack/1"
    assert pack["committee"]["kind"] == "cotech"
    assert pack["meeting"]["date"] == "2026-11-10"
    assert pack["period"]["key"] == "C10"
    assert pack["indicators"][0]["value"] == "24"
    for key in ("status_changes", "off_track", "renewals", "awaiting_advice", "alerts", "corrective_actions"):
        assert key in pack


def test_the_date_defaults_to_today_and_accents_are_kept(world):
    output = run("--committee", "COPIL", "--organisation", world.organisation.slug)
    assert json.loads(output)["meeting"]["date"] == timezone.localdate().isoformat()
    assert "Comité de pilotage" in output  # ensure_ascii=False: readable French


def test_a_held_meeting_prints_its_frozen_pack_whatever_the_data_since(world):
    store(world.indicator, packs.pack_period(ON), "24")
    held = hold(meeting(world.cotech, ON))
    frozen = held.pack
    # Data change after the meeting: a new value, a new contract, a new corrective action.
    world.indicator.values.update(value="10")
    contract(world, end_date=ON + timedelta(days=10))
    CorrectiveAction.objects.create(
        organisation=world.organisation,
        meeting=held,
        title="Nouvelle action",
        owner_direction=world.resource,
        due_date=ON,
        expected_effect="—",
    )
    assert json.loads(run("--committee", "cotech", "--meeting", str(held.pk))) == frozen
    # The live pack of the same date did change.
    assert packs.build_pack(world.cotech, on=ON)["indicators"][0]["value"] == "10"


def test_a_planned_meeting_gets_its_live_pack(world):
    planned = meeting(world.cotech, ON)
    pack = json.loads(run("--committee", "cotech", "--meeting", str(planned.pk)))
    assert pack["meeting"]["id"] == planned.pk
    assert pack["meeting"]["status"] == "planned"


def test_json_written_to_a_file(world, tmp_path):
    target = tmp_path / "cotech.json"
    err = StringIO()
    call_command(
        "meeting_pack", "--committee", "cotech", "--date", "2026-11-10", "--output", str(target), stderr=err
    )
    assert json.loads(target.read_text(encoding="utf-8"))["meeting"]["date"] == "2026-11-10"
    assert "écrit dans" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--committee", "codir"], "Comité inconnu : « codir » (attendu : cotech ou copil)."),
        (["--committee", "cotech", "--format", "docx"], "Format inconnu : « docx »"),
        (["--committee", "cotech", "--meeting", "99999"], "Séance inconnue : n° 99999."),
        (["--committee", "cotech", "--meeting", "abc"], "n'est pas un numéro de séance"),
        (["--committee", "cotech", "--date", "10/11/2026"], "n'est pas une date AAAA-MM-JJ"),
        (
            ["--committee", "cotech", "--organisation", "nulle-part"],
            "Organisation inconnue : « nulle-part ».",
        ),
    ],
)
def test_french_errors(world, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


def test_date_and_meeting_together_are_refused(world):
    planned = meeting(world.cotech, ON)
    with pytest.raises(CommandError, match="Indiquez --date ou --meeting, pas les deux"):
        run("--committee", "cotech", "--date", "2026-11-10", "--meeting", str(planned.pk))


def test_a_meeting_of_the_other_committee_is_refused(world):
    copil_meeting = meeting(world.copil, ON)
    with pytest.raises(CommandError, match=r"est une séance du Comité de pilotage \(COPIL\), pas du Comité"):
        run("--committee", "cotech", "--meeting", str(copil_meeting.pk))


def test_a_meeting_of_another_organisation_is_refused(world):
    other = build_register()
    committee = Committee.objects.create(organisation=other.organisation, kind="cotech", name="COTECH")
    theirs = meeting(committee, ON)
    with pytest.raises(CommandError, match="n'est pas une séance de l'organisation"):
        run("--committee", "cotech", "--meeting", str(theirs.pk), "--organisation", world.organisation.slug)


def test_several_organisations_need_organisation(world):
    other = build_register()
    Committee.objects.create(organisation=other.organisation, kind="cotech", name="COTECH bis")
    with pytest.raises(CommandError, match="Plusieurs organisations ont un Comité technique"):
        run("--committee", "cotech")
    assert (
        json.loads(run("--committee", "cotech", "--organisation", other.organisation.slug))["committee"][
            "name"
        ]
        == "COTECH bis"
    )


def test_an_organisation_without_that_committee(db):
    register = build_register()
    with pytest.raises(CommandError, match="n'a pas de Comité technique"):
        run("--committee", "cotech", "--organisation", register.organisation.slug)


def test_binary_formats_need_a_file_when_standard_output_is_not_one(world):
    with pytest.raises(CommandError, match="Le format pdf est binaire : indiquez --output"):
        run("--committee", "cotech", "--format", "pdf")


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("xlsx", b"PK")])
def test_pdf_and_xlsx_of_a_live_pack(world, tmp_path, fmt, magic):
    target = tmp_path / f"dossier.{fmt}"
    call_command(
        "meeting_pack", "--committee", "cotech", "--date", "2026-11-10", "--format", fmt,
        "--output", str(target), stderr=StringIO(),
    )  # fmt: skip
    assert target.read_bytes().startswith(magic)


def test_a_held_meetings_stored_files_are_written_byte_for_byte(world, tmp_path):
    held = hold(meeting(world.cotech, ON))
    held.pack_pdf = b"%PDF-1.7 fige"
    held.pack_pdf_sha256 = hashlib.sha256(held.pack_pdf).hexdigest()
    held.pack_xlsx = b"PK fige"
    held.save()
    for fmt, stored in (("pdf", b"%PDF-1.7 fige"), ("xlsx", b"PK fige")):
        target = tmp_path / f"seance.{fmt}"
        call_command(
            "meeting_pack", "--committee", "cotech", "--meeting", str(held.pk), "--format", fmt,
            "--output", str(target), stderr=StringIO(),
        )  # fmt: skip
        assert target.read_bytes() == stored


def test_a_date_before_any_meeting_is_fine(world):
    pack = json.loads(run("--committee", "cotech", "--date", "2024-01-15"))
    assert pack["period"] == {"year": 2023, "key": "A", "label": "année 2023 complète"}
    assert pack["previous_meeting"] is None
    assert date.fromisoformat(pack["meeting"]["date"]) == date(2024, 1, 15)
