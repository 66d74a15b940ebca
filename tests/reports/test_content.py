"""The report content (schema spaser-report/1) built from the stored values of the year."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spaser.reports.content import SCHEMA, build_report_content
from tests.factories import CommitmentFactory, IndicatorFactory, TargetFactory
from tests.reports.conftest import TODAY, YEAR, store

pytestmark = pytest.mark.django_db


def _indicators(content):
    return {i["code"]: i for axis in content["axes"] for c in axis["commitments"] for i in c["indicators"]}


def test_content_carries_the_stored_values_misses_and_unknowns(world):
    content = build_report_content(scheme=world.scheme, year=YEAR, today=TODAY)
    assert content["schema"] == SCHEMA
    assert content["year"] == YEAR
    assert content["version"] is None
    assert content["status"] == "draft"
    assert content["validation"] is None
    indicators = _indicators(content)
    s1 = indicators["S1"]
    assert (s1["value"], s1["target"], s1["status"], s1["status_label"]) == (
        "18",
        "22.5",
        "at_risk",
        "À surveiller",
    )
    assert (s1["previous_value"], s1["difference"]) == ("15", "3")
    assert (s1["unknown"], s1["unknown_share"]) == (5, "10")
    assert s1["national_target"]["value"] == "30"
    assert indicators["E1"]["status"] == "reached"
    # No value: null (« pas de données »), never 0.
    t1 = indicators["T1"]
    assert t1["value"] is None
    assert t1["status"] == "no_data"
    assert t1["manual"] is True
    assert content["summary"]["counts"] == {
        "reached": 1, "on_track": 0, "at_risk": 1, "off_track": 0, "no_target": 0, "no_data": 1,
    }  # fmt: skip
    assert content["summary"]["total"] == 3
    assert content["data_date"] == "2026-01-12"
    assert content["organisation"]["siren"] == world.organisation.siren
    assert content["perimeter"]["buyers"][0]["identifier"].startswith(world.organisation.siren)
    # National targets: misses shown as plainly as successes (E1 reaches its own target, not the PNAD's).
    national = {row["code"]: row for row in content["national"]}
    assert national["E1"]["status"] == "off_track"
    assert national["S1"]["national_target"] == "30"
    assert any(rule.startswith("Considérations :") for rule in content["method"]["counting_rules"])


def test_actions_done_in_the_year_and_late_at_its_end(world):
    content = build_report_content(scheme=world.scheme, year=YEAR, today=TODAY)
    actions = content["actions"]
    assert [a["title"] for a in actions["done"]] == ["Former les acheteurs"]
    assert [(a["title"], a["days_late"]) for a in actions["late"]] == [("Conseiller les directions", 184)]
    assert actions["counts"] == {
        "total": 4, "done": 1, "late": 1, "in_progress": 2, "planned": 1, "abandoned": 0,
    }  # fmt: skip
    by_commitment = content["axes"][0]["commitments"][0]["actions"]
    assert [a["late"] for a in by_commitment] == [False, True, False]
    # In a running year, lateness is judged at the build date.
    running = build_report_content(scheme=world.scheme, year=2026, today=TODAY)
    assert [(a["title"], a["days_late"]) for a in running["actions"]["late"]] == [
        ("Conseiller les directions", (TODAY - world.resource_action.due_date).days)
    ]
    assert running["actions"]["done"] == []


def test_governance_of_the_year(world):
    governance = build_report_content(scheme=world.scheme, year=YEAR, today=TODAY)["governance"]
    assert governance["held"] == {"cotech": 3, "copil": 2}
    assert governance["expected"] == {"cotech": 12, "copil": 2}
    assert [m["status"] for m in governance["meetings"]].count("cancelled") == 1
    assert len(governance["meetings"]) == 6


def test_deterministic_but_for_generated_at(world):
    first = build_report_content(scheme=world.scheme, year=YEAR, today=TODAY)
    second = build_report_content(scheme=world.scheme, year=YEAR, today=TODAY)
    first.pop("generated_at"), second.pop("generated_at")
    assert first == second


def test_reads_stored_values_only(world):
    store(world.s1, YEAR, "21", numerator="10", denominator="50")
    assert (
        _indicators(build_report_content(scheme=world.scheme, year=YEAR, today=TODAY))["S1"]["value"] == "21"
    )


def test_query_count_does_not_grow_with_indicators(world):
    def count():
        with CaptureQueriesContext(connection) as queries:
            build_report_content(scheme=world.scheme, year=YEAR, today=TODAY)
        return len(queries)

    before = count()
    for n in range(30):
        commitment = CommitmentFactory(axis=world.axis, code=f"X.{n}")
        indicator = IndicatorFactory(commitment=commitment, code=f"X{n}")
        TargetFactory(indicator=indicator, year=YEAR, value=Decimal("50"))
        store(indicator, YEAR, str(n), numerator=str(n), denominator="100")
    assert count() == before
    assert before <= 15
