"""What an import run says about every record it read: the fates, their French labels, the summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Fate(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


FATE_LABELS = {
    Fate.CREATED: "créé",
    Fate.UPDATED: "mis à jour",
    Fate.UNCHANGED: "inchangé",
    Fate.DUPLICATE: "doublon",
    Fate.QUARANTINED: "en quarantaine",
}

COUNTED = ("read", "created", "updated", "unchanged", "duplicates", "quarantined", "warnings")
FATE_COUNTER = {
    Fate.CREATED: "created",
    Fate.UPDATED: "updated",
    Fate.UNCHANGED: "unchanged",
    Fate.DUPLICATE: "duplicates",
    Fate.QUARANTINED: "quarantined",
}


@dataclass
class ImportSummary:
    """What became of every record of one file. Invariant:
    read == created + updated + unchanged + duplicates + quarantined."""

    source: str
    format: str
    batch: int | None  # ImportBatch id; None after a dry run (nothing was kept)
    source_label: str = ""
    dry_run: bool = False
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0
    warnings: int = 0  # kept records (created, updated or unchanged) that carry at least one quality flag
    attributed: int = 0  # created or updated contracts given a direction by the organisations' rules
    report_file: str = ""  # name of the per-record CSV report in the default storage (MEDIA)
    touched_ids: list[int] = field(default_factory=list)  # created + updated contracts

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def count(self, fate: Fate, delta: int = 1) -> None:
        name = FATE_COUNTER[fate]
        setattr(self, name, getattr(self, name) + delta)

    @property
    def balanced(self) -> bool:
        kept = self.created + self.updated + self.unchanged + self.duplicates + self.quarantined
        return self.read == kept
