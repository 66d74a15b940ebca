from decimal import Decimal

import pytest

from spaser.contracts.models import Contract
from spaser.indicators.engine import NotComputable, compute
from spaser.indicators.methods import InvalidParams, validate_definition

SOCIAL_COUNT = {"measure": "count", "condition": "has_social"}
SOCIAL_AMOUNT = {"measure": "amount", "condition": "has_social"}


def organisation_2024(scheme):
    return Contract.objects.for_organisation(scheme.organisation).notified_in(2024)


def test_share_in_number_counts_unknown_apart(perimeter):
    result = compute("share", SOCIAL_COUNT, organisation_2024(perimeter))
    assert (result.numerator, result.denominator, result.unknown) == (2, 5, 1)
    assert result.value == Decimal("40.0000")
    assert result.method_version == "share/1"


def test_share_in_value_leaves_out_frameworks_and_missing_amounts(perimeter):
    result = compute("share", SOCIAL_AMOUNT, organisation_2024(perimeter))
    assert result.numerator == Decimal("100000")
    assert result.denominator == Decimal("600000")
    assert result.value == Decimal("16.6667")
    assert result.unknown == 1
    assert result.details["montant_inconnu"] == "300000.00"
    assert result.details["accords_cadres"] == 1
    assert result.details["sans_montant"] == 1


def test_share_in_value_can_include_frameworks(perimeter):
    params = SOCIAL_AMOUNT | {"include_frameworks": True}
    result = compute("share", params, organisation_2024(perimeter))
    assert result.denominator == Decimal("1000000")


def test_empty_perimeter_gives_no_value_not_zero(perimeter):
    result = compute("share", SOCIAL_COUNT, Contract.objects.none())
    assert result.value is None
    assert result.denominator == 0


def test_manual_indicator_is_not_computed(perimeter):
    with pytest.raises(NotComputable):
        compute("manual", {}, organisation_2024(perimeter))


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("average", {}, "méthode de calcul inconnue"),
        ("share", {"measure": "count"}, "« condition »"),
        ("share", {"measure": "sum", "condition": "has_social"}, "« measure »"),
        ("share", {"measure": "count", "condition": "has_social", "extra": 1}, "paramètre inconnu : extra"),
        ("manual", {"x": 1}, "pas de paramètres"),
    ],
)
def test_invalid_definitions_are_refused_in_french(method, params, message):
    with pytest.raises(InvalidParams, match=message):
        validate_definition(method, params)
