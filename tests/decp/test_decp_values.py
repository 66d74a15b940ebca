"""Cleaning of the values real DECP files contain (domain.md §4)."""

from datetime import date
from decimal import Decimal

import pytest

from spaser.decp.values import (
    clean_amount,
    clean_bool,
    clean_cpv,
    clean_date,
    clean_identifier_type,
    clean_rate,
    clean_siret,
    unwrap_list,
)


def codes(flags):
    return [flag.code for flag in flags]


@pytest.mark.parametrize(
    ("raw", "expected", "flag_codes"),
    [
        ("2024-05-30", date(2024, 5, 30), []),
        ("2016-03-09+01:00", date(2016, 3, 9), ["date_fuseau_horaire"]),
        ("2024-01-02T10:00:00Z", date(2024, 1, 2), ["date_fuseau_horaire"]),
        ("30/05/2024", date(2024, 5, 30), ["date_format_francais"]),
    ],
)
def test_dates_keep_the_published_day_and_say_what_was_odd(raw, expected, flag_codes):
    flags = []
    assert clean_date(raw, "dateNotification", flags) == expected
    assert codes(flags) == flag_codes
    assert all(raw in flag.message for flag in flags)


@pytest.mark.parametrize("raw", ["0218-05-04", "2024-02-30", "demain"])
def test_impossible_dates_become_none_with_a_flag(raw):
    flags = []
    assert clean_date(raw, "dateNotification", flags) is None
    assert flags[0].field == "dateNotification"
    assert raw in flags[0].message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(32122.0, Decimal("32122.00")), ("1 234,56", Decimal("1234.56")), (146780, Decimal("146780.00"))],
)
def test_amounts_are_decimals(raw, expected):
    flags = []
    assert clean_amount(raw, "montant", flags) == expected
    assert flags == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (999999999, "montant_fictif"),
        (99_999_999.0, "montant_fictif"),
        (1, "montant_fictif"),
        ("0,5", "montant_fictif"),
        ("NC", "montant_absent"),
        (float("nan"), "montant_absent"),
        ("beaucoup", "montant_illisible"),
        (1e26, "montant_aberrant"),
        (None, "montant_absent"),
    ],
)
def test_placeholder_and_missing_amounts_are_not_money(raw, code):
    flags = []
    assert clean_amount(raw, "montant", flags) is None
    assert codes(flags) == [code]


def test_siret_with_spaces_is_compacted():
    flags = []
    assert clean_siret("229 300 082 01453", "acheteur.id", flags) == "22930008201453"
    assert flags == []


def test_siret_that_lost_its_leading_zero_gets_it_back():
    flags = []
    assert clean_siret("5420224700026", "titulaires[0].id", flags) == "05420224700026"
    assert codes(flags) == ["siret_zero_ajoute"]


def test_siret_with_a_wrong_check_digit_is_kept_and_flagged():
    flags = []
    assert clean_siret("32933888305268", "titulaires[0].id", flags) == "32933888305268"
    assert codes(flags) == ["siret_cle"]


def test_la_poste_siret_is_valid_although_it_fails_luhn():
    flags = []
    assert clean_siret("35600000052135", "titulaires[0].id", flags) == "35600000052135"
    assert flags == []


def test_siret_of_fifteen_digits_is_flagged():
    flags = []
    assert clean_siret("868768687576575", "titulaires[0].id", flags) == "868768687576575"
    assert codes(flags) == ["siret_longueur"]


@pytest.mark.parametrize(
    ("raw", "expected", "flag_codes"),
    [
        ("45111100", "45111100", []),
        ("45000000-7", "45000000", []),  # the schema tolerates the check digit
        (3100000, "03100000", ["cpv_zero_ajoute"]),
        ("CPV 45210000 travaux", "45210000", ["cpv_nettoye"]),
        ("travaux", "", ["cpv_invalide"]),
    ],
)
def test_cpv_codes_are_eight_digits(raw, expected, flag_codes):
    flags = []
    assert clean_cpv(raw, "codeCPV", flags) == expected
    assert codes(flags) == flag_codes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), ("oui", True), ("NON", False), ("true", True), ("0", False), (1, True), (None, None)],
)
def test_booleans_in_every_spelling(raw, expected):
    assert clean_bool(raw, "marcheInnovant", []) is expected


def test_unreadable_boolean_is_unknown_and_flagged():
    flags = []
    assert clean_bool("peut-être", "marcheInnovant", flags) is None
    assert codes(flags) == ["booleen_illisible"]


def test_rates_published_as_percentages_are_converted():
    flags = []
    assert clean_rate("30", "tauxAvance", flags) == Decimal("0.3000")
    assert codes(flags) == ["taux_en_pourcentage"]


@pytest.mark.parametrize(
    ("raw", "expected"), [("Siret", "SIRET"), ("TVA_INTRACOMMUNAUTAIRE", "TVA"), ("HORS_UE", "HORS-UE")]
)
def test_identifier_types_in_the_schema_spelling(raw, expected):
    assert clean_identifier_type(raw, "typeIdentifiant", []) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"technique": ["Accord-cadre", "Concours"]}, ["Accord-cadre", "Concours"]),
        ({"technique": "Accord-cadre"}, ["Accord-cadre"]),
        ([{"titulaire": {"id": "1"}}, {"id": "2"}], [{"id": "1"}, {"id": "2"}]),
        ({"titulaire": {"id": "1"}}, [{"id": "1"}]),
        ({}, []),
        (None, None),
    ],
)
def test_wrapped_lists_in_all_their_shapes(raw, expected):
    key = "technique" if isinstance(raw, dict) and "technique" in raw else "titulaire"
    assert unwrap_list(raw, key) == expected


def test_the_fast_siret_check_answers_as_python_stdnum():
    """`siret_is_valid` replaces stdnum's check on the hot path of every import: the same answer on valid
    SIRETs (one digit changed or not), La Poste's establishments and head office, and non-digits."""
    import random

    from stdnum.fr import siret as stdnum_siret

    from spaser.decp.values import siret_is_valid

    randomly = random.Random(9)
    cases = ["35600000000048", "35600000012345", "35600000054321", "3560000001234", "2293000820001A",
             "22930008200017", "２２９３０００８２０００１７", "", "00000000000000"]  # fmt: skip
    for _ in range(20_000):
        digits = "".join(randomly.choice("0123456789") for _ in range(14))
        cases.append(digits)
        cases.append("356000000" + digits[9:])
    valid = 0
    for case in cases:
        assert siret_is_valid(case) == stdnum_siret.is_valid(case), case
        valid += siret_is_valid(case)
    assert valid > 3_000  # both answers are exercised
