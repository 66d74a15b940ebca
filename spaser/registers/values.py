"""Reading one cell of a register: French numbers and dates, Excel serial dates, SIRET, enumerations.

Every parser takes the cell as read (text from a CSV; text, number, date or datetime from a workbook) and
returns the value or raises `CellError` whose message completes « … colonne « X » : » — e.g.
« « 31/02/2025 » n'est pas une date ». Empty cells give None: the caller decides what absence means.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.fr import siret as stdnum_siret

# Excel's day 0 is 1899-12-30 (its 1900 leap-year bug included): serial 45658 = 2025-01-01.
EXCEL_EPOCH = date(1899, 12, 30)
# Serials outside 1950–2100 are more likely amounts or ids than dates: refused rather than guessed.
EXCEL_SERIAL_RANGE = (18264, 73051)


class CellError(ValueError):
    """A cell that cannot be read as the field it is mapped to; the message is French and quotes the cell."""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """How a cell is shown back to the user in messages and previews."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.strftime("%d/%m/%Y %H:%M") if (value.hour or value.minute) else value.strftime("%d/%m/%Y")
        )
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how headers, directions and enumerations are compared."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# --- Numbers ---------------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_MULTIPLIER = re.compile(r"(k|m|md|mds)\s*€?$|(k€|m€)", re.IGNORECASE)


def parse_decimal(value: Any, *, what: str = "un nombre") -> Decimal | None:
    """`1 234,56`, `1234.56`, `1.234,56`, `1,234.56`, `12 €`, `12,5 h`. Amounts written with a multiplier
    (`12 k€`, `1,2 M€`) are refused: a register that rounds to thousands would silently pass for exact."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"« {value} » n'est pas {what}")
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = str(value).strip()
    if _MULTIPLIER.search(text):
        raise CellError(
            f"« {text} » n'est pas {what} exact (les multiplicateurs k€ / M€ ne sont pas acceptés : "
            "écrivez le montant en euros)"
        )
    cleaned = _SPACES.sub("", text)
    cleaned = re.sub(r"(?:€|euros?|eur|ht|ttc|heures?|h)+$", "", cleaned, flags=re.IGNORECASE)
    if "," in cleaned and "." in cleaned:
        # The last separator is the decimal one: 1.234,56 (French) or 1,234.56 (English).
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")  # 1.234.567: thousands separators
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", cleaned):
        raise CellError(f"« {text} » n'est pas {what}")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern above already guards
        raise CellError(f"« {text} » n'est pas {what}") from error


def parse_amount(value: Any) -> Decimal | None:
    amount = parse_decimal(value, what="un montant")
    if amount is not None and amount < 0:
        raise CellError(f"« {cell_text(value)} » : un montant ne peut pas être négatif")
    return amount.quantize(Decimal("0.01")) if amount is not None else None


def parse_hours(value: Any) -> Decimal | None:
    hours = parse_decimal(value, what="un nombre d'heures")
    if hours is not None and hours < 0:
        raise CellError(f"« {cell_text(value)} » : un nombre d'heures ne peut pas être négatif")
    return hours.quantize(Decimal("0.01")) if hours is not None else None


def parse_months(value: Any) -> int | None:
    months = parse_decimal(value, what="une durée en mois")
    if months is None:
        return None
    if months < 0 or months != months.to_integral_value():
        raise CellError(f"« {cell_text(value)} » n'est pas une durée en mois (nombre entier)")
    return int(months)


# --- Dates -----------------------------------------------------------------------------------------------

_FRENCH = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2})?)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")


def parse_date(value: Any) -> date | None:
    """`31/12/2025`, `31-12-2025`, `31.12.25`, `2025-12-31` (time ignored), workbook dates and Excel serial
    numbers (45658 → 01/01/2025). An impossible date is an error, never corrected."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _from_serial(float(text))
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _FRENCH.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000  # registers list current contracts: two-digit years are of this century
    else:
        raise CellError(f"« {text} » n'est pas une date (attendu : JJ/MM/AAAA)")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise CellError(f"« {text} » n'est pas une date") from error


def _from_serial(value: float) -> date:
    low, high = EXCEL_SERIAL_RANGE
    if not float(value).is_integer() or not low <= value <= high:
        raise CellError(f"« {cell_text(value)} » n'est pas une date")
    return EXCEL_EPOCH + timedelta(days=int(value))


# --- Identifiers and enumerations ------------------------------------------------------------------------


def parse_siret(value: Any) -> str | None:
    """14 digits passing the Luhn check (python-stdnum knows La Poste's exception). Spaces and dots are
    removed; a SIRET read as a number by a spreadsheet (leading zero lost) is padded back to 14 digits."""
    if is_empty(value):
        return None
    text = cell_text(value)
    digits = re.sub(r"[\s.\-\u00a0]", "", text)
    if digits.isdigit() and len(digits) == 13:
        digits = "0" + digits
    if not (digits.isdigit() and len(digits) == 14):
        raise CellError(f"« {text} » n'est pas un SIRET (14 chiffres)")
    if not stdnum_siret.is_valid(digits):
        raise CellError(f"« {text} » n'est pas un SIRET valide (clé de contrôle fausse)")
    return digits


def parse_text(value: Any) -> str | None:
    if is_empty(value):
        return None
    return cell_text(value)


def parse_cpv(value: Any) -> str | None:
    """8 digits, the check digit (`-3`) dropped; 7 digits = a leading zero lost in a spreadsheet."""
    if is_empty(value):
        return None
    text = cell_text(value)
    match = re.fullmatch(r"(\d{7,8})(?:-\d)?", re.sub(r"\s", "", text))
    if not match:
        raise CellError(f"« {text} » n'est pas un code CPV (8 chiffres)")
    return match.group(1).zfill(8)


_RESERVED = {"12": "L2113-12", "13": "L2113-13", "15": "L2113-15"}


def parse_reserved_article(value: Any) -> str | None:
    """`L2113-12`, `L. 2113-13`, `article L2113-15`, `2113-12`; « non », « sans objet » → "" (explicit no)."""
    if is_empty(value):
        return None
    text = cell_text(value)
    folded = fold(text)
    if folded in {"non", "sans objet", "aucun", "aucune", "0", "nc"}:
        return ""
    match = re.search(r"2113\s*(?:-\s*)?(12|13|15)\b", re.sub(r"[lL]\.?\s*", "", text))
    if not match:
        raise CellError(
            f"« {text} » n'est pas un article de marché réservé (attendu : L2113-12, L2113-13 ou L2113-15)"
        )
    return _RESERVED[match.group(1)]


_GENDERS = {
    "f": "F",
    "femme": "F",
    "feminin": "F",
    "m": "M",
    "h": "M",
    "homme": "M",
    "masculin": "M",
    "autre": "autre",
    "x": "autre",
    "inconnu": "",
    "nc": "",
    "non renseigne": "",
}


def parse_gender(value: Any) -> str:
    if is_empty(value):
        return ""
    text = cell_text(value)
    try:
        return _GENDERS[fold(text)]
    except KeyError:
        raise CellError(f"« {text} » n'est pas un genre (attendu : F, M, autre ou inconnu)") from None


_YES_NO = {
    "oui": True,
    "o": True,
    "1": True,
    "vrai": True,
    "non": False,
    "n": False,
    "0": False,
    "faux": False,
}


def parse_yes_no_unknown(value: Any) -> bool | None:
    if is_empty(value) or fold(cell_text(value)) in {"inconnu", "nc", "non renseigne"}:
        return None
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    try:
        return _YES_NO[fold(text)]
    except KeyError:
        raise CellError(f"« {text} » : attendu oui, non ou inconnu") from None


_NAME_LIKE = re.compile(r"[A-Za-zÀ-ÿ'\-]{2,}(?:\s+[A-Za-zÀ-ÿ'\-]{2,})+")


def parse_person_ref(value: Any) -> str | None:
    """A pseudonymous reference. Something that reads like « Prénom Nom » is refused: names are never
    stored (a reference is expected to hold a digit, e.g. `P-0042`)."""
    if is_empty(value):
        return None
    text = cell_text(value)
    if _NAME_LIKE.fullmatch(text) or not any(char.isdigit() for char in text):
        raise CellError(
            f"« {text} » ressemble à un nom : indiquez la référence pseudonyme de la personne "
            "(par exemple P-0042), jamais son nom"
        )
    if len(text) > 64:
        raise CellError(f"« {text[:20]}… » : référence trop longue (64 caractères au plus)")
    return text
