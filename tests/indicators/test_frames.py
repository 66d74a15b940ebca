"""The engine's polars backend gives exactly the SQL engine's figures: on a random world with every kind of
gap, for every buyer SIREN and year, every contract-based indicator of the catalogue and hand-written
conditions of every kind — value, numerator, denominator, unknowns and details. Its vectorised finish
(`figures_frame`, the observatory's path) gives exactly the plans' `finish`, rounding ties included."""

import random
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest

from spaser.contracts.models import Contract
from spaser.indicators.catalogue import BY_CODE, COMPUTED, Definition
from spaser.indicators.conditions import compile_condition
from spaser.indicators.engine import compute
from spaser.indicators.frames import (
    FIGURES_SCHEMA,
    FRAME_SCHEMA,
    STORE_COLUMNS,
    compute_frame,
    contracts_frame,
    figures_frame,
)
from spaser.indicators.periods import Period
from spaser.indicators.plans import plan_for
from spaser.observatory.store import CONTRACT_SCHEMA

from .world import YEARS, build_world

pytestmark = pytest.mark.django_db

CONDITIONS = [
    {"flag": "has_social"},
    {"field": "procedure", "in": ["Appel d'offres ouvert", "Procédure adaptée"]},
    {"field": "nature", "equals": "Marché"},
    {"field": "cpv", "prefix": ["45", "79"]},
    {"field": "cpv_division", "in": ["45"]},
    {"field": "reserved_article", "in": ["L2113-12"]},
    {"field": "amount", "min": 100000, "max": 2000000},
    {"field": "current_amount", "min": 200000.5},
    {"field": "duration_months", "max": 12},
    {"field": "advance_rate", "min": 0.1},
    {"field": "estimated_spend", "max": 1000},
    {"field": "bids_received", "equals": 1},
    {"field": "is_framework", "equals": True},
    {"supplier": "inclusive"},
    {"supplier": "ess"},
    {"supplier": "sme"},
    {"supplier": "located", "departement": "93"},
    {"supplier": "located", "region": "11"},
    {"known": "has_environmental"},
    {"known": "procedure"},
    {"known": "amount"},
    {"published_within_days": 61},
    {"all": [{"flag": "has_social"}, {"supplier": "sme"}]},
    {"any": [{"flag": "reserved"}, {"field": "amount", "max": 90000}]},
    {"not": {"flag": "innovative"}},
    {
        "not": {
            "all": [
                {"flag": "has_environmental"},
                {"any": [{"supplier": "ess"}, {"field": "cpv", "prefix": ["15"]}]},
            ]
        }
    },
]


def _hand_written() -> list[Definition]:
    """Each condition in a share in number, and in turn in a share in value, a total, a base, a mean."""
    definitions = []
    for number, spec in enumerate(CONDITIONS):
        definitions.append(Definition(f"N{number}", "", "share", {"measure": "count", "condition": spec}))
        definitions.append([
            Definition(f"V{number}", "", "share", {"measure": "amount", "condition": spec,
                                                   "amount": "current"}),
            Definition(f"T{number}", "", "total", {"measure": "amount", "condition": spec,
                                                   "include_frameworks": True}),
            Definition(f"B{number}", "", "total", {"measure": "count", "base": spec}),
            Definition(f"M{number}", "", "mean", {"field": "advance_rate", "base": spec}),
        ][number % 4])  # fmt: skip
    return definitions


CONTRACT_BASED = [d for d in COMPUTED if d.method in ("share", "total", "mean")]


@pytest.fixture
def world(db):
    scheme = build_world()
    ids = list(Contract.objects.order_by("pk").values_list("pk", flat=True))
    Contract.objects.filter(pk__in=ids[::3]).update(reserved_article="L2113-12")
    Contract.objects.filter(pk__in=ids[1::5]).update(reserved_article="L2113-13")
    Contract.objects.filter(pk__in=ids[::4]).update(estimated_spend=Decimal(500))
    Contract.objects.filter(pk__in=ids[1::7]).update(estimated_spend=Decimal(5000))
    return scheme


def test_every_figure_equals_the_sql_engine(world):
    indicators = CONTRACT_BASED + _hand_written()
    frame = contracts_frame(Contract.objects.all())
    results = compute_frame(frame.lazy(), indicators, group_by=["buyer_siren", "notification_year"])
    assert not results.not_computable
    sirens = sorted({siret[:9] for siret in Contract.objects.values_list("buyer_siret", flat=True)})
    assert len(sirens) == 3
    compared = with_unknowns = 0
    for siren in sirens:
        contracts = Contract.objects.filter(buyer_siret__startswith=siren)
        for year in YEARS:
            figures = results[(siren, year)]
            assert set(figures) == {definition.code for definition in indicators}
            for definition in indicators:
                expected = compute(definition.method, definition.params, contracts, Period(year))
                assert figures[definition.code] == expected, (definition.code, definition.params, siren, year)
                compared += 1
                with_unknowns += bool(expected.unknown and expected.value)
    assert compared == 3 * len(YEARS) * len(indicators)
    assert with_unknowns > 100  # the world exercises the unknowns, not only empty figures


def test_conditions_select_the_same_contracts_in_sql_and_in_a_frame(world):
    frame = contracts_frame(Contract.objects.all())
    for spec in CONDITIONS:
        condition = compile_condition(spec)
        yes_expr, no_expr = condition.frame
        rows = frame.select("uid", yes=yes_expr, no=no_expr)
        assert rows["yes"].null_count() == rows["no"].null_count() == 0, spec
        frame_yes = set(rows.filter("yes")["uid"])
        frame_no = set(rows.filter("no")["uid"])
        assert frame_yes == set(Contract.objects.filter(condition.yes).values_list("uid", flat=True)), spec
        assert frame_no == set(Contract.objects.filter(condition.no).values_list("uid", flat=True)), spec
        assert frame_yes, spec  # the world exercises both answers
        assert frame_no, spec


def test_without_supplier_facts_supplier_indicators_are_reported_and_the_others_unchanged(world):
    full = contracts_frame(Contract.objects.all())
    national = contracts_frame(Contract.objects.all(), suppliers=False)
    assert "suppliers" not in national.columns
    group_by = ["buyer_siren", "notification_year"]
    everything = compute_frame(full, CONTRACT_BASED, group_by=group_by)
    without = compute_frame(national, CONTRACT_BASED, group_by=group_by)
    supplier_based = {"S7", "S7b", "S8", "C1", "C1b", "C4c"}
    assert set(without.not_computable) == supplier_based
    assert all("titulaires" in reason for reason in without.not_computable.values())
    assert without.keys() == everything.keys()
    for key, figures in without.items():
        assert figures == {code: r for code, r in everything[key].items() if code not in supplier_based}


def test_indicators_that_are_not_contract_based_are_reported_not_computed(world):
    asked = [BY_CODE[code] for code in ("S1", "S5a", "S6a", "T1", "S9")]
    results = compute_frame(contracts_frame(Contract.objects.all()), asked, group_by=["buyer_siren"])
    assert set(results.not_computable) == {"S5a", "S6a", "T1", "S9"}
    assert {code for figures in results.values() for code in figures} == {"S1"}
    assert sum(figures["S1"].details["contrats"] for figures in results.values()) == (
        Contract.objects.filter(kind="marche").count()
    )


def test_a_frame_of_the_store_columns_only_computes_what_national_data_allows():
    """Without the database: a tiny frame with the store's columns, figures worked out by hand."""
    rows = {
        "uid": ["a", "b", "c", "d"],
        "buyer_siren": ["1"] * 4,
        "kind": ["marche", "marche", "marche", "concession"],
        "amount": [Decimal("100.00"), None, Decimal("300.00"), Decimal("5.00")],
        "is_framework": [False, False, True, False],
        "has_social": [True, None, False, True],
    }
    frame = pl.DataFrame(rows, schema={name: FRAME_SCHEMA[name] for name in rows})
    results = compute_frame(frame, [BY_CODE["S1"], BY_CODE["S2"], BY_CODE["C7"]], group_by=["buyer_siren"])
    assert set(results.not_computable) == {"C7"}  # no `innovative` column
    s1, s2 = results[("1",)]["S1"], results[("1",)]["S2"]
    assert (s1.value, s1.numerator, s1.denominator, s1.unknown) == (Decimal("33.3333"), 1, 3, 1)
    # in value: b has no amount, c is a framework agreement: only a counts
    assert (s2.value, s2.numerator, s2.denominator, s2.unknown) == (Decimal(100), 100, 100, 0)
    assert s2.details["accords_cadres"] == 1
    assert s2.details["montant_accords_cadres"] == "300.00"


def test_the_frame_columns_are_the_store_columns():
    store = pl.from_arrow(CONTRACT_SCHEMA.empty_table()).schema
    assert tuple(store) == STORE_COLUMNS
    assert {name: FRAME_SCHEMA[name] for name in STORE_COLUMNS} == dict(store)


def _same(row: dict, result) -> bool:
    """A row of figures_frame against a Result: floats of the same decimals."""
    value = None if result.value is None else float(result.value)
    return (
        row["value"] == value
        and row["numerator"] == float(result.numerator)
        and row["denominator"] == float(result.denominator)
        and row["unknown"] == result.unknown
        and row["method_version"] == result.method_version
    )


def test_the_vectorised_finish_gives_every_figure_of_finish(world):
    indicators = CONTRACT_BASED + _hand_written()
    group_by = ["buyer_siren", "notification_year"]
    frame = contracts_frame(Contract.objects.all())
    results = compute_frame(frame, indicators, group_by=group_by)
    left_out = {}
    figures = figures_frame(frame, indicators, group_by=group_by, left_out=left_out)
    assert not left_out
    assert figures.schema == pl.Schema(
        {"buyer_siren": pl.String, "notification_year": pl.Int16, **FIGURES_SCHEMA}
    )
    assert figures.height == len(results) * len(indicators)
    for row in figures.iter_rows(named=True):
        expected = results[(row["buyer_siren"], row["notification_year"])][row["code"]]
        assert _same(row, expected), (row, expected)


def test_the_vectorised_finish_rounds_ties_and_big_sums_as_finish():
    """Sums drawn to hit the rounding's edges: ties at the 4th decimal (1/128 = 0.78125 %), negative amounts,
    zero denominators, sums beyond 2^53 cents, float sums of rates."""
    randomly = random.Random(8)
    count_share = plan_for("share", {"measure": "count", "condition": "has_social"})
    amount_share = plan_for("share", {"measure": "amount", "condition": "has_social"})
    amount_total = plan_for("total", {"measure": "amount", "condition": "has_social"})
    rate_mean = plan_for("mean", {"field": "advance_rate"})
    count_mean = plan_for("mean", {"field": "bids_received"})
    plans = [count_share, amount_share, amount_total, rate_mean, count_mean]
    aliases = {}
    for plan in plans:
        plan.a = {name: f"{id(plan)}_{name}" for name in _aggregates(plan)}
    rows = []
    for _ in range(3_000):
        denominator = randomly.choice([0, 1, 3, 7, 64, 128, 256, 625, 2**20, 10**6, 2**40])
        numerator = randomly.randint(0, denominator) if denominator else 0
        euros = randomly.choice([1, 3, -1, 10**7]) * Decimal("0.01")  # 10^5 € × 2^40: beyond 2^63 cents
        cents = euros * numerator
        measured = euros * denominator * randomly.choice([1, 1, -1])
        row = {}
        for plan in plans:
            for name, alias in plan.a.items():
                value = {
                    "yes_count": numerator, "measured": denominator, "contracts": denominator,
                    "unknown": denominator - numerator, "yes_amount": cents.quantize(Decimal("0.01")),
                    "measured_amount": measured.quantize(Decimal("0.01")),
                    "total": randomly.random() * numerator if plan is rate_mean else numerator * 7,
                }.get(name, 0)  # fmt: skip
                row[alias] = value
                aliases[alias] = name
        rows.append(row)
    schema = {}
    for plan in plans:
        for name, alias in plan.a.items():
            if name in ("yes_amount", "measured_amount"):
                schema[alias] = pl.Decimal(38, 2)
            elif plan is rate_mean and name == "total":
                schema[alias] = pl.Float64
            else:
                schema[alias] = pl.Int64
    sums = pl.DataFrame(rows, schema=schema, orient="row")
    from spaser.indicators.frames import _fixed

    exact = {alias: _fixed(alias, dtype) for alias, dtype in sums.schema.items()}
    compared = ties = 0
    for plan in plans:
        out = sums.select(**plan.finish_columns(exact.__getitem__))
        for row, sums_row in zip(out.iter_rows(named=True), rows, strict=True):
            expected = plan.finish(sums_row.get)
            value = None if expected.value is None else float(expected.value)
            assert row["value"] == value, (
                plan.method,
                sums_row,
                row,
            )
            assert row["numerator"] == float(expected.numerator)
            assert row["denominator"] == float(expected.denominator)
            assert row["unknown"] == expected.unknown
            compared += 1
            if plan.method == "share" and expected.denominator:
                ties += (
                    Fraction(expected.numerator) * 1_000_000 / Fraction(expected.denominator)
                ).denominator == 2
    assert compared == 5 * 3_000
    assert ties > 50  # ties at the rounding place were met (and rounded half to even)


def _aggregates(plan) -> list[str]:
    names = ["contracts", "frameworks", "frameworks_amount", "no_amount", "measured", "yes_count", "unknown"]
    if plan.method == "mean":
        return [*names, "total"]
    if plan.by_amount:
        return [*names, "measured_amount", "yes_amount", "unknown_amount"]
    return names
