"""Text encodings of real DECP files: UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252/Latin-1 exports.

The encoding is decided on the first 64 KB: a BOM says it; otherwise valid UTF-8 means UTF-8, anything else
Windows-1252 (a superset of Latin-1 for printable text). A UTF-8 file with a few stray Windows-1252 bytes
further on does not fail: those bytes are read as Windows-1252 and counted (`fallback_count`), and the reader
reports it as a file warning — never silently.

`decode_text` reads a small text file whole (register CSV, inclusive-supplier list) by the same rule: a BOM or
valid UTF-8 means UTF-8, anything else Windows-1252, then whatever last resort the caller adds.
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


def decode_text(
    data: bytes, *, fallbacks: tuple[str, ...] = ("cp1252",), trust_bom: bool = False
) -> tuple[str, str]:
    """The whole of `data` decoded, and the encoding used: UTF-8 without its BOM ("utf-8-sig") when it has
    one, UTF-8 when valid, else the first of `fallbacks` that reads it (add "latin-1" to read every byte).

    With `trust_bom`, a UTF-8 BOM decides: bytes that are not UTF-8 after it become U+FFFD. Without it, such a
    file goes on to the fallbacks. Raises UnicodeDecodeError when no candidate reads the bytes."""
    if data.startswith(codecs.BOM_UTF8):
        if trust_bom:
            return data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
        candidates = ("utf-8-sig", *fallbacks)
    else:
        candidates = ("utf-8", *fallbacks)
    for candidate in candidates[:-1]:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    return data.decode(candidates[-1]), candidates[-1]


def incremental_decoder(encoding: str) -> codecs.IncrementalDecoder:
    errors = FALLBACK_ERRORS if encoding in ("utf-8", "utf-8-sig") else "replace"
    return codecs.getincrementaldecoder(encoding)(errors=errors)


def decode_head(head: bytes, encoding: str) -> str:
    return incremental_decoder(encoding).decode(head, final=False)
