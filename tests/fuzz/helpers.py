"""Shared by the fuzz tests: the settings of a fuzz test, the case counter, and what a clear error is."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import settings

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
