"""The bytes of a DECP file: plain, or wrapped in one .zip / .gz, read as a stream with safety limits.

A `Source` can be opened several times (each iteration of a DecpFile re-reads the file from the start), counts
the bytes read from disk (for progress bars) and refuses archive bombs: an archive may not inflate beyond
`MAX_UNCOMPRESSED_BYTES`, nor beyond `MAX_RATIO` times what it consumed (checked once `RATIO_CHECK_AFTER`
bytes came out, so small files that compress very well are not refused), and may not hold another archive.
Real DECP files compress 5 to 30 times; bombs, thousands of times.
"""

from __future__ import annotations

import gzip
import io
import lzma
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from spaser.decp.errors import InvalidFile, UnsafeFile

MAX_UNCOMPRESSED_BYTES = 20 * 1024**3  # the national CSV is ~2.2 GB: ten times that is not a DECP file
MAX_RATIO = 100
RATIO_CHECK_AFTER = 4 * 1024**2
HEAD_BYTES = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
GZIP_MAGIC = b"\x1f\x8b"
# What a damaged archive makes zipfile / gzip / zlib raise (an offset out of the file is an OSError, an
# unknown compression method a NotImplementedError, a damaged lzma or bz2 member an LZMAError / OSError).
ARCHIVE_ERRORS = (
    zlib.error,
    zipfile.BadZipFile,
    EOFError,
    gzip.BadGzipFile,
    OSError,
    NotImplementedError,
    ValueError,
    lzma.LZMAError,
)


class _Counting(io.RawIOBase):
    """A raw stream that counts what it reads, and enforces the archive limits when it is an inflater."""

    def __init__(self, inner: BinaryIO, source: Source, *, inflated: bool, counter: _Counting | None = None):
        self._inner = inner
        self._source = source
        self._inflated = inflated
        self._disk = counter  # the on-disk stream under an inflater, to compute the ratio
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._inner.read(len(buffer))
        except ARCHIVE_ERRORS as error:
            raise InvalidFile(
                f"« {self._source.name} » : archive endommagée ou tronquée ({error}). "
                "Téléchargez ou copiez le fichier à nouveau."
            ) from None
        size = len(data)
        buffer[:size] = data
        self.count += size
        if self._inflated:
            self._check_limits()
        else:
            self._source.bytes_read += size
        return size

    def _check_limits(self) -> None:
        source = self._source
        if self.count > source.max_uncompressed:
            raise UnsafeFile(
                f"« {source.name} » refusé : l'archive se décompresse au-delà de "
                f"{source.max_uncompressed // 1024**2} Mo (bombe de décompression probable)."
            )
        consumed = self._disk.count if self._disk is not None else 0
        if self.count > RATIO_CHECK_AFTER and consumed and self.count / consumed > source.max_ratio:
            raise UnsafeFile(
                f"« {source.name} » refusé : taux de compression anormal "
                f"(plus de {source.max_ratio} pour 1), "
                "bombe de décompression probable."
            )


@dataclass
class Source:
    """Where the bytes of a DECP file come from. `inner_name` is the archived file's name, if any."""

    path: Path
    wrapper: str = ""  # "", "zip" or "gzip"
    inner_name: str = ""
    size: int | None = None
    bytes_read: int = 0
    # Read at creation, not at import: a deployment (or a test) may lower the module's limits.
    max_uncompressed: int = field(default_factory=lambda: MAX_UNCOMPRESSED_BYTES)
    max_ratio: int = field(default_factory=lambda: MAX_RATIO)
    _member: zipfile.ZipInfo | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return f"{self.path.name} › {self.inner_name}" if self.inner_name else self.path.name

    @contextmanager
    def open(self) -> Iterator[io.BufferedReader]:
        """A buffered binary stream of the (decompressed) content, from the start."""
        self.bytes_read = 0
        with open(self.path, "rb") as disk_file:
            disk = _Counting(disk_file, self, inflated=False)
            if self.wrapper == "gzip":
                inner: BinaryIO = gzip.GzipFile(fileobj=io.BufferedReader(disk), mode="rb")
                stream = _Counting(inner, self, inflated=True, counter=disk)
            elif self.wrapper == "zip":
                try:
                    archive = zipfile.ZipFile(disk_file)
                    inner = archive.open(self._member)
                except ARCHIVE_ERRORS as error:
                    raise InvalidFile(
                        f"« {self.name} » : archive zip endommagée ({error}). "
                        "Téléchargez ou copiez le fichier à nouveau."
                    ) from None
                stream = _Counting(inner, self, inflated=True, counter=_ZipDiskCounter(disk_file, self))
            else:
                stream = disk
            yield io.BufferedReader(stream, buffer_size=1024 * 1024)

    def head(self, size: int = HEAD_BYTES) -> bytes:
        with self.open() as stream:
            return stream.read(size)

    def tail(self, size: int = 4096) -> bytes | None:
        """The last bytes of a plain file (None for archives, whose end is checked while reading)."""
        if self.wrapper:
            return None
        with open(self.path, "rb") as disk_file:
            disk_file.seek(max(0, (self.size or 0) - size))
            return disk_file.read()


class _ZipDiskCounter:
    """For zip members, the consumed on-disk bytes are read from the underlying file's position."""

    def __init__(self, disk_file: BinaryIO, source: Source):
        self._disk_file = disk_file
        self._source = source
        self._start = source._member.header_offset if source._member else 0

    @property
    def count(self) -> int:
        position = self._disk_file.tell() - self._start
        self._source.bytes_read = max(self._source.bytes_read, position)
        return position


def open_source(path: str | Path) -> Source:
    """Check the file exists and unwrap one level of archive. Raises InvalidFile / UnsafeFile (French)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as file:
            magic = file.read(4)
    except FileNotFoundError:
        raise InvalidFile(f"Fichier introuvable : « {path} ».") from None
    except IsADirectoryError:
        raise InvalidFile(f"« {path} » est un dossier, pas un fichier DECP.") from None
    except OSError as error:
        raise InvalidFile(f"Impossible de lire « {path} » : {error.strerror or error}.") from None
    if size == 0:
        raise InvalidFile(f"« {path.name} » est vide.")
    if magic.startswith(GZIP_MAGIC):
        source = Source(path=path, wrapper="gzip", inner_name=_gzip_name(path), size=size)
    elif magic.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        source = _zip_source(path, size)
    else:
        return Source(path=path, size=size)
    inner_magic = source.head(4)
    if inner_magic.startswith((GZIP_MAGIC, ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        raise UnsafeFile(
            f"« {source.name} » refusé : archive contenue dans une archive. Décompressez-la d'abord."
        )
    if not inner_magic:
        raise InvalidFile(f"« {source.name} » : le fichier contenu dans l'archive est vide.")
    return source


def _gzip_name(path: Path) -> str:
    return path.stem if path.suffix.lower() == ".gz" else path.name


def _zip_source(path: Path, size: int) -> Source:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            ]
    except ARCHIVE_ERRORS as error:
        raise InvalidFile(f"« {path.name} » : archive zip illisible ou tronquée ({error}).") from None
    if len(members) != 1:
        names = ", ".join(f"« {info.filename} »" for info in members[:5]) or "aucun fichier"
        raise InvalidFile(
            f"« {path.name} » : l'archive doit contenir un seul fichier DECP, elle en contient "
            f"{len(members)} ({names})."
        )
    member = members[0]
    if member.flag_bits & 0x1:
        raise InvalidFile(f"« {path.name} » : archive protégée par un mot de passe.")
    if member.file_size > MAX_UNCOMPRESSED_BYTES or (
        member.file_size > RATIO_CHECK_AFTER and member.file_size > MAX_RATIO * max(member.compress_size, 1)
    ):
        raise UnsafeFile(
            f"« {path.name} » refusé : « {member.filename} » se décompresserait en "
            f"{member.file_size // 1024**2} Mo à partir de {member.compress_size // 1024} Ko "
            "(bombe de décompression probable)."
        )
    return Source(path=path, wrapper="zip", inner_name=member.filename, size=size, _member=member)
