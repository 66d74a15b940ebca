"""SIREN and SIRET cleaning with python-stdnum (which knows La Poste's exception to the Luhn rule)."""

from __future__ import annotations

import re

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

_NOT_DIGITS = re.compile(r"\D")


def clean_siret(value: object) -> str | None:
    """A valid 14-digit SIRET from a messy cell (spaces, dots, a lost leading zero), or None."""
    digits = _NOT_DIGITS.sub("", str(value or ""))
    if len(digits) == 13:  # spreadsheets drop the leading zero of SIRETs starting with 0
        digits = "0" + digits
    return digits if len(digits) == 14 and stdnum_siret.is_valid(digits) else None


def clean_siren(value: object) -> str | None:
    digits = _NOT_DIGITS.sub("", str(value or ""))
    if len(digits) == 8:
        digits = "0" + digits
    return digits if len(digits) == 9 and stdnum_siren.is_valid(digits) else None
