"""Small presentation helpers shared by every page: identifiers, ordinals, navigation state."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def siren(value) -> str:
    """'229300082' → '229 300 082'; a SIRET gets its NIC apart: '229 300 082 01453'."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if len(digits) not in (9, 14):
        return str(value or "")
    grouped = f"{digits[0:3]} {digits[3:6]} {digits[6:9]}"
    return grouped if len(digits) == 9 else f"{grouped} {digits[9:]}"


@register.filter
def edition_fr(value) -> str:
    """1 → '1re édition', 2 → '2e édition'."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{number}{'re' if number == 1 else 'e'} édition"


@register.filter
def yes_no(value) -> str:
    return "Oui" if value else "Non"


@register.filter
def number_fr(value) -> str:
    """A decimal without useless trailing zeros, French separators: Decimal('30.5000') → '30,5'."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
        places = max(0, -value.as_tuple().exponent)
    elif isinstance(value, float):
        places = 2
    else:
        places = 0
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.simple_tag(takes_context=True)
def nav_current(context, *prefixes: str) -> str:
    """aria-current="page" when the request path starts with one of `prefixes` (for the header navigation:
    one entry may cover a section of several pages)."""
    request = context.get("request")
    if request is not None and request.path.startswith(prefixes):
        return mark_safe('aria-current="page"')
    return ""


@register.simple_tag
def page_numbers(page) -> list:
    """The page numbers around `page`, long runs elided (`paginator.ELLIPSIS`): 1 … 4 5 [6] 7 8 … 20."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


TRI_STATE_BADGES = {
    None: mark_safe('<span class="badge badge--unknown">inconnu</span>'),
    True: mark_safe('<span class="badge badge--yes">oui</span>'),
    False: mark_safe('<span class="badge badge--no">non</span>'),
}


@register.filter
def tri_state(value) -> str:
    """A tri-state value (True / False / None) as a badge: None is « inconnu », never « non ». A filter, not
    an include: the contract list shows two per row."""
    return TRI_STATE_BADGES[None if value is None else bool(value)]
