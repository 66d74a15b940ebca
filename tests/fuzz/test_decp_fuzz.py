"""Fuzzing the DECP reader with structurally hostile files.

Property, whatever the bytes: iterating `open_decp(path)` yields ContractRecord / RejectedRecord, or raises a
DecpError whose message is French and names the file — never another exception, never a hang (every case
runs under an alarm), never unbounded memory (the bombs below are measured with tracemalloc).
"""

from __future__ import annotations

import atexit
import codecs
import gzip
import io
import json
import shutil
import signal
import tempfile
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spaser.decp import ContractRecord, DecpError, RejectedRecord, UnsafeFile, open_decp
from tests.fuzz.helpers import CASES, MUTATION, assert_clear_error, fuzz, mutate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "decp"
WORK = Path(tempfile.mkdtemp(prefix="spaser-fuzz-decp-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
CASE_SECONDS = 10

RECORD = {
    "id": "F1",
    "acheteur": {"id": "22930008201453"},
    "nature": "Marché",
    "objet": "Entretien des espaces verts",
    "montant": 50000,
    "dateNotification": "2024-03-01",
    "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "32933888305269"}}],
}
XML_2022 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<marches>\n<marche><id>X1</id>'
    "<acheteur><id>22930008201453</id></acheteur><nature>Marché</nature>"
    "<objet>Entretien des espaces verts</objet><codeCPV>77310000</codeCPV>"
    "<techniques><technique>Accord-cadre</technique></techniques>"
    "<considerationsSociales><considerationSociale>Clause sociale</considerationSociale>"
    "</considerationsSociales><montant>12000.5</montant><dateNotification>2024-02-01</dateNotification>"
    "<titulaires><titulaire><typeIdentifiant>SIRET</typeIdentifiant><id>32933888305269</id></titulaire>"
    "</titulaires></marche>\n<contrat-concession><id>C1</id><autoriteConcedante><id>22930008201453</id>"
    "</autoriteConcedante><valeurGlobale>1000</valeurGlobale></contrat-concession>\n</marches>\n"
).encode()
XML_2019 = (
    b"<marches><marche><id>2019X</id><uid>229300082014532019X</uid>"
    b"<acheteur><id>22930008201453</id><nom>D\xc3\xa9partement</nom></acheteur>"
    b"<nature>March\xc3\xa9</nature><montant>1000</montant><titulaires><titulaire>"
    b"<typeIdentifiant>SIRET</typeIdentifiant><id>32933888305269</id>"
    b"<denominationSociale>Garami</denominationSociale></titulaire></titulaires></marche></marches>"
)
CSV_HEADER = "uid;id;acheteur_id;titulaire_id;montant;dateNotification;considerationsSociales;objet"
CSV_TABULAR = (
    CSV_HEADER
    + "\n22930008201453T1;T1;22930008201453;32933888305269;100000;2024-03-01;Clause sociale;Travaux\n"
    + '22930008201453T2;T2;22930008201453;05420224700026;200 000,50;2024-03-02;Sans objet;"Lot; 2"\n'
).encode()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _zip(data: bytes, name: str = "decp.json", method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = method
        archive.writestr(info, data)
    return buffer.getvalue()


def _parquet(columns: dict) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


PARQUET = _parquet(
    {
        "uid": ["22930008201453P1", "22930008201453P1"],
        "acheteur_id": ["22930008201453"] * 2,
        "titulaire_id": ["32933888305269", "44306184100047"],
        "montant": [1000.0, 1000.0],
    }
)
JSON_SEEDS = {
    path.name: path.read_bytes()
    for path in sorted(FIXTURES.glob("*.json")) + sorted((FIXTURES / "exemples_v2").glob("*.json"))
}
SEEDS = {
    **JSON_SEEDS,
    "small_2022.json": json.dumps({"marches": {"marche": [RECORD, {**RECORD, "id": "F2"}]}}).encode(),
    "decp_2022.xml": XML_2022,
    "decp_2019.xml": XML_2019,
    "tabulaire.csv": CSV_TABULAR,
    "tabulaire.parquet": PARQUET,
    "decp.json.gz": _gzip(JSON_SEEDS["v2019_small.json"]),
    "decp.zip": _zip(XML_2022, "decp.xml"),
}
SEED_NAMES = sorted(SEEDS)


class _Hang(Exception):
    pass


@contextmanager
def _alarm(seconds: int):
    def ring(_signum, _frame):
        raise _Hang(f"plus de {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_read(content: bytes, name: str, target: str, *, validate: bool = True) -> str:
    """Read `content` as the file `name`: records, or a clear DecpError. Returns "records" or "error"."""
    CASES[target] += 1
    path = WORK / name
    path.write_bytes(content)
    with _alarm(CASE_SECONDS):
        try:
            decp = open_decp(path, validate_schema=validate)
            records = list(decp)
        except DecpError as error:
            assert_clear_error(str(error), name)
            return "error"
    for record in records:
        assert isinstance(record, ContractRecord | RejectedRecord), type(record)
        if isinstance(record, RejectedRecord):
            assert record.reasons
            for reason in record.reasons:
                assert_clear_error(reason)
    for warning in decp.warnings:
        assert_clear_error(warning)
    return "records"


# --- Random bytes and random JSON ----------------------------------------------------------------------

PREFIXES = st.sampled_from(
    [b"", b"{", b"[", b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04", b"\x1f\x8b", b"PAR1"]
)


@fuzz(300)
@given(prefix=PREFIXES, body=st.binary(max_size=3000))
def test_random_bytes(prefix, body):
    check_read(prefix + body, "aleatoire.json", "decp: octets aléatoires")


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["", "NC", "2024-13-45", "32933888305269", "1e400", "-0", "Sans objet", "\u0000", "\ud800"]
    ),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "acheteur", "montant", "titulaires", "titulaire", "marche", "objet", "x"])
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)
SHAPES = st.one_of(
    JSON_VALUES,
    st.builds(lambda v: {"marches": v}, JSON_VALUES),
    st.builds(lambda v: {"marches": {"marche": v}}, JSON_VALUES),
    st.builds(lambda v: {"marches": {"marche": [v], "contrat-concession": v}}, JSON_VALUES),
    st.builds(
        lambda fields: {"marches": {"marche": [{**RECORD, **fields}]}},
        st.dictionaries(
            st.sampled_from([*sorted(RECORD), "dureeMois", "codeCPV", "modifications"]), JSON_VALUES
        ),
    ),
    st.builds(
        lambda fields: {"marches": [{**RECORD, **fields}]},
        st.dictionaries(st.sampled_from([*sorted(RECORD), "uid", "_type", "titulaires"]), JSON_VALUES),
    ),
)


def _dumps(value) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except ValueError:  # an integer too long for str(): the reader gets one anyway, below
        return b'{"marches": [{"montant": ' + b"9" * 5000 + b"}]}"


@fuzz(500)
@given(value=SHAPES, validate=st.booleans())
def test_json_of_any_shape(value, validate):
    check_read(_dumps(value), "forme.json", "decp: JSON de forme quelconque", validate=validate)


@fuzz(150)
@given(
    kind=st.sampled_from(
        ["list", "dict", "object_in_record", "string", "number", "integer", "duplicate", "deep"]
    ),
    size=st.integers(min_value=1, max_value=6000),
)
def test_extreme_json(kind, size):
    record = json.dumps(RECORD)[:-1]
    content = {
        "list": b'{"marches": [' + b"[" * size + b"]" * size + b"]}",
        "dict": b'{"marches": {"marche": [' + b'{"a":' * size + b"1" + b"}" * size + b"]}}",
        "object_in_record": f'{{"marches": [{record}, "objet": {"[" * size}{"]" * size}}}]}}'.encode(),
        "string": f'{{"marches": {{"marche": [{record}, "objet": "{"é" * size * 50}"}}]}}}}'.encode(),
        "number": f'{{"marches": [{record}, "montant": {"9" * size}.{"9" * size}e{size}}}]}}'.encode(),
        # beyond 4 300 digits, int() refuses: was a ValueError out of the reader
        "integer": f'{{"marches": [{record}, "montant": {"9" * size}}}]}}'.encode(),
        "duplicate": f'{{"marches": {{"marche": [{record}, "id": "A", "id": {size}}}], "marche": []}}, '
        f'"marches": [{record}}}]}}'.encode(),
        "deep": b"[" * size * 10 + b"]" * size * 10,
    }[kind]
    check_read(content, f"extreme-{kind}.json", "decp: JSON extrême (profondeur, tailles)")


# --- Mutations of real files: truncation, flips, deletions, insertions ----------------------------------


@fuzz(400)
@given(seed=st.sampled_from(SEED_NAMES), where=st.floats(min_value=0, max_value=1))
def test_truncated_at_any_offset(seed, where):
    content = SEEDS[seed]
    cut = int(len(content) * where)
    if not cut:
        return
    check_read(content[:cut], f"coupe-{seed}", "decp: fichiers réels tronqués")


@fuzz(800)
@given(seed=st.sampled_from(SEED_NAMES), mutations=st.lists(MUTATION, min_size=1, max_size=8))
def test_mutated_real_files(seed, mutations):
    check_read(mutate(SEEDS[seed], mutations), f"mute-{seed}", "decp: fichiers réels mutés")


# --- Encodings -----------------------------------------------------------------------------------------

ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "latin-1",
    "cp1252",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "mac-roman",
]


@fuzz(150)
@given(
    seed=st.sampled_from(["small_2022.json", "decp_2022.xml", "tabulaire.csv", "dirty_2022.json"]),
    encoding=st.sampled_from(ENCODINGS),
    bom=st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE]),
    text=st.text(max_size=20),
)
def test_wrong_encodings(seed, encoding, bom, text):
    decoded = SEEDS[seed].decode("utf-8-sig").replace("Entretien", "Entretien " + text, 1)
    content = bom + decoded.encode(encoding, errors="replace")
    check_read(content, f"encodage-{seed}", "decp: encodages et BOM")


# --- Tabular: CSV and Parquet --------------------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ['"', '""', '"a"b', "\x00", "\r", "\n", ";", "NC", "1e999", "32933888305269", "2024-02-30"]
    ),
    st.just("x" * 140_000),
)


@fuzz(300)
@given(
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    rows=st.lists(st.lists(CELLS, max_size=12), max_size=8),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    quote=st.booleans(),
)
def test_hostile_csv(delimiter, rows, newline, quote):
    header = CSV_HEADER.replace(";", delimiter)
    lines = [header] + [delimiter.join(f'"{cell}"' if quote else cell for cell in row) for row in rows]
    content = newline.join(lines).encode("utf-8", "surrogatepass")
    check_read(content, "tabulaire.csv", "decp: CSV tabulaire hostile")


PARQUET_COLUMNS = st.dictionaries(
    st.sampled_from(
        ["uid", "acheteur_id", "titulaire_id", "id", "montant", "dateNotification", "dureeMois", "autre"]
    ),
    st.sampled_from(["text", "int", "float", "null", "bool", "list"]),
    min_size=1,
    max_size=6,
)
PARQUET_VALUES = {
    "text": ["22930008201453P1", "", "NC"],
    "int": [22930008201453, -1, 2**62],
    "float": [1.5, float("nan"), float("inf")],
    "null": [None, None, None],
    "bool": [True, False, None],
    "list": [[1, 2], [], None],
}


@fuzz(80)
@given(columns=PARQUET_COLUMNS)
def test_parquet_with_wrong_columns(columns):
    content = _parquet({name: PARQUET_VALUES[kind] for name, kind in columns.items()})
    check_read(content, "tabulaire.parquet", "decp: Parquet à colonnes fausses")


# --- Archives ------------------------------------------------------------------------------------------


@fuzz(250)
@given(
    seed=st.sampled_from(["small_2022.json", "decp_2022.xml", "tabulaire.csv", "v2019_small.json"]),
    wrapper=st.sampled_from(["zip", "zip-stored", "gzip", "zip-in-zip", "gzip-in-zip", "two-members"]),
    mutations=st.lists(MUTATION, max_size=4),
)
def test_corrupt_and_nested_archives(seed, wrapper, mutations):
    inner = SEEDS[seed]
    content = {
        "zip": lambda: _zip(inner),
        "zip-stored": lambda: _zip(inner, method=zipfile.ZIP_STORED),
        "gzip": lambda: _gzip(inner),
        "zip-in-zip": lambda: _zip(_zip(inner), "decp.zip"),
        "gzip-in-zip": lambda: _zip(_gzip(inner), "decp.json.gz"),
        "two-members": lambda: _zip(inner) + _zip(inner),
    }[wrapper]()
    check_read(
        mutate(content, mutations) if mutations else content, f"archive-{wrapper}.zip", "decp: archives"
    )


def _peak_megabytes(function) -> float:
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 1024**2


def test_gzip_bomb_of_a_gigabyte_is_refused_without_inflating_it():
    """1 GiB of spaces in 1 MB (1 024 gzip members of 1 MiB each): refused once the ratio is plain, in bounded
    memory and time — the reader never inflates it all."""
    member = gzip.compress(b" " * 1024**2, compresslevel=9, mtime=0)
    path = WORK / "bombe.json.gz"
    path.write_bytes(gzip.compress(b'{"marches": [', mtime=0) + member * 1024)
    CASES["decp: bombes et entités XML"] += 1
    started = time.monotonic()

    def read():
        with pytest.raises(UnsafeFile) as error:
            list(open_decp(path))
        assert_clear_error(str(error.value), "bombe.json.gz")

    assert _peak_megabytes(read) < 40
    assert time.monotonic() - started < 5


def test_zip_whose_header_lies_about_its_size():
    """A member declared 100 bytes long that inflates to 20 MB: read as declared, then refused (CRC)."""
    data = b'{"marches": [' + b" " * (20 * 1024**2) + b"]}"
    honest = _zip(data)
    assert len(honest) < 100_000
    # The local header and the central directory both say 100.
    content = honest.replace(len(data).to_bytes(4, "little"), (100).to_bytes(4, "little"))
    assert zipfile.ZipFile(io.BytesIO(content)).infolist()[0].file_size == 100
    assert check_read(content, "ment.zip", "decp: bombes et entités XML") == "error"


ENTITY_ATTACKS = {
    "billion-laughs": '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]><marches><marche><id>&j;</id></marche></marches>",
    "xxe": '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><marches><marche><id>&x;</id></marche></marches>',
    "xxe-parameter": '<!DOCTYPE m [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><marches></marches>',
    "xxe-network": '<!DOCTYPE m SYSTEM "http://127.0.0.1:9/decp.dtd"><marches><marche><id>&x;</id></marche></marches>',
    "xxe-hidden-by-control": '<!DOC\x01TYPE m [<!ENT\x02ITY x SYSTEM "file:///etc/passwd">]>'
    "<marches><marche><id>&x;</id><objet>&x;</objet></marche></marches>",
    "undeclared": "<marches><marche><id>&x;</id></marche></marches>",
    "xinclude": '<marches xmlns:xi="http://www.w3.org/2001/XInclude"><marche><id>'
    '<xi:include href="/etc/passwd" parse="text"/></id></marche></marches>',
}


@pytest.mark.parametrize("name", sorted(ENTITY_ATTACKS))
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
@pytest.mark.parametrize("padding", [0, 1024**2 - 30])  # the declaration across the reader's chunk boundary
def test_xml_entity_attacks_are_refused_or_ignored(name, encoding, padding):
    text = '<?xml version="1.0"?>' + " " * padding + ENTITY_ATTACKS[name]
    content = text.encode(encoding)
    outcome = check_read(content, f"{name}.xml", "decp: bombes et entités XML")
    if name != "xinclude":
        assert outcome == "error"
        return
    if outcome == "records":  # XInclude is not processed: the element is read as an element, never followed
        raws = [str(getattr(record, "raw", "")) for record in open_decp(WORK / f"{name}.xml")]
        assert not any("root:" in raw for raw in raws)
