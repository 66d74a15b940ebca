"""What an uploaded data file really is, from its first bytes (never from its name), and the checks every data
upload form shares: size first (from the request's metadata, before the content is read), then the content.

Pure Python (no Django import): the DECP reader and the register reader use `describe_binary` too, so a PDF
is called a PDF wherever it arrives.
"""

from __future__ import annotations

import codecs

HEAD_BYTES = 8192

# Formats users upload by mistake, and executables: named in French in the refusal.
BINARY_SIGNATURES = {
    b"%PDF": "un document PDF",
    b"\x89PNG": "une image PNG",
    b"\xff\xd8\xff": "une image JPEG",
    b"GIF8": "une image GIF",
    b"\xd0\xcf\x11\xe0": "un document Office ancien (.xls / .doc)",
    b"Rar!": "une archive RAR",
    b"7z\xbc\xaf": "une archive 7-Zip",
    b"BZh": "une archive bzip2",
    b"\xfd7zXZ": "une archive xz",
    b"\x7fELF": "un programme (exécutable)",
    b"MZ": "un programme Windows (exécutable)",
    b"{\\rtf": "un document RTF",
}
ZIP = "zip"
GZIP = "gzip"
PARQUET = "parquet"
TEXT = "texte"


def describe_binary(head: bytes) -> str | None:
    """The French name of a known non-data format ("un document PDF"), or None."""
    for signature, description in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            return description
    return None


def content_kind(head: bytes) -> str | None:
    """ZIP (also .xlsx), GZIP, PARQUET, TEXT (JSON, XML, CSV in any encoding), or None (binary)."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head.startswith(b"\x1f\x8b"):
        return GZIP
    if head.startswith(b"PAR1"):
        return PARQUET
    if describe_binary(head):
        return None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return TEXT
    return None if b"\x00" in head else TEXT


def refusal(name: str, head: bytes, accepted: set[str], expected: str) -> str | None:
    """The French refusal of a file whose content is not of an `accepted` kind, or None when acceptable.
    `expected` says what was expected, in words."""
    kind = content_kind(head)
    if kind in accepted:
        return None
    found = describe_binary(head) or {
        ZIP: "une archive zip",
        GZIP: "une archive gzip",
        PARQUET: "un fichier Parquet",
        TEXT: "un fichier texte",
    }.get(kind or "", "un fichier au contenu binaire")
    return f"« {name} » est {found}, quel que soit son nom : {expected} attendu."


def read_head(upload, size: int = HEAD_BYTES) -> bytes:
    """The first bytes of a Django UploadedFile, leaving it at its start for whoever reads it next."""
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head
