"""Reference definitions of the DECP-computable indicators of domain.md §6, as data.

A scheme's own indicators carry their definition (method + parameters) in the register; this catalogue is
what `compute_indicators --buyer` uses for any buyer, whatever the organisations, and what a new scheme can
start from.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Definition:
    code: str
    name: str
    method: str
    params: dict = field(default_factory=dict)
    unit: str = "percent"


CATALOGUE = [
    Definition("S1", "Marchés avec au moins une considération sociale, en nombre", "share",
               {"measure": "count", "condition": "has_social"}),
    Definition("S2", "Marchés avec au moins une considération sociale, en valeur", "share",
               {"measure": "amount", "condition": "has_social"}),
    Definition("E1", "Marchés avec au moins une considération environnementale, en nombre", "share",
               {"measure": "count", "condition": "has_environmental"}),
    Definition("E2", "Marchés avec au moins une considération environnementale, en valeur", "share",
               {"measure": "amount", "condition": "has_environmental"}),
]  # fmt: skip

BY_CODE = {definition.code: definition for definition in CATALOGUE}
