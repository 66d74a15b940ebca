"""What the frozen documents (meeting packs, annual reports) share: reading their JSON values back (dates,
times, decimals written as text), French dates, download headers, and the tagged PDF made by WeasyPrint
(PDF/UA-1) with an identifier taken from the document itself: the same document gives the same bytes."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARIS = ZoneInfo("Europe/Paris")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        return date.fromisoformat(value)
    return None


def parse_datetime(value: Any) -> datetime | None:
    """An aware ISO datetime, in Paris time (naive Paris time when the text has no offset)."""
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


def content_disposition(name: str) -> str:
    """An attachment header with an ASCII file name for old clients and the exact French one (RFC 6266)."""
    ascii_name = name.replace("ç", "c").encode("ascii", "ignore").decode("ascii")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def tagged_pdf(*, html: str, stylesheets: list[str], document: dict) -> bytes:
    """`html` as a tagged PDF (PDF/UA-1). Its /ID comes from `document` (WeasyPrint otherwise derives it from
    the clock), so the same document renders the same bytes."""
    from weasyprint import CSS, HTML  # imported here: loading Pango costs ~0.5 s, only when a PDF is made

    text = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    identifier = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().encode("ascii")
    return HTML(string=html, base_url=None).write_pdf(
        stylesheets=[CSS(string=css) for css in stylesheets],
        pdf_variant="pdf/ua-1",
        pdf_identifier=identifier,
        uncompressed_pdf=False,
    )


def xlsx_bytes(workbook, *, title: str, moment: datetime) -> bytes:
    """An openpyxl `workbook` as XLSX bytes stamped with `moment` (properties and every zip entry): the same
    document gives the same bytes whenever it is saved."""
    from openpyxl.writer.excel import ExcelWriter

    properties = workbook.properties
    properties.creator = properties.lastModifiedBy = "Spaser"
    properties.title = title
    properties.language = "fr-FR"
    properties.created = properties.modified = moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    buffer = io.BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.fixed_time = moment.replace(tzinfo=None).timetuple()[:6]
    ExcelWriter(workbook, archive).save()  # closes the archive
    return buffer.getvalue()


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all bear the same time, so the same workbook gives the same bytes."""

    fixed_time: tuple = (2000, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.fixed_time)
            zinfo.compress_type = self.compression
            zinfo.external_attr = 0o600 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each worksheet to a temporary file first: its time would be the file's.
        with open(filename, "rb") as handle:
            self.writestr(arcname or filename, handle.read(), compress_type, compresslevel)
