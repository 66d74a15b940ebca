"""The annual report as files: a standalone HTML document and a tagged PDF (WeasyPrint, PDF/UA-1), both
rendered from the report's content dict alone (schema `spaser-report/1`, docs/reports.md) with the templates
that the public page uses (`reports/report/_body.html`), never from the database — a published version
renders the same files whatever the data became. The approach, fonts and metadata are those of the meeting
packs (spaser/governance/rendering.py); the generic parts are in spaser/core/documents.py."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string

from spaser.core.documents import parse_date, parse_datetime, tagged_pdf

__all__ = ["report_filename", "report_html", "report_pdf", "report_title"]

STATIC = Path(__file__).parent / "static" / "reports"


def report_title(content: dict) -> str:
    """« Rapport annuel 2025 — SPASER 2024-2028 »."""
    scheme = (content.get("scheme") or {}).get("title") or ""
    title = f"Rapport annuel {content.get('year') or ''}".strip()
    return f"{title} — {scheme}" if scheme else title


def report_description(content: dict) -> str:
    organisation = (content.get("organisation") or {}).get("name") or ""
    version = content.get("version")
    state = f"version {version}" if version else "brouillon non publié"
    return (
        f"Rapport annuel {content.get('year')} du schéma de promotion des achats socialement et "
        f"écologiquement responsables — {organisation} ({state}) : résultats des indicateurs au regard "
        "des cibles, actions, comités et notes de méthode."
    )


def report_filename(content: dict, extension: str) -> str:
    """A clean ASCII French file name: « rapport-annuel-2025-spaser-93-v2.pdf », a draft says so
    (« …-brouillon.pdf »)."""
    slug = _ascii_slug((content.get("scheme") or {}).get("slug") or "") or "schema"
    parts = ["rapport-annuel", str(content.get("year") or ""), slug]
    version = content.get("version")
    parts.append(f"v{version}" if version else "brouillon")
    return "-".join(part for part in parts if part) + "." + _ascii_slug(extension)


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


@cache
def _static_css(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _context(content: dict) -> dict:
    generated = parse_datetime(content.get("generated_at"))
    return {
        "content": content,
        "title": report_title(content),
        "description": report_description(content),
        "published_on": parse_date(content.get("published_on")),
        "created_iso": generated.isoformat(timespec="seconds") if generated else "",
    }


def report_html(content: dict) -> str:
    """The report as one standalone HTML5 document (lang fr, titled, styles inline in a `<style>` element,
    no external resource). The same content gives the same text."""
    context = _context(content)
    context["css"] = _static_css("report.css")
    return render_to_string("reports/report/standalone.html", context)


def report_pdf(content: dict) -> bytes:
    """The report as a tagged PDF: PDF/UA-1, French, titled (DisplayDocTitle), bookmarks from the headings,
    running header, « Page X sur Y », A4, DejaVu fonts, tables repeating their header row, vector charts."""
    html = render_to_string("reports/report/pdf.html", _context(content))
    stylesheets = [_static_css("report.css"), render_to_string("reports/report/print.css")]
    return tagged_pdf(html=html, stylesheets=stylesheets, document=content)
