"""The reading half of an import: records read, normalised and prepared for the writer, in pieces.

An import is two halves of about the same cost: reading a record (parsing, normalising every trap, the
content hash: pure Python, no database) and writing it (the database). With two cores or more and a large
file, a forked child process does the first half and sends prepared pieces through a pipe while this
process writes the previous ones: the wall time is the slower half, not the sum (ADR 0005). Otherwise, or
when it is not worth a process, the same function runs here. Either way the writer gets the same pieces.

The child may be AHEAD pieces ahead of the writer, no more: memory stays bounded.
The child never touches the database (it inherits the connection object, never uses it, and leaves with
`os._exit`); a DecpError it meets (a file broken halfway) is raised here, where the transaction of the
import is rolled back.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Iterator
from typing import NamedTuple

from django.conf import settings

from spaser.contracts.importing.writer import Prepared, prepare
from spaser.decp import DecpError, DecpFile, RejectedRecord, SupplierRecord
from spaser.decp.decp_file import FORMAT_PARQUET

PIECE = 500  # records per piece: the progress bar moves at this pace
PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # under this, starting a process costs more than it saves
AHEAD = 12  # pieces the reading process may have ready before the writer takes them (bounded memory)


class Piece(NamedTuple):
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
        and _cores() >= 2
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _cores() -> int:
    """The cores this process may run on (Linux), else the machine's."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)


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
                kind, payload = _decode(receiving.recv_bytes())
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
    """Read and prepare; a thread sends the encoded pieces, so reading goes on while the pipe is full
    (the writer busy with a chunk), up to AHEAD pieces."""
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
    sender = threading.Thread(target=_send_all, args=(outbox, sending), daemon=True)
    sender.start()
    try:
        for piece in _pieces(source):
            outbox.put(_encode_piece(piece))
        outbox.put(_encode("end", list(source.warnings)))
    except DecpError as error:
        outbox.put(_encode("error", error))
    except Exception as error:  # anything else reaches the parent as an error, not a hang
        message = f"Erreur de lecture : {type(error).__name__} : {error}"
        outbox.put(_encode("error", RuntimeError(message)))
    finally:
        outbox.put(None)
        sender.join()
        sending.close()


# -- the wire: prepared records as marshal data (plain tuples of text and numbers, several times faster to
# load than pickled objects); anything else (a rejected record, an error) pickled.


def _encode_piece(piece: Piece) -> bytes:
    items = [
        (
            True,
            (*item[:6], tuple((s.identifier, s.identifier_type, s.name) for s in item.suppliers), item.flags),
        )
        if type(item) is Prepared
        else (False, pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
        for item in piece.items
    ]
    return b"P" + marshal.dumps((items, piece.bytes_read))


def _encode(kind: str, payload) -> bytes:
    return b"O" + pickle.dumps((kind, payload), pickle.HIGHEST_PROTOCOL)


def _decode(message: bytes) -> tuple[str, object]:
    if message[:1] == b"O":
        return pickle.loads(message[1:])
    items, bytes_read = marshal.loads(message[1:])
    return "piece", Piece(
        [
            Prepared(*fields[:6], tuple(SupplierRecord(*s) for s in fields[6]), fields[7])
            if prepared
            else pickle.loads(fields)
            for prepared, fields in items
        ],
        bytes_read,
    )


def _send_all(outbox: queue.Queue, sending) -> None:
    while (message := outbox.get()) is not None:
        sending.send_bytes(message)  # blocks while the pipe is full, without holding the GIL
