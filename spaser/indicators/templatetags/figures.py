"""French formatting of figures: 18,4 %, 12 345 €, 1 234 h, +2,5 points. Narrow no-break spaces group the
thousands and sit before the unit, so a figure never breaks across lines.

The functions are plain Python too (`format_value`, `format_difference`): the SVG charts and the CSV use them,
so a figure reads the same wherever it is shown."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import pluralize
from django.utils.safestring import mark_safe

register = template.Library()
NNBSP = "\u202f"  # narrow no-break space: the French thousands separator and the space before % and €

# Unit key (schemes.Unit) → (suffix, decimal places). Counts keep one decimal only when they have one (a mean
# of bids: 2,3), see `format_value`.
UNITS = {
    "percent": ("%", 1),
    "count": ("", 0),
    "euro": ("€", 0),
    "hours": ("h", 0),
    "days": ("jours", 1),
    "tco2e": ("tCO2e", 1),
}
NO_DATA = "pas de données"


def _group(integer: int) -> str:
    return f"{integer:,}".replace(",", NNBSP)


def decimal_fr(value, places: int = 1) -> str:
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    return sign + _group(int(integer)) + ("," + fraction if fraction else "")


def format_value(value, unit: str) -> str:
    """A figure with its unit (« 40,0 % », « 12 345 € », « 2,3 »); None is « pas de données », never 0."""
    if value is None or value == "":
        return NO_DATA
    suffix, places = UNITS.get(unit, ("", 1))
    value = Decimal(value)
    if unit == "count" and value != value.to_integral_value():
        places = 1
    text = decimal_fr(value, places)
    return f"{text}{NNBSP}{suffix}" if suffix else text


def format_difference(difference, unit: str) -> str:
    """A change, signed: « +2,5 points » for a rate, « -1 200 € » otherwise."""
    if difference is None:
        return "—"
    difference = Decimal(difference)
    sign = "+" if difference > 0 else ""
    if unit == "percent":
        text = decimal_fr(difference, 1)
        plural = "s" if abs(difference) >= 2 else ""
        return f"{sign}{text}{NNBSP}point{plural}"
    return sign + format_value(difference, unit)


@register.filter
def unit_value(value, unit: str = "percent") -> str:
    return format_value(value, unit)


@register.filter
def unit_difference(value, unit: str = "percent") -> str:
    return format_difference(value, unit)


@register.filter
def percent(value, places: int = 1) -> str:
    if value is None or value == "":
        return NO_DATA
    return f"{decimal_fr(value, places)}{NNBSP}%"


@register.filter
def integer(value) -> str:
    if value is None or value == "":
        return "—"
    return _group(int(Decimal(value)))


@register.filter
def euros(value) -> str:
    """Amounts on cards: full euros below a million, millions with one decimal above."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    if abs(amount) >= 1_000_000:
        return f"{decimal_fr(amount / 1_000_000, 1)}{NNBSP}M€"
    return f"{_group(int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)))}{NNBSP}€"


@register.filter
def euros_full(value) -> str:
    """Amounts in tables and totals: every euro and cent shown when there are cents (12 345,50 €), so a
    total can be checked against the list."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{decimal_fr(amount, places)}{NNBSP}€"


@register.filter
def share_of(part, whole) -> str:
    if not whole:
        return "—"
    return percent(Decimal(part) * 100 / Decimal(whole))


@register.filter
def plain_number(value) -> str:
    """A count or a sum of hours: 1 234, or 1 234,5 when it has a fraction."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return _group(int(value))
    return decimal_fr(value, 2).rstrip("0").rstrip(",")


@register.filter
def number_or_money(value, is_amount: bool) -> str:
    """A numerator or denominator: euros for a figure in value, a plain number otherwise."""
    return euros_full(value) if is_amount else plain_number(value)


# -- a figure's cells, as tags: the dashboards show hundreds of them per page, and an include per cell cost
# more than the rest of the row (load test, bench/load/NOTES.md)

NO_DATA_HTML = mark_safe(f'<span class="no-data">{NO_DATA}</span>')


@register.simple_tag
def figure_value(figure) -> str:
    """A figure's value with its unit, or « pas de données »."""
    return format_value(figure.number, figure.unit) if figure.has_value else NO_DATA_HTML


@register.simple_tag
def figure_counts(figure) -> str:
    """Numerator over denominator, in words (a figure with a stored value)."""
    value, method = figure.value, figure.indicator.method
    if figure.counts_contracts:
        if figure.is_amount:
            return f"{euros(value.numerator)} sur {euros(value.denominator)}"
        if method == "mean":
            return f"moyenne sur {integer(value.denominator)} marché{pluralize(value.denominator)}"
        counted = f"{integer(value.numerator)} marché{pluralize(value.numerator)}"
        return f"{counted} sur {integer(value.denominator)}"
    if method == "hours":
        details = value.details or {}
        done, planned = details.get("heures_realisees"), details.get("heures_prevues")
        return f"{format_value(done, 'hours')} réalisées, {format_value(planned, 'hours')} prévues"
    if figure.is_manual:
        return "valeur saisie"
    return f"{integer(value.numerator)} sur {integer(value.denominator)}"
