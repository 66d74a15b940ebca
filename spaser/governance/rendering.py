"""The meeting pack as files: a tagged PDF (WeasyPrint, PDF/UA-1) here, an XLSX workbook in workbook.py —
both rendered from the pack's JSON dict alone (schema `spaser-pack/1`, docs/governance.md), never from the
database, so that a held meeting's frozen pack renders the same files whatever the data became since. Also
the parsing of the pack's values and the download file names, shared by both.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARIS = ZoneInfo("Europe/Paris")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


# -- reading the pack's values ------------------------------------------------------------------------


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        return date.fromisoformat(value)
    return None


def parse_datetime(value: Any) -> datetime | None:
    """An aware ISO datetime of the pack, in Paris time (naive Paris time when the text has no offset)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and ISO_DATETIME.match(value):
        moment = datetime.fromisoformat(value)
    else:
        return None
    return moment.astimezone(PARIS) if moment.tzinfo else moment.replace(tzinfo=PARIS)


def parse_decimal(value: Any) -> Decimal | int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def date_fr(value: Any) -> str:
    day = parse_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


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


def content_disposition(name: str) -> str:
    """An attachment header with an ASCII file name for old clients and the exact French one (RFC 6266)."""
    ascii_name = name.replace("ç", "c").encode("ascii", "ignore").decode("ascii")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


# -- PDF -----------------------------------------------------------------------------------------------


def pack_pdf(pack: dict) -> bytes:
    """The pack as a tagged PDF: PDF/UA-1, French, titled, A4, numbered pages, committee and date on top."""
    from weasyprint import CSS, HTML  # imported here: loading Pango costs ~0.5 s, only when a PDF is made

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
    document = HTML(string=html, base_url=None)
    return document.write_pdf(
        stylesheets=[CSS(string=css)],
        pdf_variant="pdf/ua-1",
        pdf_identifier=_identifier(pack),
        uncompressed_pdf=False,
    )


def _identifier(pack: dict) -> bytes:
    """The PDF's /ID from the pack itself (WeasyPrint otherwise derives it from the clock)."""
    import hashlib

    text = json.dumps(pack, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().encode("ascii")
