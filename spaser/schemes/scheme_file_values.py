"""Scalar values of the scheme file: each converter turns the text the pilot typed into a model value, or
raises `Bad` with a French message."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number

from spaser.schemes.scheme_file import Field

TRUE_WORDS = {"true", "yes", "on", "oui", "vrai"}
FALSE_WORDS = {"false", "no", "off", "non", "faux"}
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INT_RE = re.compile(r"^[+-]?\d+$")
MAX_DECIMAL = Decimal("1e14")  # max_digits=18, decimal_places=4


class Bad(ValueError):
    """A value is refused; the message is French."""


def parse_decimal(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise Bad(f"« {raw} » n'est pas un nombre") from None
    if not value.is_finite():
        raise Bad(f"« {raw} » n'est pas un nombre")
    if value.as_tuple().exponent < -4 and value != value.quantize(Decimal("0.0001")):
        raise Bad(f"« {raw} » a plus de 4 décimales")
    if abs(value) >= MAX_DECIMAL:
        raise Bad(f"« {raw} » est trop grand")
    return value


def to_text(raw: str, spec: Field) -> str:
    if "\n" in raw:
        raise Bad("ce champ tient sur une seule ligne")
    return raw


def to_multiline(raw: str, spec: Field) -> str:
    return raw


def to_url(raw: str, spec: Field) -> str:
    try:
        URLValidator()(raw.strip())
    except ValidationError:
        raise Bad(f"« {raw} » n'est pas une adresse web valide (https://…)") from None
    return raw.strip()


def to_int(raw: str, spec: Field) -> int:
    if not INT_RE.match(raw.strip()):
        raise Bad(f"« {raw} » n'est pas un nombre entier")
    value = int(raw)
    if spec.minimum is not None and value < spec.minimum:
        raise Bad(f"{value} est inférieur au minimum {spec.minimum}")
    if spec.maximum is not None and value > spec.maximum:
        raise Bad(f"{value} est supérieur au maximum {spec.maximum}")
    return value


def to_bool(raw: str, spec: Field) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Bad(f"« {raw} » n'est pas une valeur oui/non (écrivez true ou false)")


def to_date(raw: str, spec: Field) -> date:
    raw = raw.strip()
    if not DATE_RE.match(raw):
        raise Bad(f"« {raw} » n'est pas une date au format AAAA-MM-JJ")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Bad(f"la date « {raw} » n'existe pas") from None


def to_decimal(raw: str, spec: Field) -> Decimal:
    return parse_decimal(raw)


def to_choice(raw: str, spec: Field) -> str:
    assert spec.choices is not None
    if raw.strip() not in spec.choices:
        raise Bad(f"« {raw} » n'est pas une valeur possible (valeurs possibles : {', '.join(spec.choices)})")
    return str(spec.choices[raw.strip()])


def to_slug(raw: str, spec: Field) -> str:
    if not SLUG_RE.match(raw.strip()):
        raise Bad(f"« {raw} » n'est pas un identifiant valide (lettres sans accent, chiffres, - et _)")
    return raw.strip()


def to_siren(raw: str, spec: Field) -> str:
    digits = raw.replace(" ", "")
    if not re.fullmatch(r"\d{9}", digits):
        raise Bad(f"le SIREN « {raw} » doit comporter exactement 9 chiffres")
    if not siren_number.is_valid(digits):
        raise Bad(f"le SIREN « {raw} » n'est pas valide (clé de contrôle)")
    return digits


def to_buyer_id(raw: str, spec: Field) -> str:
    digits = raw.replace(" ", "")
    if len(digits) == 9:
        return to_siren(digits, spec)
    if not re.fullmatch(r"\d{14}", digits):
        raise Bad(f"« {raw} » doit être un SIREN (9 chiffres) ou un SIRET (14 chiffres)")
    if not siret_number.is_valid(digits):
        raise Bad(f"le SIRET « {raw} » n'est pas valide (clé de contrôle)")
    return digits


CONVERTERS = {
    "text": to_text,
    "multiline": to_multiline,
    "url": to_url,
    "int": to_int,
    "bool": to_bool,
    "date": to_date,
    "decimal": to_decimal,
    "choice": to_choice,
    "slug": to_slug,
    "siren": to_siren,
    "buyer_id": to_buyer_id,
}
