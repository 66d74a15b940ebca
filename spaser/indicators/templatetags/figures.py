"""French formatting of figures: 18,4 %, 12 345, 1,2 M€."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()
NNBSP = "\u202f"  # narrow no-break space: the French thousands separator and the space before % and €


def _group(integer: int) -> str:
    return f"{integer:,}".replace(",", NNBSP)


def decimal_fr(value, places: int = 1) -> str:
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    return sign + _group(int(integer)) + ("," + fraction if fraction else "")


@register.filter
def percent(value, places: int = 1) -> str:
    if value is None or value == "":
        return "pas de données"
    return f"{decimal_fr(value, places)}{NNBSP}%"


@register.filter
def integer(value) -> str:
    if value is None or value == "":
        return "—"
    return _group(int(Decimal(value)))


@register.filter
def euros(value) -> str:
    """Amounts: full euros below a million, millions with one decimal above."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    if abs(amount) >= 1_000_000:
        return f"{decimal_fr(amount / 1_000_000, 1)}{NNBSP}M€"
    return f"{_group(int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)))}{NNBSP}€"


@register.filter
def share_of(part, whole) -> str:
    if not whole:
        return "—"
    return percent(Decimal(part) * 100 / Decimal(whole))
