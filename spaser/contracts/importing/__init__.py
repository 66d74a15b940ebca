"""The DECP importer, split by responsibility:

- `decp.py`: `import_decp_file` / `import_decp_source`, the streaming loop and every record's fate;
- `writer.py`: the one write path (compare with the stored contract, create/update, suppliers);
- `preference.py`: which version of a contract wins (ADR 0004);
- `report.py`: the per-record CSV report; `summary.py`: ImportSummary and the fates.
"""

from spaser.contracts.importing.decp import CHUNK_SIZE, import_decp_file, import_decp_source
from spaser.contracts.importing.summary import FATE_LABELS, Fate, ImportSummary
from spaser.contracts.importing.writer import upsert_suppliers

__all__ = [
    "CHUNK_SIZE",
    "FATE_LABELS",
    "Fate",
    "ImportSummary",
    "import_decp_file",
    "import_decp_source",
    "upsert_suppliers",
]
