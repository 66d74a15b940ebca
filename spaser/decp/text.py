"""Text encodings of real DECP files: UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252/Latin-1 exports.

The encoding is decided on the first 64 KB: a BOM says it; otherwise valid UTF-8 means UTF-8, anything else
Windows-1252 (a superset of Latin-1 for printable text). A UTF-8 file with a few stray Windows-1252 bytes
further on does not fail: those bytes are read as Windows-1252 and counted (`fallback_count`), and the reader
reports it as a file warning — never silently.
"""

from __future__ import annotations

import codecs
import threading

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 avec BOM",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 (Latin-1)",
}
FALLBACK_ERRORS = "spaser-cp1252-fallback"

_state = threading.local()


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    _state.count = getattr(_state, "count", 0) + len(bad)
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error(FALLBACK_ERRORS, _fallback)


def fallback_count() -> int:
    """How many bytes the current thread read as Windows-1252 inside UTF-8 text so far."""
    return getattr(_state, "count", 0)


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the sample is fine
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def incremental_decoder(encoding: str) -> codecs.IncrementalDecoder:
    errors = FALLBACK_ERRORS if encoding in ("utf-8", "utf-8-sig") else "replace"
    return codecs.getincrementaldecoder(encoding)(errors=errors)


def decode_head(head: bytes, encoding: str) -> str:
    return incremental_decoder(encoding).decode(head, final=False)
