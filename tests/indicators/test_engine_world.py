"""Every path of the engine agrees with the straightforward one (one query per figure), on a random world
with every kind of gap: the grouped pass over a whole scheme, the classification of single contracts, the
drill-down lists, and the conditions evaluated in SQL and in Python."""

from datetime import date
from decimal import Decimal

import pytest

from spaser.contracts.models import Contract
from spaser.indicators.catalogue import CATALOGUE, COMPUTED
from spaser.indicators.conditions import compile_condition
from spaser.indicators.engine import classify_contract, compute, compute_scheme, in_period
from spaser.indicators.periods import Period
from spaser.indicators.plans import ContractPlan, plan_for
from spaser.indicators.scopes import organisation_scopes
from spaser.schemes.models import Frequency

from .world import TODAY, YEARS, add_catalogue, build_world

pytestmark = pytest.mark.django_db

FREQUENCIES = [Frequency.YEARLY, Frequency.QUARTERLY, Frequency.MONTHLY, Frequency.SEMIANNUAL]
CONDITIONS = [
    {"flag": "has_social"},
    {"field": "procedure", "in": ["Appel d'offres ouvert", "Procédure adaptée"]},
    {"field": "cpv", "prefix": ["45", "79"]},
    {"field": "amount", "min": 100000, "max": 2000000},
    {"field": "bids_received", "equals": 1},
    {"field": "is_framework", "equals": True},
    {"supplier": "inclusive"},
    {"supplier": "ess"},
    {"supplier": "sme"},
    {"supplier": "located", "departement": "93"},
    {"supplier": "located", "region": "11"},
    {"known": "has_environmental"},
    {"published_within_days": 61},
    {"all": [{"flag": "has_social"}, {"supplier": "sme"}]},
    {"any": [{"flag": "reserved"}, {"field": "amount", "max": 90000}]},
    {"not": {"flag": "innovative"}},
]


@pytest.fixture
def world(db):
    return add_catalogue(build_world())


def test_the_grouped_pass_equals_one_query_per_figure(world):
    scopes = organisation_scopes(world.organisation, mutualised=True)
    indicators = list(world.indicators().computed())
    figures = compute_scheme(
        indicators=indicators, scopes=scopes, years=list(YEARS), scheme=world, today=TODAY
    )
    kinds = {(f.period.kind, f.scope.kind) for f in figures}
    assert {"year", "quarter", "month", "semester", "to_date"} <= {kind for kind, _scope in kinds}
    assert {"organisation", "buyer", "direction"} <= {scope for _kind, scope in kinds}
    checked = 0
    for figure in figures:
        if figure.source == "objects":
            continue
        expected = compute(
            figure.indicator.method, figure.indicator.params, figure.scope.contracts, figure.period
        )
        assert figure.result == expected, (figure.indicator.code, figure.scope.key, figure.period)
        checked += 1
    assert checked > 2_000
    assert any(f.result.value is not None and f.result.unknown for f in figures)


def test_every_catalogue_indicator_is_computed_or_says_why_not(world):
    scopes = organisation_scopes(world.organisation, mutualised=True)
    figures = compute_scheme(
        indicators=list(world.indicators()), scopes=scopes, years=[2024], scheme=world, today=TODAY
    )
    computed = {figure.indicator.code for figure in figures if figure.result.value is not None}
    # E4 counts consultations launched from 22 August 2026 (loi Climat): none in 2024, computed on 2026.
    assert "E4" not in computed
    later = compute_scheme(
        indicators=list(world.indicators().filter(code="E4")), scopes=scopes, years=[2026], scheme=world,
        today=date(2026, 12, 31),
    )  # fmt: skip
    computed |= {figure.indicator.code for figure in later if figure.result.value is not None}
    assert computed == {definition.code for definition in COMPUTED}
    for definition in CATALOGUE:
        assert definition.computed or definition.method == "manual"
        assert not definition.computed or not definition.missing


@pytest.mark.parametrize(
    "definition", [d for d in COMPUTED if d.method in ("share", "total", "mean")], ids=str
)
def test_single_contracts_add_up_to_the_figure(world, definition):
    scope = organisation_scopes(world.organisation, mutualised=False)[0]
    period = Period(2024)
    contracts = in_period(scope.contracts, "contracts", period).prefetch_related("suppliers")
    numerator = denominator = Decimal(0)
    unknown = 0
    for contract in contracts:
        classification = classify_contract(definition.method, definition.params, contract)
        numerator += classification.numerator
        denominator += classification.denominator
        unknown += classification.unknown
    result = compute(definition.method, definition.params, scope.contracts, period)
    assert (numerator, denominator, unknown) == (result.numerator, result.denominator, result.unknown)


@pytest.mark.parametrize("definition", [d for d in COMPUTED if d.method == "share"], ids=str)
def test_the_drill_down_lists_exactly_the_counted_contracts(world, definition):
    scope = organisation_scopes(world.organisation, mutualised=False)[0]
    period = Period(2025)
    plan = plan_for(definition.method, definition.params)
    assert isinstance(plan, ContractPlan)
    contracts = in_period(scope.contracts, "contracts", period)
    result = compute(definition.method, definition.params, scope.contracts, period)
    if definition.params["measure"] == "count":
        assert plan.contracts(contracts, "numerator").count() == result.numerator
        assert plan.contracts(contracts, "denominator").count() == result.denominator
    weight = plan.field
    numerator = sum((getattr(c, weight) or 0) for c in plan.contracts(contracts, "numerator"))
    if definition.params["measure"] == "amount":
        assert numerator == result.numerator
    assert plan.contracts(contracts, "unknown").count() == result.unknown
    parts = sum(plan.contracts(contracts, part).count() for part in ("denominator", "excluded"))
    assert parts == contracts.count()


@pytest.mark.parametrize("spec", CONDITIONS, ids=lambda spec: str(spec)[:60])
def test_conditions_agree_in_sql_and_in_python(world, spec):
    condition = compile_condition(spec)
    contracts = Contract.objects.prefetch_related("suppliers")
    yes = set(Contract.objects.filter(condition.yes).values_list("pk", flat=True))
    no = set(Contract.objects.filter(condition.no).values_list("pk", flat=True))
    assert not yes & no
    seen = {True: 0, False: 0, None: 0}
    for contract in contracts:
        value = condition.evaluate(contract)
        seen[value] += 1
        assert (contract.pk in yes, contract.pk in no) == (value is True, value is False), contract.uid
    assert sum(seen.values()) == Contract.objects.count()
    assert seen[True]  # the world exercises both answers (and unknown, where it can be)
    assert seen[False]


def test_live_figures_equal_the_stored_ones_and_cover_any_period(world):
    """A meeting pack reads figures computed now for any period: the same numbers as the stored values where
    both exist, and a year to date the stored values do not hold."""
    from spaser.indicators.models import IndicatorValue
    from spaser.indicators.selectors import figures_for, live_figures
    from spaser.indicators.services import compute_scheme_indicators

    compute_scheme_indicators(scheme=world, years=list(YEARS), today=TODAY)
    year = Period(TODAY.year - 1)
    stored = {f.code: f for f in figures_for(scheme=world, period=year)}
    live = {f.code: f for f in live_figures(scheme=world, period=year, today=TODAY)}
    assert stored.keys() == live.keys()
    computed_codes = {i.code for i in world.indicators().computed()}
    compared = 0
    for code in computed_codes:
        assert live[code].number == stored[code].number, code
        assert live[code].previous_number == stored[code].previous_number, code
        assert live[code].status == stored[code].status, code
        compared += live[code].number is not None
    assert compared > 10
    may = Period(TODAY.year - 1, "C05")
    assert not IndicatorValue.objects.filter(period="C05").exists()
    live_may = live_figures(scheme=world, period=may, today=TODAY)
    assert sum(f.number is not None for f in live_may) > 10
    share = next(f for f in live_may if f.code == "S1")
    expected = compute(
        share.indicator.method,
        share.indicator.params,
        Contract.objects.for_organisation(world.organisation),
        may,
    )
    assert share.number == expected.value
