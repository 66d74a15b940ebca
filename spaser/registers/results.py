"""What became of each row of a register or insertion file, the run's counts and the per-row result file.

Invariant: read == created + updated + unchanged + rejected (blank lines are not rows).
The result file is CSV with `;` in UTF-8 with BOM, so that Excel opens it in French: ligne ; résultat ;
marché ; message.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

FATES = {
    "created": "créé",
    "updated": "mis à jour",
    "unchanged": "inchangé",
    "rejected": "rejeté",
}


@dataclass
class RowOutcome:
    line: int
    fate: str  # a key of FATES
    contract: str = ""  # uid of the contract the row went to (or would go to)
    messages: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # the row as mapped, for the preview

    @property
    def fate_label(self) -> str:
        return FATES[self.fate]

    @property
    def message(self) -> str:
        return " ; ".join(self.messages)


@dataclass
class RegisterResult:
    kind: str
    source: str
    format: str
    dry_run: bool = False
    batch: int | None = None
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0  # rows imported with a message worth reading (e.g. a manual direction kept)
    estimated_end_dates: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)

    def add(self, outcome: RowOutcome, *, warning: bool = False) -> None:
        self.outcomes.append(outcome)
        self.read += 1
        setattr(self, outcome.fate, getattr(self, outcome.fate) + 1)
        if warning:
            self.warnings += 1

    @property
    def balanced(self) -> bool:
        return self.read == self.created + self.updated + self.unchanged + self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "format": self.format,
            "dry_run": self.dry_run,
            "batch": self.batch,
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "estimated_end_dates": self.estimated_end_dates,
        }

    def summary_text(self) -> str:
        prefix = "Essai à blanc (rien n'est enregistré) — " if self.dry_run else ""
        return (
            f"{prefix}{self.source} : {self.read} ligne(s) lue(s), {self.created} marché(s) créé(s), "
            f"{self.updated} mis à jour, {self.unchanged} inchangé(s), {self.rejected} rejetée(s)"
            + (f", {self.warnings} avec alerte" if self.warnings else "")
            + "."
        )

    def report_csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(["ligne", "résultat", "marché", "message"])
        for outcome in self.outcomes:
            writer.writerow([outcome.line, outcome.fate_label, outcome.contract, outcome.message])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
