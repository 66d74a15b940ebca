from django import template

register = template.Library()


@register.filter
def dict_get(mapping, key):
    """mapping[key], or None (the questionnaire's answers by question key)."""
    return (mapping or {}).get(key)
