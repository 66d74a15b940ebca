"""The reading half of an import: records read, normalised and prepared for the writer, in pieces.

An import is two halves of about the same cost: reading a record (parsing, normalising every trap, the
content hash: pure Python, no database) and writing it (the database). With two cores or more and a large
file, a forked child process does the first half and sends prepared pieces through a pipe while this
process writes the previous ones: the wall time is the slower half, not the sum (ADR 0005). Otherwise, or
when it is not worth a process, the same function runs here. Either way the writer gets the same pieces.

The pipe holds one piece at a time: the child waits while the writer is behind, so memory stays bounded.
The child never touches the database (it inherits the connection object, never uses it, and leaves with
`os._exit`); a DecpError it meets (a file broken halfway) is raised here, where the transaction of the
import is rolled back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from spaser.contracts.importing.writer import Prepared, prepare
from spaser.decp import DecpError, DecpFile, RejectedRecord
from spaser.decp.decp_file import FORMAT_PARQUET

PIECE = 500  # records per piece: the progress bar moves at this pace
PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # under this, starting a process costs more than it saves


@dataclass(slots=True)
class Piece:
    items: list[Prepared | RejectedRecord]  # in file order
    bytes_read: int  # of the source, when the piece was read (for the progress fraction)


def prepared_pieces(source: DecpFile, *, parallel: bool | None = None) -> Iterator[Piece]:
    """The records of `source`, prepared, PIECE at a time; `parallel=None` decides (`worth_a_process`)."""
    if parallel is None:
        parallel = worth_a_process(source)
    if parallel:
        return _pieces_from_child(source)
    return _pieces(source)


def worth_a_process(source: DecpFile) -> bool:
    """A second process for large files, where there is a second core to run it and `fork` to start it
    cheaply (Linux). Not for Parquet: pyarrow's thread pool does not survive a fork."""
    return (
        getattr(settings, "SPASER_IMPORT_PARALLEL", True)
        and (source.size or 0) >= PARALLEL_MIN_BYTES
        and source.format != FORMAT_PARQUET
        and len(os.sched_getaffinity(0)) >= 2
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _pieces(source: DecpFile) -> Iterator[Piece]:
    items: list[Prepared | RejectedRecord] = []
    for record in source:
        items.append(record if isinstance(record, RejectedRecord) else prepare(record))
        if len(items) == PIECE:
            yield Piece(items, source.bytes_read)
            items = []
    if items:
        yield Piece(items, source.bytes_read)


def _pieces_from_child(source: DecpFile) -> Iterator[Piece]:
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(source, sending), daemon=True)
    child.start()
    sending.close()  # the child holds the only sending end: its death ends the pipe (EOFError below)
    try:
        while True:
            try:
                kind, payload = receiving.recv()
            except EOFError:
                child.join(timeout=5)
                raise DecpError(
                    f"La lecture de « {source.name} » s'est interrompue (processus de lecture arrêté, "
                    f"code {child.exitcode}) : aucun marché n'a été enregistré, relancez l'import."
                ) from None
            if kind == "piece":
                yield payload
            elif kind == "end":
                source.warnings[:] = payload
                return
            else:
                raise payload
    finally:
        receiving.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _read_in_child(source: DecpFile, sending) -> None:
    try:
        for piece in _pieces(source):
            sending.send(("piece", piece))
        sending.send(("end", list(source.warnings)))
    except DecpError as error:
        sending.send(("error", error))
    except Exception as error:  # anything else reaches the parent as an error, not a hang
        sending.send(("error", RuntimeError(f"Erreur de lecture : {type(error).__name__} : {error}")))
    finally:
        sending.close()
