"""The published reports of a scheme, for the public scheme card (schemes/public/_reports_slot.html)."""

from django import template

from spaser.reports import selectors

register = template.Library()


@register.simple_tag
def published_reports(scheme) -> list[dict]:
    """Each year with a published report, latest first: its latest version, page and files (one query)."""
    return [
        {
            "year": row.year,
            "version": row.latest.version,
            "published_on": row.latest.published_on,
            "corrected": row.latest.version > 1,
            "url": selectors.version_url(row.latest, scheme.slug),
            "downloads": selectors.downloads(scheme.slug, row.year),
        }
        for row in selectors.published_years(scheme)
    ]
