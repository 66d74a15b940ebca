"""Streaming reader of DECP JSON files: one record at a time, in bounded memory.

The file is decoded chunk by chunk (256 KB) and walked with a tiny state machine over its outer structure
(`{"marches": [...]}` or `{"marches": {"marche": [...], "contrat-concession": [...]}}`). Records are parsed
by orjson, a few dozen at a time (cut where the separator seen between the first two records recurs, see
`_Cursor.whole_records`); whatever orjson would read differently from the `json` module (the `NaN` literals
of real files, integers beyond 64 bits) or cannot cut is parsed record by record by the C scanner of the
`json` module, which also gives the line and column of errors. Measured faster than ijson's yajl2_c backend
and than `orjson.loads` of the whole file (see tests/decp/bench_reader.py): memory holds one chunk plus the
records being read, whatever the file size.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from spaser.decp.errors import InvalidFile, TruncatedFile, UnsupportedFormat
from spaser.decp.text import incremental_decoder

CHUNK = 256 * 1024
# Records parsed at once by orjson: a few dozen, whose memory stays in the processor's cache (a whole chunk
# at once is slower than record by record with the json module).
BATCH = 16 * 1024
LAYOUT_LIST = "list"  # 2019: "marches" is the list of records
LAYOUT_DICT = "dict"  # 2022: "marches" holds "marche" and "contrat-concession"
RECORD_KEYS = ("marche", "contrat-concession")

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_WHITESPACE_CHARACTERS = " \t\n\r"
_DIGITS_AS_ZEROS = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_DIGIT_RUN = b"0" * 19
# The C scanner behind `JSONDecoder.raw_decode`, called directly: one Python call less per record.
_scan_once = json.JSONDecoder().scan_once


class _Cursor:
    """A window on the decoded text: `buf[pos:]` is what is left to read; older text is dropped."""

    def __init__(self, stream: BinaryIO, encoding: str, name: str):
        self.stream = stream
        self.decoder = incremental_decoder(encoding)
        self.name = name
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines_before = 0  # newlines in the dropped text, to give line numbers
        self.columns_before = 0  # characters of the current line that were dropped

    def more(self, at_least: int = CHUNK) -> bool:
        if self.eof:
            return False
        data = self.stream.read(max(CHUNK, at_least))
        text = self.decoder.decode(data, final=not data)
        if not data:
            self.eof = True
        # Drop what was read before appending: memory holds one chunk and the record being read, no more.
        dropped_lines = self.buf.count("\n", 0, self.pos)
        self.lines_before += dropped_lines
        last_newline = self.buf.rfind("\n", 0, self.pos)
        self.columns_before = self.pos - last_newline - 1 if dropped_lines else self.columns_before + self.pos
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        return bool(text) or not self.eof

    def skip_ws(self) -> str:
        """Skip whitespace; the next character, or "" at the end of the file."""
        if self.pos < len(self.buf) and self.buf[self.pos] not in _WHITESPACE_CHARACTERS:
            return self.buf[self.pos]  # often the case (",", "]" right after a value): no regex needed
        while True:
            self.pos = _WHITESPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def whole_records(self, separator: str) -> list[Any] | None:
        """The records from the cursor up to the last `separator` within BATCH characters, parsed at once by
        orjson (faster than the json module); [] if there is none to cut at; None when orjson cannot be used.

        The cut is right: a text cut inside a record (an inner "},{", a string) is not valid JSON, so orjson
        refuses it. orjson reads like the json module, except: no NaN literals and no numbers beyond 1e308
        (it refuses them: None) and integers beyond 64 bits, which it would read as floats: any run of 19
        digits or more sends the text to the json module (None)."""
        cut = self.buf.rfind(separator, self.pos, self.pos + BATCH) + 1
        if cut <= self.pos:
            return []
        data = self.buf[self.pos : cut].encode("utf-8", "surrogatepass")
        if _LONG_DIGIT_RUN in data.translate(_DIGITS_AS_ZEROS):
            return None
        try:
            records = orjson.loads(b"[" + data + b"]")
        except orjson.JSONDecodeError:
            return None
        self.pos = cut
        return records

    def take(self, expected: str, what: str) -> None:
        found = self.skip_ws()
        if found != expected:
            self.fail(f"« {expected} » attendu {what}", self.pos)
        self.pos += 1

    def value(self) -> Any:
        """The JSON value at the cursor, reading more text until it is complete."""
        self.skip_ws()
        while True:
            try:
                value, end = _scan_once(self.buf, self.pos)
            except StopIteration as stop:  # what raw_decode turns it into
                self._decode_error(json.JSONDecodeError("Expecting value", self.buf, stop.value))
                continue
            except json.JSONDecodeError as error:
                self._decode_error(error)
                continue
            except RecursionError:
                self.fail("imbrication trop profonde", self.pos)
            except ValueError:  # not a JSONDecodeError (caught above): an integer of more than 4 300 digits
                self.fail(f"nombre trop long (plus de {sys.get_int_max_str_digits()} chiffres)", self.pos)
            if end == len(self.buf) and not self.eof and self.buf[end - 1] not in ']}"':
                # A number or literal cut by the end of the chunk ("12" of "1234"): read on.
                self.more()
                continue
            self.pos = end
            return value

    def _decode_error(self, error: json.JSONDecodeError) -> None:
        if not self.eof:  # maybe only incomplete: read on, then decode again
            self.more(at_least=len(self.buf) - self.pos)
            return
        if error.pos >= len(self.buf) - 1 or error.msg.startswith("Unterminated"):
            self.truncated()
        self.fail(_french_json_error(error.msg), error.pos)

    def location(self, pos: int) -> tuple[int, int]:
        line = self.lines_before + self.buf.count("\n", 0, pos) + 1
        newline = self.buf.rfind("\n", 0, pos)
        column = pos - newline if newline >= 0 else self.columns_before + pos + 1
        return line, column

    def fail(self, message: str, pos: int) -> None:
        line, column = self.location(pos)
        raise InvalidFile(f"JSON invalide dans « {self.name} », ligne {line}, colonne {column} : {message}.")

    def truncated(self) -> None:
        line, _ = self.location(len(self.buf))
        raise TruncatedFile(
            f"« {self.name} » est tronqué : il s'arrête au milieu d'un enregistrement (ligne {line}). "
            "Téléchargez ou copiez le fichier à nouveau."
        )


def _french_json_error(message: str) -> str:
    translations = {
        "Expecting property name enclosed in double quotes": "nom de propriété entre guillemets attendu",
        "Expecting value": "valeur attendue",
        "Expecting ',' delimiter": "virgule attendue",
        "Expecting ':' delimiter": "deux-points attendus",
        "Extra data": "contenu après la fin des données",
        "Invalid control character at": "caractère de contrôle dans un texte",
        "Invalid \\escape": "séquence d'échappement invalide",
    }
    return translations.get(message, message)


def iter_json(stream: BinaryIO, *, encoding: str, name: str) -> Iterator[tuple[str, Any]]:
    """Yield ("layout", LAYOUT_LIST | LAYOUT_DICT) once the shape is known, then (container, record) for every
    record, container being "marches" (2019 list) or "marche" / "contrat-concession" (2022)."""
    cursor = _Cursor(stream, encoding, name)
    first = cursor.skip_ws()
    if first != "{":
        found = "vide" if not first else ("une liste" if first == "[" else f"« {first} »")
        raise UnsupportedFormat(
            f'« {name} » : la racine du JSON est {found}, un objet {{"marches": …}} était attendu.'
        )
    cursor.pos += 1
    keys: list[str] = []
    found_marches = False
    while True:
        following = cursor.skip_ws()
        if following == "}":
            cursor.pos += 1
            break
        if keys:
            cursor.take(",", "entre deux propriétés")
        key = cursor.value()
        if not isinstance(key, str):
            cursor.fail("nom de propriété entre guillemets attendu", cursor.pos)
        keys.append(key)
        cursor.take(":", "après un nom de propriété")
        if key == "marches":
            found_marches = True
            yield from _marches(cursor)
        else:
            cursor.value()  # "$schema", "source"…: not records
    if cursor.skip_ws():
        cursor.fail("contenu après la fin des données", cursor.pos)
    if not found_marches:
        listed = ", ".join(f"« {key} »" for key in keys[:8]) or "aucune"
        raise UnsupportedFormat(f"« {name} » : clé « marches » absente (clés trouvées : {listed}).")


def _marches(cursor: _Cursor) -> Iterator[tuple[str, Any]]:
    shape = cursor.skip_ws()
    if shape == "[":
        yield "layout", LAYOUT_LIST
        yield from _array(cursor, "marches")
        return
    if shape != "{":
        found = cursor.value() if shape else None
        kind = {str: "un texte", type(None): "null", int: "un nombre", float: "un nombre"}.get(
            type(found), "?"
        )
        raise UnsupportedFormat(
            f"« {cursor.name} » : « marches » est {kind}, "
            "une liste ou un objet d'enregistrements était attendu."
        )
    yield "layout", LAYOUT_DICT
    cursor.pos += 1
    seen: list[str] = []
    while True:
        following = cursor.skip_ws()
        if following == "}":
            cursor.pos += 1
            break
        if seen:
            cursor.take(",", "entre deux propriétés")
        key = cursor.value()
        seen.append(str(key))
        cursor.take(":", "après un nom de propriété")
        if key in RECORD_KEYS:
            if cursor.skip_ws() == "[":
                yield from _array(cursor, key)
            else:  # converted from XML: a single record instead of a list
                single = cursor.value()
                if single is not None:
                    yield key, single
        else:
            cursor.value()
    if not any(key in RECORD_KEYS for key in seen):
        listed = ", ".join(f"« {key} »" for key in seen[:8]) or "rien"
        raise UnsupportedFormat(
            f"« {cursor.name} » : « marches » ne contient ni « marche » ni « contrat-concession » "
            f"(trouvé : {listed})."
        )


def _array(cursor: _Cursor, container: str) -> Iterator[tuple[str, Any]]:
    cursor.pos += 1  # "["
    if cursor.skip_ws() == "]":
        cursor.pos += 1
        return
    separator: str | None = None  # between two records, once learnt; "" when orjson is not to be used
    while True:
        batch = cursor.whole_records(separator) if separator else []
        if batch is None:
            separator = ""  # orjson cannot be trusted with this text: record by record from now on
        for record in batch or ():
            yield container, record
        if not batch:
            yield container, cursor.value()
        record_end, text = cursor.pos, cursor.buf
        following = cursor.skip_ws()
        if following == ",":
            cursor.pos += 1
            if (
                separator is None
                and cursor.skip_ws() == "{"
                and cursor.buf is text
                and text[record_end - 1] == "}"
            ):
                separator = text[record_end - 1 : cursor.pos + 1]  # e.g. "},\n{" or "},\n    {"
        elif following == "]":
            cursor.pos += 1
            return
        elif not following:
            cursor.truncated()
        else:
            cursor.fail("virgule ou « ] » attendu entre deux enregistrements", cursor.pos)
