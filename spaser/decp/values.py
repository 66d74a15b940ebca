"""Cleaning helpers for the values of real DECP files (domain.md §4 lists the traps).

Every helper takes the raw value, the field name and a list of flags it may append to; it returns the
clean value or None. A helper never raises on bad data: bad data is flagged, the record is kept.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import ftfy
from stdnum.fr import siret as stdnum_siret

from spaser.decp.records import Flag

# Years outside this window are typing errors (e.g. "0218" for 2018): no contract data predates DECP.
MIN_YEAR = 1990
MAX_YEAR = 2100

# Amounts published when the real one was unknown: they would swamp every sum "in value".
PLACEHOLDER_AMOUNTS = frozenset({Decimal(999_999_999), Decimal(99_999_999), Decimal(9_999_999)})
MAX_PLACEHOLDER_AMOUNT = Decimal(1)  # ≤ 1 € is not a real contract amount
# Above 100 billion € no contract exists (the whole national yearly spend is ~200 bn); such a figure is junk
# and would also overflow the database column.
MAX_AMOUNT = Decimal(100_000_000_000)
_SMALLEST_PLACEHOLDER = min(PLACEHOLDER_AMOUNTS)  # below it, no need to hash the amount (costly for Decimal)
CENT = Decimal("0.01")
RATE_PRECISION = Decimal("0.0001")
# Decimal constants: comparing a Decimal with an int converts the int on every call.
_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)

NULL_STRINGS = frozenset({"", "nc", "nan", "null", "none", "n/a", "na", "-", "non communiqué", "inconnu"})

TRUE_STRINGS = frozenset({"oui", "true", "1", "vrai", "o", "yes", "y"})
FALSE_STRINGS = frozenset({"non", "false", "0", "faux", "n", "no"})

_DATE_RE = re.compile(r"^\s*(\d{1,4})-(\d{1,2})-(\d{1,2})(.*)$", re.DOTALL)
_FRENCH_DATE_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_SEPARATORS_RE = re.compile(r"[\s.\u00a0\u202f-]")
_CPV_RE = re.compile(r"\d+")
_NUMBER_SPACES_RE = re.compile(r"[\s\u00a0\u202f€]")
# Signs of UTF-8 text decoded as Latin-1/Windows-1252 ("Ã©" for "é", "â€™" for "’"): only then is ftfy asked.
_MOJIBAKE_RE = re.compile(r"[ÃÂ]|â€|Å[“’\x93\x92]")
LOST_CHARACTER = "\ufffd"


def _may_be_mojibake(text: str) -> bool:
    """False when _MOJIBAKE_RE cannot match: each `in` is a fast scan, cheaper than the regular expression."""
    return "Ã" in text or "Â" in text or "â€" in text or "Å" in text


IDENTIFIER_TYPES = {
    "SIRET": "SIRET",
    "TVA": "TVA",
    "TVA_INTRACOMMUNAUTAIRE": "TVA",
    "TVA-INTRACOMMUNAUTAIRE": "TVA",
    "TAHITI": "TAHITI",
    "RIDET": "RIDET",
    "FRWF": "FRWF",
    "IREP": "IREP",
    "HORS-UE": "HORS-UE",
    "HORS_UE": "HORS-UE",
    "HORSUE": "HORS-UE",
    "UE": "UE",
}


# Luhn: every other digit from the right is doubled, and the digits of the double summed (9 → 18 → 9).
_LUHN_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")
_LA_POSTE = "356000000"  # La Poste's establishments: the sum of the digits is a multiple of 5 (not Luhn)
_LA_POSTE_HEAD_OFFICE = "35600000000048"  # which follows the Luhn rule


def _luhn_is_valid(digits: bytes) -> bool:
    """python-stdnum's Luhn check on ASCII digits, without a Python call per digit."""
    total = sum(digits[-1::-2]) + sum(digits[-2::-2].translate(_LUHN_DOUBLED)) - 48 * len(digits)
    return total % 10 == 0


def siret_is_valid(digits: str) -> bool:
    """`stdnum.fr.siret.is_valid`, several times faster on 14 ASCII digits (the only case `clean_siret`
    asks about; anything else is asked to python-stdnum): the SIRET's Luhn check, La Poste's exception,
    and the Luhn check of its SIREN."""
    if len(digits) != 14 or not digits.isascii() or not digits.isdigit():
        return stdnum_siret.is_valid(digits)
    encoded = digits.encode()
    if digits.startswith(_LA_POSTE) and digits != _LA_POSTE_HEAD_OFFICE:
        valid = (sum(encoded) - 48 * 14) % 5 == 0
    else:
        valid = _luhn_is_valid(encoded)
    return valid and _luhn_is_valid(encoded[:9])


# The same buyers and suppliers recur thousands of times in a file: check each SIRET once.
_siret_is_valid = lru_cache(maxsize=65_536)(siret_is_valid)


def _flag(flags: list[Flag], code: str, message: str, field: str) -> None:
    flags.append(Flag(code=code, message=message, field=field))


def is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in NULL_STRINGS
    return isinstance(value, float) and value != value  # NaN, the only value unequal to itself


def cached_cleaner(clean: Any) -> Any:
    """`clean(text, field, flags)` for texts, memoised: the same dates, SIRETs and CPV codes recur thousands
    of times in a file. The cleaners are pure (result and flags depend only on the text and the field), so the
    flags found the first time are kept with the result and appended again on every later call."""

    @lru_cache(maxsize=65_536)
    def cached(text: str, field: str) -> tuple[Any, tuple[Flag, ...]]:
        found: list[Flag] = []
        return clean(text, field, found), tuple(found)

    def clean_value(value: Any, field: str, flags: list[Flag]) -> Any:
        if type(value) is not str:
            return clean(value, field, flags)
        result, found = cached(value, field)
        if found:
            flags.extend(found)
        return result

    clean_value.__doc__ = clean.__doc__
    clean_value.__name__ = clean.__name__
    clean_value.__wrapped__ = clean  # type: ignore[attr-defined]
    return clean_value


def clean_text(value: Any, field: str, flags: list[Flag]) -> str:
    if type(value) is str:  # nearly always: tested first
        if value.isascii():
            return value.strip()  # no mojibake nor lost character can hide in ASCII: nothing to repair
        return fix_mojibake(value, field, flags).strip()
    # Only true nulls: "NC" or "Inconnu" are legitimate contract ids and objects.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, str):
        value = str(value)
    return fix_mojibake(value, field, flags).strip()


def fix_mojibake(text: str, field: str, flags: list[Flag]) -> str:
    """Mojibake is repaired only where ftfy is certain (it leaves "château" alone); the raw record keeps the
    original. Characters already lost at the source ("Soci\ufffdt\ufffd") cannot be repaired: flagged."""
    if LOST_CHARACTER in text:
        _flag(flags, "caracteres_perdus", "Caractères illisibles (\ufffd) dans le texte publié.", field)
    if not _may_be_mojibake(text) or not _MOJIBAKE_RE.search(text):
        return text
    repaired = ftfy.fix_encoding(text)
    if repaired != text:
        _flag(flags, "texte_reencode", "Texte mal encodé (UTF-8 lu comme Latin-1), corrigé.", field)
    return repaired


def _clean_date(value: Any, field: str, flags: list[Flag]) -> date | None:
    """Dates as published: ISO, maybe with an offset ("2016-03-09+01:00") or a time, whose calendar day is
    kept and flagged; dd/mm/yyyy tolerated and flagged. Impossible dates are never guessed: None and a
    flag."""
    if is_null(value):
        return None
    text = str(value)
    match = _DATE_RE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups()[:3])
        suffix = match.group(4).strip()
    else:
        french = _FRENCH_DATE_RE.match(text)
        if not french:
            _flag(flags, "date_illisible", f"Date illisible : « {text} ».", field)
            return None
        day, month, year = (int(part) for part in french.groups())
        suffix = ""
    if not MIN_YEAR <= year <= MAX_YEAR:
        _flag(flags, "date_impossible", f"Année impossible dans la date « {text} », date ignorée.", field)
        return None
    try:
        result = date(year, month, day)
    except ValueError:
        _flag(flags, "date_impossible", f"Date impossible : « {text} », date ignorée.", field)
        return None
    if suffix:
        _flag(
            flags,
            "date_fuseau_horaire",
            f"Date publiée avec une heure ou un fuseau (« {text} ») : jour retenu tel que publié.",
            field,
        )
    elif not match:
        _flag(flags, "date_format_francais", f"Date au format jj/mm/aaaa (« {text} »).", field)
    return result


clean_date = cached_cleaner(_clean_date)


def to_decimal(value: Any) -> Decimal | None:
    """A number from a JSON number or a French-formatted string ("1 234,56"); None if not a finite number."""
    if type(value) is float:  # the common case, tested first; str(): see below
        return Decimal(str(value)) if math.isfinite(value) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # str() gives the shortest repr, so 32122.0 stays 32122.0 and not 32121.99999…
        return Decimal(str(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        text = _NUMBER_SPACES_RE.sub("", value).replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _is_placeholder(amount: Decimal) -> bool:
    return amount >= _SMALLEST_PLACEHOLDER and amount in PLACEHOLDER_AMOUNTS


def clean_amount(value: Any, field: str, flags: list[Flag]) -> Decimal | None:
    """An amount in € HT; absent, unreadable, negative or placeholder amounts become None with a flag."""
    if is_null(value):
        if value is not None:
            _flag(flags, "montant_absent", f"Montant non communiqué (« {value} »).", field)
        else:
            _flag(flags, "montant_absent", "Montant absent.", field)
        return None
    amount = to_decimal(value)
    if amount is None:
        _flag(flags, "montant_illisible", f"Montant illisible : « {value} ».", field)
        return None
    if amount > MAX_AMOUNT:
        _flag(flags, "montant_aberrant", f"Montant aberrant ({value}), ignoré.", field)
        return None
    if amount <= MAX_PLACEHOLDER_AMOUNT or _is_placeholder(amount):
        _flag(flags, "montant_fictif", f"Montant manifestement fictif ({value}), ignoré.", field)
        return None
    return amount.quantize(CENT)


def clean_rate(value: Any, field: str, flags: list[Flag]) -> Decimal | None:
    """A rate between 0 and 1 (the schema's unit); a percentage (1 < x ≤ 100) is converted with a flag."""
    if is_null(value):
        return None
    rate = to_decimal(value)
    if rate is None or rate < _ZERO or rate > _HUNDRED:
        _flag(flags, "taux_illisible", f"Taux illisible ou hors bornes : « {value} ».", field)
        return None
    if rate > _ONE:
        _flag(flags, "taux_en_pourcentage", f"Taux publié en pourcentage ({value}), converti.", field)
        rate = rate / _HUNDRED
    return rate.quantize(RATE_PRECISION)


def clean_int(value: Any, field: str, flags: list[Flag], *, minimum: int = 0) -> int | None:
    if type(value) is int and value >= minimum:
        return value  # the common case, as the general path below would return it
    if is_null(value):
        return None
    number = to_decimal(value)
    if number is None or number != number.to_integral_value() or number < minimum:
        _flag(flags, "entier_illisible", f"Nombre entier attendu, trouvé « {value} ».", field)
        return None
    return int(number)


def clean_bool(value: Any, field: str, flags: list[Flag]) -> bool | None:
    """Booleans as JSON, or as the XML/CSV spellings oui/non/true/false/0/1."""
    if isinstance(value, bool):
        return value
    if is_null(value):
        return None
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_STRINGS:
        return True
    if text in FALSE_STRINGS:
        return False
    _flag(flags, "booleen_illisible", f"Oui/non attendu, trouvé « {value} ».", field)
    return None


def _clean_siret(value: Any, field: str, flags: list[Flag]) -> str:
    """A SIRET as 14 digits when it can be recovered; otherwise the cleaned string (maybe empty), flagged.

    Spaces and dots are removed; 13 digits get back the leading zero a spreadsheet removed; the check digit is
    verified with python-stdnum, which knows that La Poste's SIRETs use another rule (domain.md §4).
    """
    if is_null(value):
        return ""
    text = str(value).strip()
    digits = _SEPARATORS_RE.sub("", text)
    if not digits.isdigit():
        _flag(flags, "siret_invalide", f"SIRET non numérique : « {text} ».", field)
        return digits
    if len(digits) == 13:
        _flag(flags, "siret_zero_ajoute", f"SIRET à 13 chiffres « {text} » : zéro initial rétabli.", field)
        digits = "0" + digits
    elif len(digits) == 15 and digits.startswith("0"):
        _flag(flags, "siret_zero_retire", f"SIRET à 15 chiffres « {text} » : zéro initial retiré.", field)
        digits = digits[1:]
    if len(digits) != 14:
        _flag(flags, "siret_longueur", f"SIRET de {len(digits)} chiffres : « {text} ».", field)
        return digits
    if not _siret_is_valid(digits):
        _flag(flags, "siret_cle", f"Clé de contrôle du SIRET {digits} incorrecte.", field)
    return digits


clean_siret = cached_cleaner(_clean_siret)


def clean_identifier_type(value: Any, field: str, flags: list[Flag]) -> str:
    """Identifier types in the schema's spelling ("Siret" → "SIRET", "HORS_UE" → "HORS-UE")."""
    if type(value) is str and value in IDENTIFIER_TYPES:  # already in a known spelling: the common case
        return IDENTIFIER_TYPES[value]
    if is_null(value):
        return "SIRET"  # the schema's default and by far the most common
    key = str(value).strip().upper().replace(" ", "_")
    if key in IDENTIFIER_TYPES:
        return IDENTIFIER_TYPES[key]
    _flag(flags, "type_identifiant_inconnu", f"Type d'identifiant inconnu : « {value} ».", field)
    return key[:32]


def _clean_cpv(value: Any, field: str, flags: list[Flag]) -> str:
    """The 8 digits of a CPV code. The check digit ("-7") is tolerated by the schema and dropped silently;
    a lost leading zero is restored; other junk is flagged."""
    if is_null(value):
        return ""
    text = str(value).strip()
    main = text.split("-", 1)[0].strip()
    if main.isdigit() and len(main) == 8:
        return main
    if main.isdigit() and len(main) == 7:
        _flag(flags, "cpv_zero_ajoute", f"Code CPV à 7 chiffres « {text} » : zéro initial rétabli.", field)
        return "0" + main
    runs = [run for run in _CPV_RE.findall(text) if len(run) >= 8]
    if runs:
        _flag(flags, "cpv_nettoye", f"Code CPV « {text} » nettoyé.", field)
        return runs[0][:8]
    _flag(flags, "cpv_invalide", f"Code CPV invalide : « {text} ».", field)
    return ""


clean_cpv = cached_cleaner(_clean_cpv)


def _unwrapped(item: dict[str, Any], key: str) -> Any:
    return item[key] if len(item) == 1 and key in item else item


def unwrap_list(value: Any, key: str) -> list[Any] | None:
    """The 2022 format wraps lists ({"technique": [...]}, [{"titulaire": {...}}]); XML-converted files give a
    single item instead of a list. Returns the plain list, or None when the field is absent."""
    if value is None:
        return None
    if isinstance(value, dict):
        if key in value:
            value = value[key]
        elif not value:
            return []
        else:
            value = [value]  # a bare item without its wrapper
    if isinstance(value, list):  # nearly always
        items = value
    elif value is None:
        return []
    elif isinstance(value, str):
        return [value] if value.strip() else []
    else:
        items = [value]
    # A one-key dict holding `key` is a wrapper ({"titulaire": {...}}): unwrapped.
    return [_unwrapped(item, key) if isinstance(item, dict) else item for item in items]
