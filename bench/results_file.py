"""The benchmarks' sections of bench/RESULTS.md: each run replaces its own section, between its markers, and
leaves the rest of the file as it is."""

from __future__ import annotations

from pathlib import Path


def replace_section(path: Path, section: str, start: str, end: str) -> None:
    """Write `section` (from marker `start` to marker `end`) in place of the one already in `path`, or at its
    end when there is none yet."""
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    section = section.rstrip("\n") + "\n"
    if start in previous and end in previous:
        before, rest = previous.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = previous.rstrip("\n") + ("\n\n" if previous else "") + section
    path.write_text(text, encoding="utf-8")
