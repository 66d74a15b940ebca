"""The meeting pack as files: a tagged PDF (WeasyPrint, PDF/UA-1) here, an XLSX workbook in workbook.py —
both rendered from the pack's JSON dict alone (schema `spaser-pack/1`, docs/governance.md), never from the
database, so that a held meeting's frozen pack renders the same files whatever the data became since. Also
the pack's title and download file names, shared by both (reading values back: spaser/core/documents.py).
"""

from __future__ import annotations

import re
from datetime import date

from django.template.loader import render_to_string

from spaser.core.documents import date_fr, parse_date, parse_datetime, tagged_pdf


def meeting_date(pack: dict) -> date | None:
    return parse_date((pack.get("meeting") or {}).get("date"))


def pack_title(pack: dict) -> str:
    committee = (pack.get("committee") or {}).get("name") or "Comité"
    day = date_fr((pack.get("meeting") or {}).get("date"))
    return f"Dossier de séance — {committee} du {day}" if day else f"Dossier de séance — {committee}"


def file_name(kind: str, day: date | None, extension: str, *, preview: bool = False) -> str:
    """« dossier-cotech-2026-12-10.pdf »; a live preview says so: « dossier-cotech-2026-12-10-aperçu.pdf »."""
    parts = ["dossier", re.sub(r"[^a-z0-9]+", "-", str(kind or "comite").lower()).strip("-") or "comite"]
    if day:
        parts.append(day.isoformat())
    if preview:
        parts.append("aperçu")
    return "-".join(parts) + "." + extension


# -- PDF -----------------------------------------------------------------------------------------------


def pack_pdf(pack: dict) -> bytes:
    """The pack as a tagged PDF: PDF/UA-1, French, titled, A4, numbered pages, committee and date on top."""
    generated = parse_datetime(pack.get("generated_at"))
    context = {
        "pack": pack,
        "title": pack_title(pack),
        "meeting_date": meeting_date(pack),
        "generated_at": generated,
        "data_date": parse_date(pack.get("data_date")),
        "created_iso": generated.isoformat(timespec="seconds") if generated else "",
    }
    html = render_to_string("governance/pack/pdf.html", context)
    css = render_to_string("governance/pack/print.css", context)
    return tagged_pdf(html=html, stylesheets=[css], document=pack)
