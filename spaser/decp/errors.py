"""Errors that stop a whole file (as opposed to a bad record, which is quarantined or flagged).

Messages are French and name the file (and the line or position when known): they are shown as is by the
command line and the UI. A reader raises them at `open_decp` when the problem is visible up front, or while
iterating (a file truncated or broken in its middle): the importer's transaction then leaves the base
unchanged.
"""


class DecpError(Exception):
    """A DECP file cannot be read at all."""


class UnsupportedFormat(DecpError):
    """The file is readable but is not a DECP format we know; the message says what was found."""


class InvalidFile(DecpError):
    """The file is missing, unreadable, or not valid JSON / XML / CSV / Parquet."""


class TruncatedFile(InvalidFile):
    """The file ends in the middle of a record (an interrupted download or copy)."""


class UnsafeFile(InvalidFile):
    """Refused on purpose: an XML entity bomb or external entity, a zip bomb, an archive in an archive."""
