"""Each section of the meeting pack on small worlds: what a committee member reads in it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from spaser.contracts.models import ContractOrigin
from spaser.governance import packs
from spaser.governance.models import CorrectiveAction, CorrectiveStatus, Decision
from spaser.indicators.periods import Period
from spaser.projects.models import Advice, ReferralRule
from spaser.projects.stages import Stage
from spaser.registers.models import InsertionHours
from spaser.renewals.models import Decision as RenewalDecision
from spaser.renewals.models import RenewalReview
from spaser.schemes.models import Action, ActionStatus, Frequency, Unit
from tests.factories import IndicatorFactory, TargetFactory
from tests.governance.conftest import meeting
from tests.governance.test_packs import ON, contract, hold, store
from tests.projects.conftest import make_project

C10 = Period(2026, "C10")


def build(world, on=ON, **kwargs):
    return packs.build_pack(world.cotech, on=on, **kwargs)


# --- indicators, off_track, status_changes ---------------------------------------------------------------


def test_headline_indicators_with_target_last_year_and_traceability(world):
    store(world.indicator, C10, "24", numerator="24", denominator="100", unknown=3)
    store(world.indicator, Period(2025, "C10"), "21.5")
    other = IndicatorFactory(
        method="manual", params={}, commitment=world.commitment, code="T7a", name="Publication des DECP"
    )
    store(other, C10, "50")
    [row] = build(world)["indicators"]  # T7a is not in the headline set
    assert row == {
        "code": "S1",
        "name": world.indicator.name,
        "axis": "I — Des achats socialement responsables",
        "unit": "percent",
        "unit_label": "%",
        "value": "24",
        "target": "25",
        "target_kind": "year",
        "target_label": "cible de l'année",
        "status": "on_track",
        "status_label": "En bonne voie",
        "previous_value": "21.5",
        "difference": "2.5",
        "numerator": "24",
        "denominator": "100",
        "numerator_in_euros": False,  # S1 counts contracts
        "denominator_in_euros": False,
        "unknown": 3,
        "perimeter": "Marchés notifiés par l'organisation, de janvier à fin octobre.",
        "data_date": "2026-10-28",
        "method_version": "share/1",
    }


def test_a_headline_indicator_without_value_reads_no_data_not_zero(world):
    other = IndicatorFactory(
        method="manual",
        params={},
        commitment=world.commitment,
        code="E1",
        name="Considération environnementale",
    )
    store(world.indicator, C10, "24")
    rows = {row["code"]: row for row in build(world)["indicators"]}
    assert rows["E1"]["value"] is None
    assert rows["E1"]["status_label"] == "Pas de données"
    assert rows["E1"]["numerator"] is None
    assert rows["E1"]["perimeter"] is None
    assert other.code in rows


def test_without_values_for_the_period_indicator_sections_say_so(world):
    store(world.indicator, Period(2026, "C09"), "24")  # last month's run: not the pack's period
    pack = build(world)
    for key in ("indicators", "off_track"):
        assert pack[key]["available"] is False
        assert "2026, de janvier à fin octobre" in pack[key]["reason"]


def test_off_track_lists_every_scheme_indicator_en_retard_headline_or_not(world):
    store(world.indicator, C10, "15")  # 60 % of 25: en retard
    late = IndicatorFactory(
        method="manual",
        params={},
        commitment=world.commitment,
        code="T7a",
        name="Publication des DECP",
        owner_direction=world.prescribing,
    )
    TargetFactory(indicator=late, year=2026, value=Decimal("80"))
    store(late, C10, "40")
    fine = IndicatorFactory(
        method="manual", params={}, commitment=world.commitment, code="T7b", name="Considérations renseignées"
    )
    TargetFactory(indicator=fine, year=2026, value=Decimal("80"))
    store(fine, C10, "79")
    off = build(world)["off_track"]
    assert [row["code"] for row in off] == ["S1", "T7a"]
    assert off[1] == {
        "code": "T7a",
        "name": "Publication des DECP",
        "unit": "percent",
        "unit_label": "%",
        "value": "40",
        "target": "80",
        "status": "off_track",
        "status_label": "En retard",
        "owner_direction": "Direction de la voirie",
    }


def test_an_additive_quantity_is_judged_against_its_target_pro_rata(world):
    hours = IndicatorFactory(
        method="manual",
        params={},
        commitment=world.commitment,
        code="S5",
        unit=Unit.HOURS,
        frequency=Frequency.YEARLY,
    )
    TargetFactory(indicator=hours, year=2026, value=Decimal("12000"))
    store(hours, C10, "9500")  # 10 000 expected at the end of October
    store(world.indicator, C10, "24")
    row = next(r for r in build(world)["indicators"] if r["code"] == "S5")
    assert row["target"] == "10000"
    assert row["status"] == "on_track"


def test_status_changes_need_a_previous_held_meeting(world):
    store(world.indicator, C10, "24")
    changes = build(world)["status_changes"]
    assert changes["available"] is False
    assert "Aucune séance précédente" in changes["reason"]


def test_status_changes_compare_with_the_previous_meetings_frozen_pack(world):
    september = Period(2026, "C09")
    store(world.indicator, september, "24")  # en bonne voie in October's pack
    decp = IndicatorFactory(
        method="manual", params={}, commitment=world.commitment, code="T7a", name="Publication des DECP"
    )
    TargetFactory(indicator=decp, year=2026, value=Decimal("80"))
    store(decp, september, "79")
    previous = hold(meeting(world.cotech, date(2026, 10, 6)))
    assert previous.pack["indicators"][0]["status"] == "on_track"
    store(world.indicator, C10, "15")  # now en retard
    store(decp, C10, "40")  # now en retard, was not listed in the previous pack (not off track then)
    pack = build(world)
    assert pack["previous_meeting"]["id"] == previous.pk
    assert pack["status_changes"] == [
        {
            "code": "S1",
            "name": world.indicator.name,
            "previous_status": "on_track",
            "previous_status_label": "En bonne voie",
            "status": "off_track",
            "status_label": "En retard",
        },
        {
            "code": "T7a",
            "name": "Publication des DECP",
            "previous_status": None,
            "previous_status_label": "Pas en retard",
            "status": "off_track",
            "status_label": "En retard",
        },
    ]
    # The frozen pack is what is compared: changing last month's stored values changes nothing.
    store_value = world.indicator.values.get(year=2026, period="C09")
    store_value.value = Decimal("10")
    store_value.save()
    assert build(world)["status_changes"][0]["previous_status"] == "on_track"


def test_no_status_change_when_statuses_stay(world):
    store(world.indicator, Period(2026, "C09"), "24")
    hold(meeting(world.cotech, date(2026, 10, 6)))
    store(world.indicator, C10, "24.5")
    assert build(world)["status_changes"] == []


# --- renewals ---------------------------------------------------------------------------------------------


def test_renewals_counts_and_the_rows_due_within_three_months_or_overdue(world):
    soon = contract(world, end_date=ON + timedelta(days=40), object="Nettoyage des collèges")
    contract(world, end_date=ON + timedelta(days=150))  # within 6 months
    contract(world, end_date=ON + timedelta(days=300))  # within 12 months
    overdue = contract(world, end_date=ON - timedelta(days=20), object="Fournitures de bureau")
    decided = contract(world, end_date=ON - timedelta(days=30))
    RenewalReview.objects.create(
        contract=decided, due_date=decided.end_date, decision=RenewalDecision.RENEW, justification="Besoin."
    )
    contract(world, end_date=ON + timedelta(days=40), kind="concession")  # not a marché
    renewals = build(world)["renewals"]
    assert renewals["counts"] == {"3": 1, "6": 2, "12": 3, "overdue": 1, "without_review": 0}
    assert [row["uid"] for row in renewals["rows"]] == [overdue.uid, soon.uid]  # overdue first
    assert renewals["more"] == 0
    first = renewals["rows"][0]
    assert first["overdue"] is True
    assert first["state_label"] == "En retard"
    assert first["due_date"] == (ON - timedelta(days=20)).isoformat()
    assert first["date_label"] == "Date de fin"
    assert first["direction"] == "Direction de la voirie"


def test_renewal_rows_are_capped_and_say_how_many_more(world, monkeypatch):
    from spaser.governance.sections import renewals as section

    monkeypatch.setattr(section, "ROWS_CAP", 2)
    for days in (10, 20, 30, 40):
        contract(world, end_date=ON + timedelta(days=days))
    renewals = build(world)["renewals"]
    assert len(renewals["rows"]) == 2
    assert renewals["more"] == 2


def test_a_relaunch_without_review_is_counted(world):
    ended = contract(world, end_date=ON - timedelta(days=60), notification_date=date(2022, 9, 1))
    contract(world, notification_date=ON - timedelta(days=30), end_date=date(2029, 1, 1))
    renewals = build(world)["renewals"]
    assert renewals["counts"]["without_review"] == 1
    assert renewals["without_review_rows"][0]["uid"] == ended.uid


# --- awaiting_advice, projects_in_preparation -------------------------------------------------------------


def _rule(world):
    return ReferralRule.objects.create(
        organisation=world.organisation,
        resource_direction=world.resource,
        name="Travaux : avis de la transition écologique",
        cpv_prefixes="45",
        deadline_days=15,
    )


def test_awaiting_advice_lists_open_advice_on_active_projects_with_overdue_flag(world):
    _rule(world)
    waiting = make_project(world, title="Rénovation du collège")
    given = make_project(world, title="Voirie")
    Advice.objects.filter(project=given).update(status="given")
    stopped = make_project(world, title="Abandonné")
    type(stopped).objects.filter(pk=stopped.pk).update(stage=Stage.ABANDONED)
    today = timezone.localdate()
    [row] = packs.build_pack(world.cotech, on=today)["awaiting_advice"]
    assert row["reference"] == waiting.reference
    assert row["title"] == "Rénovation du collège"
    assert row["resource_direction"] == "Délégation à la transition écologique"
    assert row["stage_label"] == "1. Définition du besoin"
    assert row["status_label"] == "Demandé"
    assert row["required"] is True
    assert row["deadline"] == (today + timedelta(days=15)).isoformat()
    assert row["overdue"] is False
    later = packs.build_pack(world.cotech, on=today + timedelta(days=16))
    assert later["awaiting_advice"][0]["overdue"] is True


def test_projects_in_preparation_show_considerations_and_the_loi_climat_check(world):
    conforming = make_project(
        world, title="Conforme", env_clause=True, env_criterion=True, social_clause=True, reserved_lot=None
    )
    missing = make_project(world, title="Sans critère", env_clause=True, env_criterion=False)
    undecided = make_project(world, title="À compléter", env_clause=True)
    before = make_project(world, title="Avant la loi", planned_launch_date=date(2026, 6, 1))
    launched = make_project(world, title="Lancé")
    type(launched).objects.filter(pk=launched.pk).update(stage=Stage.AWARD)
    rows = {row["reference"]: row for row in build(world)["projects_in_preparation"]}
    assert launched.reference not in rows
    assert rows[conforming.reference]["climate"]["conforming"] == "yes"
    assert rows[conforming.reference]["reserved_lot"] is None  # unknown stays unknown
    assert rows[conforming.reference]["env_clause"] is True
    assert rows[missing.reference]["climate"]["conforming"] == "no"
    assert rows[missing.reference]["climate"]["missing"] == [
        "critère environnemental"
    ]  # works under EU threshold
    assert rows[undecided.reference]["climate"]["conforming"] == "unknown"
    assert "critère environnemental" in rows[undecided.reference]["climate"]["undecided"]
    assert rows[before.reference]["climate"]["conforming"] == "not_applicable"
    assert rows[before.reference]["climate"]["label"].startswith("Non concerné")
    assert rows[conforming.reference]["planned_launch_date"] == "2026-12-01"


# --- alerts -----------------------------------------------------------------------------------------------


def _hours(contract_, start, end, planned, realised):
    return InsertionHours.objects.create(
        contract=contract_,
        period_start=start,
        period_end=end,
        hours_planned=None if planned is None else Decimal(planned),
        hours_realised=None if realised is None else Decimal(realised),
    )


def test_insertion_hours_behind_plan_by_contract_with_the_gap(world):
    behind = contract(world, object="Travaux du collège")
    _hours(behind, date(2026, 1, 1), date(2026, 3, 31), "400", "250")
    _hours(behind, date(2026, 4, 1), date(2026, 6, 30), "400", "350")
    _hours(behind, date(2026, 7, 1), date(2026, 12, 31), "400", "0")  # not ended at the meeting
    ahead = contract(world)
    _hours(ahead, date(2026, 1, 1), date(2026, 6, 30), "100", "120")
    unreported = contract(world)
    _hours(unreported, date(2026, 1, 1), date(2026, 6, 30), "100", None)
    alerts = build(world)["alerts"]
    assert alerts["insertion_behind_plan"] == [
        {
            "uid": behind.uid,
            "object": "Travaux du collège",
            "direction": "Direction de la voirie",
            "periods": 2,
            "planned": "800",
            "realised": "600",
            "gap": "200",
            "last_period_end": "2026-06-30",
        }
    ]
    assert alerts["insertion_unreported_periods"] == 1


def test_no_insertion_hours_imported_is_not_none_behind(world):
    contract(world)
    section = build(world)["alerts"]["insertion_behind_plan"]
    assert section["available"] is False
    assert "heures d'insertion" in section["reason"]


def test_contracts_not_published_in_decp_within_two_months(world):
    register_only = contract(
        world, origin=ContractOrigin.REGISTER, notification_date=date(2026, 7, 1), amount=Decimal("90000")
    )
    contract(world, origin=ContractOrigin.REGISTER, notification_date=date(2026, 10, 1))  # delay not over
    contract(
        world, origin=ContractOrigin.REGISTER, notification_date=date(2026, 7, 1), amount=Decimal("20000")
    )
    late = contract(world, notification_date=date(2026, 3, 2), publication_date=date(2026, 5, 20))
    contract(world, notification_date=date(2026, 3, 2), publication_date=date(2026, 4, 1))  # on time
    contract(world, origin=ContractOrigin.REGISTER, notification_date=date(2024, 1, 10))  # older than a year
    rows = build(world)["alerts"]["decp_unpublished"]
    assert [row["uid"] for row in rows] == [late.uid, register_only.uid]
    assert rows[0]["publication_delay"] == 79
    assert rows[0]["reason"] == "Publié le 20/05/2026, 79 jours après la notification"
    assert rows[1]["publication_date"] is None
    assert rows[1]["days_since"] == (ON - date(2026, 7, 1)).days
    assert rows[1]["reason"] == "Absent des DECP : connu seulement du registre interne"


def test_without_contracts_the_decp_alert_says_so(world):
    section = build(world)["alerts"]["decp_unpublished"]
    assert section["available"] is False


def test_late_payments_are_unavailable_with_the_manual_c5_value(world):
    payment = IndicatorFactory(
        method="manual",
        params={},
        commitment=world.commitment,
        code="C5",
        name="Délai moyen de paiement",
        unit=Unit.DAYS,
    )
    section = build(world)["alerts"]["late_payments"]
    assert section["available"] is False
    assert "Aucune donnée de paiement" in section["reason"]
    assert section["manual"] == []
    store(payment, Period(2026, "M09"), "31")
    store(payment, Period(2026, "M08"), "35")
    store(payment, Period(2026, "M11"), "29")  # November not over at the meeting: left out
    [manual] = build(world)["alerts"]["late_payments"]["manual"]
    assert manual["code"] == "C5"
    assert manual["value"] == "31"
    assert manual["period"] == "2026-M09"


# --- corrective actions, late actions, decisions -----------------------------------------------------------


def _action(world, decided_in, title, **fields):
    values = {
        "organisation": world.organisation,
        "meeting": decided_in,
        "title": title,
        "owner_direction": world.resource,
        "due_date": date(2026, 12, 31),
        "expected_effect": "Des clauses sociales dans les marchés de travaux.",
    }
    values.update(fields)
    return CorrectiveAction.objects.create(**values)


def test_open_corrective_actions_are_carried_forward_until_closed(world):
    september = hold(meeting(world.cotech, date(2026, 9, 8)))
    open_action = _action(world, september, "Former les acheteurs", due_date=date(2026, 10, 31))
    open_action.updates.create(status=CorrectiveStatus.IN_PROGRESS, comment="Session prévue.", by=world.pilot)
    done_before = _action(world, september, "Ancienne action", status=CorrectiveStatus.DONE)
    CorrectiveAction.objects.filter(pk=done_before.pk).update(
        closed_at=timezone.make_aware(timezone.datetime(2026, 9, 20, 10))
    )
    hold(meeting(world.cotech, date(2026, 10, 6)))  # the previous meeting: sets what « closed since » means
    done_since = _action(world, september, "Relancer la DRH", status=CorrectiveStatus.DONE)
    CorrectiveAction.objects.filter(pk=done_since.pk).update(
        closed_at=timezone.make_aware(timezone.datetime(2026, 10, 20, 10))
    )
    copil_action = _action(world, hold(meeting(world.copil, date(2026, 6, 15))), "Décidée en COPIL")
    _action(world, meeting(world.cotech, date(2026, 12, 1)), "Décidée plus tard")
    rows = {row["title"]: row for row in build(world)["corrective_actions"]}
    assert set(rows) == {"Former les acheteurs", "Relancer la DRH", "Décidée en COPIL"}
    carried = rows["Former les acheteurs"]
    assert carried["id"] == open_action.pk
    assert carried["decided_on"] == "2026-09-08"
    assert carried["decided_by"] == "COTECH achats responsables"
    assert carried["overdue"] is True
    assert carried["open"] is True
    assert carried["owner_direction"] == "Délégation à la transition écologique"
    assert carried["last_update"]["comment"] == "Session prévue."
    assert carried["last_update"]["status_label"] == "En cours"
    assert rows["Relancer la DRH"]["open"] is False
    assert rows["Relancer la DRH"]["closed_on"] == "2026-10-20"
    assert rows["Relancer la DRH"]["overdue"] is False
    assert rows["Décidée en COPIL"]["id"] == copil_action.pk
    # Closing the carried action takes it out of the next pack (once the meeting after its closing is held).
    open_action.status = CorrectiveStatus.DONE
    open_action.closed_at = timezone.make_aware(timezone.datetime(2026, 11, 5, 9))
    open_action.save()
    hold(meeting(world.cotech, date(2026, 11, 10)))
    later = {row["title"] for row in build(world, on=date(2026, 12, 8))["corrective_actions"]}
    assert "Former les acheteurs" not in later


def test_late_scheme_actions_are_those_past_due_and_not_done(world):
    Action.objects.filter(pk=world.resource_action.pk).update(status=ActionStatus.DONE)
    Action.objects.filter(pk=world.orphan_action.pk).update(due_date=date(2027, 3, 1))
    rows = build(world)["late_actions"]
    assert rows == [
        {
            "title": "Former les acheteurs",
            "commitment": "I.1",
            "owner_direction": "Direction de la voirie",
            "due_date": "2026-06-30",
            "days_late": (ON - date(2026, 6, 30)).days,
            "status": "in_progress",
            "status_label": "En cours",
            "progress": 40,
        }
    ]
    assert build(world, on=date(2026, 6, 30))["late_actions"] == []  # due that day: not late yet


def test_decisions_of_the_meeting_with_their_links(world):
    current = meeting(world.cotech, ON)
    Decision.objects.create(meeting=current, text="Relancer la DRH.", indicator=world.indicator)
    Decision.objects.create(meeting=current, text="Former la voirie.", direction=world.prescribing)
    Decision.objects.create(meeting=meeting(world.cotech, date(2026, 10, 6)), text="Autre séance.")
    rows = build(world, meeting=current)["decisions"]
    assert [row["text"] for row in rows] == ["Relancer la DRH.", "Former la voirie."]
    assert rows[0]["indicator"] == "S1"
    assert rows[0]["direction"] is None
    assert rows[1]["direction"] == "Direction de la voirie"
    preview = build(world)["decisions"]
    assert preview["available"] is False


def test_a_computed_indicator_is_computed_from_the_data_for_the_packs_period(world):
    """No stored value needed: the pack computes S2 (a share in value) for January-October 2026 and the same
    period of 2025 from the contracts themselves; a contract notified in November is outside the period."""
    share = IndicatorFactory(
        commitment=world.commitment,
        code="S2",
        name="Considération sociale, en valeur",
        method="share",
        params={"measure": "amount", "condition": "has_social"},
    )
    contract(
        world,
        notification_date=date(2026, 3, 2),
        notification_year=2026,
        amount=Decimal("300000"),
        has_social=True,
    )
    contract(
        world,
        notification_date=date(2026, 9, 30),
        notification_year=2026,
        amount=Decimal("100000"),
        has_social=False,
    )
    contract(
        world,
        notification_date=date(2026, 11, 2),
        notification_year=2026,
        amount=Decimal("900000"),
        has_social=False,
    )
    contract(
        world,
        notification_date=date(2025, 5, 2),
        notification_year=2025,
        amount=Decimal("50000"),
        has_social=True,
    )
    contract(
        world,
        notification_date=date(2025, 6, 2),
        notification_year=2025,
        amount=Decimal("150000"),
        has_social=False,
    )
    row = next(r for r in build(world)["indicators"] if r["code"] == share.code)
    assert row["value"] == "75"  # 300 000 / 400 000
    assert row["numerator"] == "300000"
    assert row["denominator"] == "400000"
    assert row["previous_value"] == "25"  # 50 000 / 200 000 over January-October 2025
    assert row["difference"] == "50"
