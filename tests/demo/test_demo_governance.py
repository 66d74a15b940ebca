"""The governance of the demo (spaser.demo.governance): after `load_demo`, the pilot finds a COTECH and a
COPIL with their members, two COTECHs and a COPIL held with their frozen packs, decisions and corrective
actions (done, in progress, overdue), the next meetings planned; the next COTECH's pack carries the open
actions; T5b counts the meetings held."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from spaser.demo.governance import calendar_of
from spaser.demo.users import DEMO_PASSWORD
from spaser.governance.models import (
    AttendanceStatus,
    Committee,
    CommitteeKind,
    CorrectiveAction,
    CorrectiveStatus,
    MeetingStatus,
)
from spaser.governance.packs import build_pack
from spaser.indicators.models import IndicatorValue
from spaser.schemes.models import Scheme


@pytest.fixture
def demo(demo_output):
    # Loaded once for the package (conftest.py), the held meetings' PDF and XLSX rendered as at a real commit.
    return demo_output


def test_the_pilot_finds_the_committees_their_held_meetings_and_the_corrective_actions(demo, client):
    today = timezone.localdate()
    dates = calendar_of(today)
    cotech = Committee.objects.get(kind=CommitteeKind.COTECH)
    copil = Committee.objects.get(kind=CommitteeKind.COPIL)
    seats = {member.direction.slug for member in cotech.members.exclude(direction=None)}
    assert {"dcap", "dter", "dieess", "batiments", "colleges"} <= seats  # resource and prescribing directions
    accounts = set(cotech.members.exclude(user=None).values_list("user__username", flat=True))
    assert accounts == {"pilote", "ecologie", "insertion", "batiments", "colleges"}
    assert copil.members.filter(function="Directrice générale des services").exists()
    assert (cotech.frequency_months, copil.frequency_months) == (1, 6)

    held = list(cotech.meetings.held().order_by("date"))
    assert [m.date for m in held] == dates["cotechs"]
    assert [m.date for m in copil.meetings.held()] == [dates["copil"]]
    for meeting in [*held, copil.meetings.held().get()]:  # every held meeting has its frozen pack and files
        assert meeting.pack["schema"] == "spaser-pack/1"
        assert meeting.pack_pdf_sha256 == hashlib.sha256(bytes(meeting.pack_pdf)).hexdigest()
        assert bytes(meeting.pack_pdf).startswith(b"%PDF")
        assert meeting.pack_xlsx_sha256 == hashlib.sha256(bytes(meeting.pack_xlsx)).hexdigest()
        assert meeting.attendances.filter(status=AttendanceStatus.PRESENT).count() >= 3
        assert meeting.minutes
    assert held[1].pack["previous_meeting"]["id"] == held[0].pk
    planned = cotech.meetings.filter(status=MeetingStatus.PLANNED).get()
    assert planned.date == dates["next_cotech"] > today
    assert planned.agenda_items.count() == 5
    next_copil = copil.meetings.filter(status=MeetingStatus.PLANNED).get()
    assert next_copil.date == dates["next_copil"] > today
    assert next_copil.validates_annual_review == (next_copil.date.month == 12)

    # Decisions, one linked to an indicator; corrective actions done, in progress and overdue.
    first = held[0]
    assert first.decisions.exclude(indicator=None).exists()
    actions = {action.status: action for action in CorrectiveAction.objects.all()}
    assert set(actions) == {CorrectiveStatus.DONE, CorrectiveStatus.IN_PROGRESS, CorrectiveStatus.OPEN}
    overdue = actions[CorrectiveStatus.OPEN]
    assert overdue.due_date < today
    assert overdue.meeting == first
    assert actions[CorrectiveStatus.DONE].closed_at is not None
    assert actions[CorrectiveStatus.IN_PROGRESS].due_date > today
    assert actions[CorrectiveStatus.IN_PROGRESS].updates.get().comment
    # The second COTECH's frozen pack carried the first one's actions, the overdue one flagged.
    carried = {row["id"]: row for row in held[1].pack["corrective_actions"]}
    assert carried[overdue.pk]["overdue"] is True

    # The pilot's view of the first COTECH: its decisions and corrective actions.
    client.login(username="pilote", password=DEMO_PASSWORD)
    page = client.get(reverse("governance:meeting", kwargs={"pk": first.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    for decision in first.decisions.all():
        assert escape(decision.text) in text
    assert overdue.title in text
    assert client.get(reverse("governance:pack_pdf", kwargs={"pk": first.pk}))["Content-Type"] == (
        "application/pdf"
    )


def test_the_next_cotech_pack_shows_the_open_actions_and_t5b_counts_the_meetings(demo):
    today = timezone.localdate()
    dates = calendar_of(today)
    cotech = Committee.objects.get(kind=CommitteeKind.COTECH)
    planned = cotech.meetings.get(status=MeetingStatus.PLANNED)
    pack = build_pack(cotech, on=planned.date, meeting=planned)  # live, for the next COTECH
    rows = {row["id"]: row for row in pack["corrective_actions"]}
    open_actions = CorrectiveAction.objects.open()
    assert set(open_actions.values_list("pk", flat=True)) <= set(rows)
    overdue = open_actions.get(status=CorrectiveStatus.OPEN)
    assert rows[overdue.pk]["overdue"] is True
    in_progress = open_actions.get(status=CorrectiveStatus.IN_PROGRESS)
    assert rows[in_progress.pk]["status_label"] == "En cours"
    assert pack["previous_meeting"]["date"] == dates["cotechs"][-1].isoformat()

    # The held COPIL's pack: trajectory per axis, a scorecard per direction, the annual review.
    copil = Committee.objects.get(kind=CommitteeKind.COPIL).meetings.held().get()
    scheme = Scheme.objects.get(organisation=cotech.organisation)
    trajectory = copil.pack["trajectory"]
    assert [axis["axis_code"] for axis in trajectory] == list(scheme.axes.values_list("code", flat=True))
    assert sum(len(axis["indicators"]) for axis in trajectory) == scheme.indicators().count()
    assert len(copil.pack["scorecards"]) == 9
    assert copil.pack["annual_review"]["year"] in (copil.date.year, copil.date.year - 1)
    # Its figures: the year to date at the end of the month before it, as stored then (the demo's purchase
    # process has 2026 figures; its DECP contracts stop in 2025), and the past years on the trajectory.
    assert copil.pack["period"]["key"] == f"C{copil.date.month - 1:02d}"
    t2 = next(row for row in copil.pack["indicators"] if row["code"] == "T2")
    assert t2["value"] is not None
    s1 = next(i for axis in trajectory for i in axis["indicators"] if i["code"] == "S1")
    assert s1["values"]["2024"] is not None
    assert s1["values"]["2025"] is not None

    # T5b: the meetings held in the year of the latest one, against 12 + 2 expected a year.
    year = dates["cotechs"][-1].year
    t5b = IndicatorValue.objects.get(indicator__code="T5b", year=year, period="A", scope="organisation")
    held = sum(1 for d in [*dates["cotechs"], dates["copil"]] if d.year == year)
    assert (t5b.value, t5b.denominator) == (held, 14)
    assert t5b.details["cotech_tenus"] == sum(1 for d in dates["cotechs"] if d.year == year)
    before = IndicatorValue.objects.get(indicator__code="T5b", year=2024, period="A", scope="organisation")
    assert before.value is None  # committees not followed in Spaser in 2024: pas de données, never 0


NEW_CONTRACT = {
    "marches": {
        "marche": [
            {
                "id": "2026-GOUV-01",
                "acheteur": {"id": "22930008201453"},
                "nature": "Marché",
                "objet": "Marché importé après la séance",
                "codeCPV": "45210000",
                "techniques": {"technique": ["Sans objet"]},
                "procedure": "Appel d'offres ouvert",
                "lieuExecution": {"code": "93", "typeCode": "Code département"},
                "dureeMois": 12,
                "dateNotification": "2026-09-15",
                "datePublicationDonnees": "2026-09-20",
                "montant": 250000,
                "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "32933888305269"}}],
                "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
                "considerationsEnvironnementales": {
                    "considerationEnvironnementale": ["Pas de considération environnementale"]
                },
            }
        ]
    }
}


def test_done_when_the_pilot_holds_a_cotech_and_the_next_pack_carries_its_action(demo, client, tmp_path):
    """Issue 6's « done when », through the pages: on the demo the pilot prepares a COTECH, holds it, records
    a decision and a corrective action; the next COTECH's pack shows that action; the held pack's PDF is
    unchanged after a new import."""
    import json

    from spaser.contracts.models import Contract
    from spaser.governance.models import Decision, Meeting
    from spaser.organisations.models import Direction

    today = timezone.localdate()
    cotech = Committee.objects.get(kind=CommitteeKind.COTECH)
    client.login(username="pilote", password=DEMO_PASSWORD)
    response = client.post(
        reverse("governance:meeting_create", args=[cotech.pk]),
        {"date": today.isoformat(), "start_time": "09:30", "location": "Bobigny"},
    )
    assert response.status_code == 302
    held = cotech.meetings.get(date=today, status=MeetingStatus.PLANNED)
    client.post(reverse("governance:agenda_add", args=[held.pk]), {"title": "Actions correctives"})
    assert held.agenda_items.count() == 1
    assert "Aperçu" in client.get(reverse("governance:meeting", args=[held.pk])).content.decode()

    assert client.post(reverse("governance:meeting_hold", args=[held.pk])).status_code == 302
    held.refresh_from_db()
    assert held.status == MeetingStatus.HELD
    assert held.pack["meeting"]["status"] == "held"
    pdf = client.get(reverse("governance:pack_pdf", args=[held.pk])).content  # rendered from the frozen JSON
    assert pdf.startswith(b"%PDF")
    held.refresh_from_db()
    assert hashlib.sha256(pdf).hexdigest() == held.pack_pdf_sha256

    client.post(
        reverse("governance:decision_add", args=[held.pk]),
        {"text": "Relancer les directions sans revue du besoin avant le prochain COTECH."},
    )
    decision = Decision.objects.get(meeting=held)
    owner = Direction.objects.get(slug="batiments")
    response = client.post(
        reverse("governance:action_create", args=[held.pk]),
        {
            "title": "Revue du besoin des marchés de nettoyage",
            "owner_direction": owner.pk,
            "due_date": (today + timedelta(days=60)).isoformat(),
            "expected_effect": "Chaque marché échu revu avant sa relance.",
            "decision": decision.pk,
        },
    )
    assert response.status_code == 302
    action = CorrectiveAction.objects.get(title="Revue du besoin des marchés de nettoyage")
    assert action.meeting == held
    assert action.decision == decision

    following = Meeting.objects.filter(committee=cotech, status=MeetingStatus.PLANNED).get()
    page = client.get(reverse("governance:meeting", args=[following.pk])).content.decode()
    assert escape("Revue du besoin des marchés de nettoyage") in page  # carried into the next pack
    next_pack = build_pack(cotech, on=following.date, meeting=following)
    assert action.pk in {row["id"] for row in next_pack["corrective_actions"]}

    before = Contract.objects.count()
    source = tmp_path / "nouveau.json"
    source.write_text(json.dumps(NEW_CONTRACT), encoding="utf-8")
    call_command("import_decp", str(source), stdout=StringIO(), stderr=StringIO())
    assert Contract.objects.count() == before + 1
    assert client.get(reverse("governance:pack_pdf", args=[held.pk])).content == pdf
    held.refresh_from_db()
    assert hashlib.sha256(bytes(held.pack_pdf)).hexdigest() == held.pack_pdf_sha256
