"""Read DECP files (données essentielles de la commande publique) into normalised records.

Pure Python, no Django: used by the contracts importer and, later, the observatory.
Entry points: `open_decp(path)` (parses and detects the format) and `read_decp(path)` (iterates records).
"""

from spaser.decp.errors import DecpError, InvalidFile, UnsupportedFormat
from spaser.decp.reader import DecpFile, open_decp, read_decp
from spaser.decp.records import (
    KIND_CONCESSION,
    KIND_MARCHE,
    Considerations,
    ContractRecord,
    Flag,
    ModificationRecord,
    RejectedRecord,
    SupplierRecord,
)

__all__ = [
    "KIND_CONCESSION",
    "KIND_MARCHE",
    "Considerations",
    "ContractRecord",
    "DecpError",
    "DecpFile",
    "Flag",
    "InvalidFile",
    "ModificationRecord",
    "RejectedRecord",
    "SupplierRecord",
    "UnsupportedFormat",
    "open_decp",
    "read_decp",
]
