import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from spaser.indicators.models import IndicatorValue


def run(*args) -> list[dict]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("compute_indicators", *args, "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue())


def by_key(rows):
    return {(r["code"], r["year"], r["scope"]): r for r in rows}


def test_organisation_and_direction_figures(perimeter):
    rows = by_key(run("--year", "2024"))
    s1 = rows[("S1", 2024, "organisation")]
    assert (s1["value"], s1["numerator"], s1["denominator"], s1["unknown"]) == (40, 2, 5, 1)
    assert rows[("S2", 2024, "organisation")]["value"] == pytest.approx(16.6667)
    assert rows[("E1", 2024, "organisation")]["value"] == 40
    assert rows[("E2", 2024, "organisation")]["value"] == pytest.approx(33.3333)
    assert rows[("S1", 2024, "direction:a")]["value"] == 50
    assert rows[("E1", 2024, "direction:a")]["value"] == 50
    assert "S5" not in {code for code, _, _ in rows}  # manual: never computed as 0


def test_values_are_stored_with_provenance_and_recomputing_is_idempotent(perimeter):
    run("--year", "2024")
    value = IndicatorValue.objects.get(indicator__code="S1", year=2024, scope="organisation")
    assert value.value == Decimal("40.0000")
    assert (value.numerator, value.denominator, value.unknown) == (2, 5, 1)
    assert value.method_version == "share/1"
    assert value.data_date is not None
    assert "notifiés en 2024" in value.perimeter
    count, history = IndicatorValue.objects.count(), IndicatorValue.history.count()
    run("--year", "2024")
    assert IndicatorValue.objects.count() == count
    assert IndicatorValue.history.count() == history  # nothing changed, nothing rewritten


def test_a_year_without_contracts_has_no_value(perimeter):
    rows = by_key(run("--year", "2025"))
    assert rows[("S1", 2025, "organisation")]["value"] is None
    assert rows[("S1", 2025, "organisation")]["denominator"] == 0


def test_buyer_option_ignores_organisations(perimeter):
    rows = by_key(run("--buyer", "21750001600019"))
    s1 = rows[("S1", 2024, "buyer:21750001600019")]
    assert (s1["value"], s1["numerator"], s1["denominator"]) == (100, 1, 1)
    siren_rows = by_key(run("--buyer", "229300082", "--year", "2023"))
    assert siren_rows[("S1", 2023, "buyer:229300082")]["denominator"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--buyer", "12345"], "ni un SIREN"),
        (["--year", "2031"], "hors de la période"),
        (["--year", "1800"], "Année invalide"),
        (["--period", "T5"], "--period : Période inconnue"),
    ],
)
def test_bad_arguments_are_refused_in_french(perimeter, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_every_period_is_stored_and_shown_on_demand(perimeter):
    """S1 is monthly here: the year and its twelve months (all notified in March 2024 in the fixture)."""
    perimeter.indicators().filter(code="S1").update(frequency="monthly")
    rows = [row for row in run("--year", "2024", "--period", "all") if row["code"] == "S1"]
    organisation = {row["period"]: row for row in rows if row["scope"] == "organisation"}
    assert {"A", "M01", "M03", "M12"} <= set(organisation)
    assert organisation["M03"]["denominator"] == organisation["A"]["denominator"] == 5
    assert organisation["M02"]["value"] is None  # no contract notified in February: pas de données, not 0
    assert organisation["M03"]["period_label"] == "mars 2024"
    assert IndicatorValue.objects.filter(indicator__code="S1", year=2024, scope="organisation").count() == 13
    assert {row["period"] for row in run("--year", "2024")} == {"A"}


def test_buyer_rows_cover_the_computed_catalogue(perimeter):
    from spaser.indicators.catalogue import COMPUTED

    codes = {row["code"] for row in run("--buyer", "22930008201453", "--year", "2024")}
    assert codes == {d.code for d in COMPUTED if d.method != "objects"}
