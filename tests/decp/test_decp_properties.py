"""Property-based: the value cleaners never raise, and every value they drop or change comes with a flag."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from spaser.decp.values import (
    clean_amount,
    clean_bool,
    clean_cpv,
    clean_date,
    clean_identifier_type,
    clean_int,
    clean_rate,
    clean_siret,
    clean_text,
    is_null,
)

ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.from_regex(r"\d{4}-\d{2}-\d{2}([+-]\d{2}:\d{2})?", fullmatch=True),
    st.from_regex(r"[0-9 .]{9,17}", fullmatch=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _problem_is_flagged(value, result, flags, empty):
    """A present value that came out empty must have said why."""
    if result in empty and not is_null(value):
        assert flags, value
    for flag in flags:
        assert flag.code
        assert flag.message
        assert flag.field == "champ"


@given(ANY_VALUE)
def test_dates(value):
    flags = []
    result = clean_date(value, "champ", flags)
    assert result is None or isinstance(result, date)
    _problem_is_flagged(value, result, flags, (None,))


@given(ANY_VALUE)
def test_amounts(value):
    flags = []
    result = clean_amount(value, "champ", flags)
    assert result is None or (isinstance(result, Decimal) and result > 1)
    if result is None:
        assert flags  # absent, unreadable or placeholder: always said


@given(ANY_VALUE)
def test_sirets(value):
    flags = []
    result = clean_siret(value, "champ", flags)
    assert isinstance(result, str)
    if result and not (len(result) == 14 and result.isdigit()):
        assert flags


@given(ANY_VALUE)
def test_cpv(value):
    flags = []
    result = clean_cpv(value, "champ", flags)
    assert result == "" or (len(result) == 8 and result.isdigit())
    _problem_is_flagged(value, result, flags, ("",))


@given(ANY_VALUE)
def test_other_cleaners(value):
    for cleaner in (clean_bool, clean_rate, clean_int):
        flags = []
        result = cleaner(value, "champ", flags)
        _problem_is_flagged(value, result, flags, (None,))
    assert isinstance(clean_identifier_type(value, "champ", []), str)
    assert isinstance(clean_text(value, "champ", []), str)
