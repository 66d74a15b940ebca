"""Errors that stop a whole file (as opposed to a bad record, which is quarantined or flagged).

Messages are French and name the file: they are shown as is by the command line and the UI.
"""


class DecpError(Exception):
    """A DECP file cannot be read at all."""


class UnsupportedFormat(DecpError):
    """The file is readable but its format is not (yet) supported; the message says what was found."""


class InvalidFile(DecpError):
    """The file is not valid JSON (or is missing, or unreadable)."""
