"""Shared by the fuzz tests: the settings of a fuzz test, the case counter, and what a clear error is."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import settings
from hypothesis import strategies as st

PROFILE = "spaser-fuzz"
CASES: Counter[str] = Counter()  # target → cases run (every hypothesis example, every explicit case)

# A French message has French words or accents; Python's and the libraries' own messages have neither.
_FRENCH = re.compile(
    r"[éèàçêùôî«]|\b(?:[ld]'|de|le|la|les|du|des|est|pas|une?|dans|au|aux|fichier|ligne|colonne|clé|vide|illisible|invalide|attendue?|refusé|absente?)\b",
    re.IGNORECASE,
)


def fuzz(max_examples: int) -> settings:
    return settings(settings.get_profile(PROFILE), max_examples=max_examples)


def assert_clear_error(message: str, *names: str) -> None:
    """A message for the user: French, and naming the file (or sheet, row, column) it is about."""
    assert message.strip(), "message vide"
    assert _FRENCH.search(message), f"message non français : {message!r}"
    for name in names:
        assert name in message, f"« {name} » absent du message : {message!r}"
    assert "Traceback" not in message


# A real file damaged by a few byte-level edits: flip a byte, delete, insert or duplicate a run.
MUTATION = st.tuples(
    st.sampled_from(["flip", "delete", "insert", "duplicate"]),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=0, max_value=255),
    st.integers(min_value=1, max_value=40),
)


def mutate(content: bytes, mutations) -> bytes:
    data = bytearray(content)
    for operation, where, value, length in mutations:
        if not data:
            break
        at = min(int(len(data) * where), len(data) - 1)
        if operation == "flip":
            data[at] ^= value or 1
        elif operation == "delete":
            del data[at : at + length]
        elif operation == "insert":
            data[at:at] = bytes([value]) * length
        else:
            data[at:at] = data[at : at + length]
    return bytes(data)
