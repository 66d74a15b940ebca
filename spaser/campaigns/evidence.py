"""Evidence files attached to an entry: what they are is read from their content, never from their name.

Accepted: PDF, XLSX, DOCX (Office Open XML zips), ODS, ODT (OpenDocument zips), PNG, JPEG, CSV (plain
text). A renamed executable, an archive of anything else, or a file over the size limit is refused with a
French message naming the file. Zips are recognised from their directory and their small `mimetype` member
only: nothing is decompressed beyond a few bytes, so a zip bomb costs nothing.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
TEXT_SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True)
class EvidenceType:
    key: str
    label: str
    extension: str
    content_type: str


TYPES = {
    t.key: t
    for t in (
        EvidenceType("pdf", "PDF", "pdf", "application/pdf"),
        EvidenceType(
            "xlsx",
            "Excel (XLSX)",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        EvidenceType(
            "docx",
            "Word (DOCX)",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        EvidenceType("ods", "Calc (ODS)", "ods", "application/vnd.oasis.opendocument.spreadsheet"),
        EvidenceType("odt", "Writer (ODT)", "odt", "application/vnd.oasis.opendocument.text"),
        EvidenceType("csv", "CSV", "csv", "text/csv"),
        EvidenceType("png", "image PNG", "png", "image/png"),
        EvidenceType("jpeg", "image JPEG", "jpg", "image/jpeg"),
    )
}
ACCEPTED_LABEL = "PDF, XLSX, ODS, DOCX, ODT, CSV, PNG ou JPEG"
OPENDOCUMENT = {
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.text": "odt",
}


def file_size(size: float) -> str:
    """12576 → '12,3 ko'; 10485760 → '10 Mo'."""
    value, unit = (size / 1024, "ko") if size < 1024 * 1024 else (size / 1024 / 1024, "Mo")
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + f" {unit}"


def sniff(upload) -> EvidenceType | None:
    """The type of the upload, read from its first bytes (and a zip's directory); None if not accepted."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return TYPES["pdf"]
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return TYPES["png"]
        if head.startswith(b"\xff\xd8\xff"):
            return TYPES["jpeg"]
        if head.startswith(b"PK\x03\x04"):
            return _sniff_zip(upload)
        return _sniff_text(upload, upload.name)
    finally:
        upload.seek(0)


def _sniff_zip(upload) -> EvidenceType | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    kind = OPENDOCUMENT.get(member.read(100).strip())
                return TYPES[kind] if kind else None
            if "[Content_Types].xml" in names:
                if "xl/workbook.xml" in names:
                    return TYPES["xlsx"]
                if "word/document.xml" in names:
                    return TYPES["docx"]
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return None
    return None


def _sniff_text(upload, name: str) -> EvidenceType | None:
    """A CSV has no signature: plain text (UTF-8 or Windows-1252, no control characters) named .csv."""
    if not name.lower().endswith(".csv"):
        return None
    sample = upload.read(TEXT_SAMPLE_BYTES)
    if not sample or b"\x00" in sample:
        return None
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is not an error.
        if error.start < len(sample) - 4:
            try:
                text = sample.decode("cp1252")
            except UnicodeDecodeError:
                return None
        else:
            text = sample[: error.start].decode("utf-8")
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
        return None
    return TYPES["csv"]


def check_evidence(upload) -> EvidenceType:
    """The type of an acceptable evidence file; ValidationError (French, naming the file) otherwise."""
    name = upload.name
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            f"Le fichier « {name} » pèse {file_size(upload.size)} : un justificatif ne peut dépasser "
            f"{file_size(MAX_EVIDENCE_BYTES)}.",
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(f"Le fichier « {name} » est vide.", code="empty")
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            f"Le contenu du fichier « {name} » n'est pas d'un type accepté ({ACCEPTED_LABEL}), quel que soit "
            "le nom du fichier.",
            code="wrong_type",
        )
    return kind
