"""Writes for contracts. The DECP importer lives in `spaser.contracts.importing` (streaming, chunked, one
transaction per file, every record's fate in a report); the correction of quarantined records in
`spaser.contracts.quarantine`. This module keeps the public names where callers expect them.
"""

from spaser.contracts.importing import (
    Fate,
    ImportSummary,
    import_decp_file,
    import_decp_source,
    upsert_suppliers,
)

__all__ = ["Fate", "ImportSummary", "import_decp_file", "import_decp_source", "upsert_suppliers"]
