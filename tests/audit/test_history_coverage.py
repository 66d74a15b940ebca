"""Every followed object keeps its history with who, when and before/after, when changed through the real
pages (the user comes from the request) and from a background job or a command (an actor is named)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from spaser.audit import attribution
from spaser.audit.kinds import KINDS
from spaser.core.jobs import JobOutcome, enqueue, job_task
from spaser.governance.models import CorrectiveAction, CorrectiveStatus, Decision
from spaser.indicators.models import IndicatorValue
from spaser.indicators.tasks import recompute_indicators
from spaser.reports import services as report_services
from spaser.reports.models import AnnualReport, ReportStatus
from spaser.schemes.models import Axis, Target
from tests.reports.conftest import TODAY, YEAR

pytestmark = pytest.mark.django_db


def latest(model, **filters):
    return model.history.filter(**filters).order_by("-history_date", "-history_id").first()


def changed(record) -> dict[str, tuple]:
    delta = record.diff_against(record.prev_record)
    return {change.field: (change.old, change.new) for change in delta.changes}


def test_every_followed_model_is_historised():
    for kind in KINDS:
        assert hasattr(kind.model, "history"), kind.model


def test_register_change_by_the_pilot(client, world):
    client.force_login(world.pilot)
    url = f"/schema/{world.scheme.slug}/axes/{world.axis.pk}/modifier/"
    response = client.post(url, {"code": "I", "title": "Des achats solidaires"})
    assert response.status_code == 302
    record = latest(Axis, id=world.axis.pk)
    assert (record.history_type, record.history_user) == ("~", world.pilot)
    assert changed(record)["title"] == ("Des achats socialement responsables", "Des achats solidaires")


def test_targets_changed_and_deleted_by_the_pilot(client, world):
    client.force_login(world.pilot)
    url = f"/schema/{world.scheme.slug}/indicateurs/{world.indicator.pk}/cibles/"
    data = {"cibles-TOTAL_FORMS": 5, "cibles-INITIAL_FORMS": 5}
    for i, value in enumerate(["20", "23,5", "", "27,5", "30"]):
        data[f"cibles-{i}-year"] = 2024 + i
        data[f"cibles-{i}-value"] = value
    assert client.post(url, data).status_code == 302
    updated = latest(Target, indicator_id=world.indicator.pk, year=2025)
    assert (updated.history_type, updated.history_user) == ("~", world.pilot)
    assert changed(updated)["value"] == (Decimal("22.5"), Decimal("23.5"))
    deleted = latest(Target, indicator_id=world.indicator.pk, year=2026)
    assert (deleted.history_type, deleted.history_user, deleted.value) == ("-", world.pilot, Decimal("25"))


def test_computed_values_from_the_worker_name_the_task(world):
    label = "Tâche de fond recompute_indicators"
    assert not IndicatorValue.history.filter(history_change_reason=label).exists()
    recompute_indicators(world.organisation.pk)  # huey immediate mode: the task's real code path
    records = IndicatorValue.history.filter(history_change_reason=label)
    assert records.exists()
    assert not records.filter(history_user__isnull=False).exists()


def test_a_job_is_attributed_to_the_user_who_launched_it(world):
    @job_task("audit_test_retarget")
    def retarget(job, progress):
        target = Target.objects.get(pk=job.params["target"])
        target.value = Decimal(job.params["value"])
        target.save()
        return JobOutcome(counts={"updated": 1})

    target = world.indicator.targets.get(year=2028)
    job = enqueue(
        retarget,
        title="Cibles recalculées",
        params={"target": target.pk, "value": "31"},
        user=world.pilot,
        organisation=world.organisation,
    )
    assert job.status == "done", job.error
    record = latest(Target, id=target.pk)
    assert record.history_user == world.pilot
    assert record.history_change_reason == f"Tâche de fond n° {job.pk} : Cibles recalculées"
    assert changed(record)["value"] == (Decimal("30"), Decimal("31"))


def test_commands_and_explicit_actors_are_named(world):
    assert attribution.command_label(["/srv/.venv/bin/spaser", "compute_indicators"]) == (
        "Commande spaser compute_indicators"
    )
    assert attribution.command_label(["pytest", "tests/"]) is None
    with attribution.acting_as("Reprise des données 2024"):
        world.axis.title = "Renommé par une reprise"
        world.axis.save()
    record = latest(Axis, id=world.axis.pk)
    assert (record.history_user, record.history_change_reason) == (None, "Reprise des données 2024")
    world.axis.title = "Renommé hors de tout contexte"
    world.axis.save()
    assert latest(Axis, id=world.axis.pk).history_change_reason == attribution.SYSTEM_LABEL


def test_a_reason_given_by_a_service_is_kept(world):
    with attribution.acting_as("Tâche de fond"):
        world.axis._change_reason = "Import du fichier du schéma"
        world.axis.save()
    assert latest(Axis, id=world.axis.pk).history_change_reason == "Import du fichier du schéma"


def test_decision_edited_by_the_pilot(client, world):
    client.force_login(world.pilot)
    url = reverse("governance:decision_edit", args=[world.june_decision.pk])
    response = client.post(url, {"text": "Point d'étape validé, avec réserves."})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = latest(Decision, id=world.june_decision.pk)
    assert (record.history_type, record.history_user) == ("~", world.pilot)
    assert changed(record)["text"] == ("Point d'étape validé.", "Point d'étape validé, avec réserves.")


def test_corrective_action_followed_up_by_its_owner(client, world):
    action = CorrectiveAction.objects.create(
        organisation=world.organisation,
        meeting=world.june_copil,
        title="Relancer la voirie",
        owner_direction=world.prescribing,
        due_date=TODAY,
        expected_effect="Un effet mesurable.",
    )
    client.force_login(world.prescribing_referent)
    url = reverse("governance:action", args=[action.pk])
    response = client.post(url, {"status": "done", "comment": "Trois marchés relancés."})
    assert response.status_code == 302
    record = latest(CorrectiveAction, id=action.pk)
    assert (record.history_type, record.history_user) == ("~", world.prescribing_referent)
    assert changed(record)["status"] == (CorrectiveStatus.OPEN, CorrectiveStatus.DONE)
    update = action.updates.get()
    follow_up = update.history.get()
    assert (follow_up.history_type, follow_up.history_user, follow_up.comment) == (
        "+",
        world.prescribing_referent,
        "Trois marchés relancés.",
    )


def test_report_validated_and_published_by_the_pilot(client, world):
    draft = report_services.report_generate(scheme=world.scheme, year=YEAR, user=world.pilot, today=TODAY)
    client.force_login(world.pilot)
    client.post(reverse("reports:validate", args=[draft.pk]), {"decision": world.decision.pk})
    record = latest(AnnualReport, id=draft.pk)
    assert record.history_user == world.pilot
    assert changed(record)["status"] == (ReportStatus.DRAFT, ReportStatus.VALIDATED)
    assert changed(record)["decision"] == (None, world.decision.pk)
