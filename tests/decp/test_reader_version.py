"""READER_VERSION must change when the reader's output changes (see spaser/decp/version.py): the importer's
content hash relies on it to rewrite stored contracts with a better reading.

The fingerprint is the sha256 of the repr of every record read from the test files. When this test fails
because you changed what the reader makes of a record: bump READER_VERSION and add the new fingerprint under
the new version. Never edit the fingerprint of an existing version.
"""

import hashlib
from pathlib import Path

from spaser.decp import DecpError, open_decp
from spaser.decp.version import READER_VERSION

FIXTURES = Path(__file__).parent.parent / "fixtures" / "decp"
FINGERPRINTS = {
    "2026.11.1": "860f306111f4dc784861c85dc8645ea5e9df0cde9e7145b2ed1a07725a08249f",
}


def reader_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(FIXTURES.rglob("*.json")):
        digest.update(path.name.encode())
        try:
            for item in open_decp(path):
                digest.update(repr(item).encode())
        except DecpError as error:  # a refused file: its message is output too
            digest.update(str(error).encode())
    return digest.hexdigest()


def test_the_reader_version_changes_with_the_reader_output():
    assert READER_VERSION in FINGERPRINTS, "ajoutez l'empreinte de la nouvelle version de lecture"
    assert reader_fingerprint() == FINGERPRINTS[READER_VERSION], (
        "La lecture des fichiers de test a changé : changez READER_VERSION (spaser/decp/version.py) "
        "et ajoutez la nouvelle empreinte."
    )


def test_each_version_has_its_own_fingerprint():
    assert len(set(FINGERPRINTS.values())) == len(FINGERPRINTS)
