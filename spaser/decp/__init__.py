"""Read DECP files (données essentielles de la commande publique) into normalised records.

Pure Python, no Django: used by the contracts importer and, later, the observatory.
Entry points: `open_decp(path)` (detects the format from the content; iterate the result to stream records),
`read_decp(path)`, `read_tabular_rows(rows, name=…)` (rows of the national tabular format from the API) and
`open_decp_record(raw, format=…)` (one raw record again, e.g. a corrected quarantined record).
"""

from spaser.decp.errors import DecpError, InvalidFile, TruncatedFile, UnsafeFile, UnsupportedFormat
from spaser.decp.reader import (
    FORMAT_LABELS,
    DecpFile,
    open_decp,
    open_decp_record,
    read_decp,
    read_tabular_rows,
)
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
    "FORMAT_LABELS",
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
    "TruncatedFile",
    "UnsafeFile",
    "UnsupportedFormat",
    "open_decp",
    "open_decp_record",
    "read_decp",
    "read_tabular_rows",
]
