"""Tri-state considerations (domain.md §5 rule 4): unknown is never counted as no."""

import pytest

from spaser.decp.considerations import environmental_considerations, social_considerations


def test_absent_field_is_unknown():
    flags = []
    social = social_considerations(None, "considerationsSociales", flags)
    assert (social.values, social.has_any, social.clause, social.criterion, social.reserved) == (None,) * 5
    assert flags == []


def test_empty_list_is_unknown_and_flagged():
    flags = []
    social = social_considerations({"considerationSociale": []}, "considerationsSociales", flags)
    assert social.has_any is None
    assert [flag.code for flag in flags] == ["considerations_vides"]


@pytest.mark.parametrize(
    "value", ["Pas de considération sociale", "pas de consideration sociale", "Sans objet"]
)
def test_explicit_no_is_false_everywhere(value):
    social = social_considerations({"considerationSociale": [value]}, "considerationsSociales", [])
    assert social.values == ("Pas de considération sociale",)
    assert (social.has_any, social.clause, social.criterion, social.reserved) == (False, False, False, False)


def test_each_social_item_is_decided_and_odd_spellings_are_tolerated():
    social = social_considerations(
        {"considerationSociale": ["CLAUSE SOCIALE", "marche reserve"]}, "considerationsSociales", []
    )
    assert social.values == ("Clause sociale", "Marché réservé")
    assert (social.has_any, social.clause, social.criterion, social.reserved) == (True, True, False, True)


def test_joined_strings_of_the_tabular_format_are_split():
    environmental = environmental_considerations(
        "Critère environnemental, Clause environnementale", "considerationsEnvironnementales", []
    )
    assert (environmental.has_any, environmental.clause, environmental.criterion) == (True, True, True)


def test_concession_reserved_counts_as_social():
    social = social_considerations(
        {"considerationSociale": ["Concession réservée"]}, "considerationsSociales", []
    )
    assert social.has_any is True
    assert social.reserved is True


def test_unknown_value_alone_stays_unknown_with_a_flag():
    flags = []
    social = social_considerations({"considerationSociale": ["Insertion ?"]}, "considerationsSociales", flags)
    assert social.has_any is None
    assert [flag.code for flag in flags] == ["consideration_inconnue"]


def test_contradiction_keeps_the_positive_and_flags_it():
    flags = []
    social = social_considerations(
        {"considerationSociale": ["Pas de considération sociale", "Critère social"]},
        "considerationsSociales",
        flags,
    )
    assert social.has_any is True
    assert social.criterion is True
    assert [flag.code for flag in flags] == ["considerations_contradictoires"]
