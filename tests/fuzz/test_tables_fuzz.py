"""Fuzzing the Excel/CSV importers: contract registers, facilitators' insertion exports, supplier lists.

Properties: `read_table` returns a table or raises TableError whose French message names the file (and the
sheet when one was asked for); every row it parses is either values or French errors naming line and column;
an import that fails stores nothing (no contract, no batch, no insertion hours); the supplier-list reader
gives entries, refused lines, or an InclusiveListError naming the file. Never another exception, never a hang.
"""

from __future__ import annotations

import atexit
import csv
import io
import re
import shutil
import tempfile
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from spaser.contracts.models import Contract, ImportBatch
from spaser.registers import tables
from spaser.registers.mapping import header_score, propose_mapping
from spaser.registers.models import InsertionHours, RegisterKind
from spaser.registers.rows import parse_rows
from spaser.registers.services import import_insertion, import_register
from spaser.registers.tables import TableError, read_table
from spaser.suppliers.inclusive import InclusiveListError, parse_inclusive_list
from tests.factories import BuyerFactory, build_register
from tests.fuzz.helpers import CASES, MUTATION, assert_clear_error, fuzz, mutate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WORK = Path(tempfile.mkdtemp(prefix="spaser-fuzz-tables-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
KINDS = [RegisterKind.CONTRACTS, RegisterKind.INSERTION]
HEADERS = {
    RegisterKind.CONTRACTS: [
        "Numéro marché",
        "Objet",
        "Date de fin",
        "Montant estimé",
        "Heures d'insertion prévues",
        "Direction",
        "Date de notification",
        "Durée",
        "CPV",
    ],
    RegisterKind.INSERTION: (FIXTURES / "registers" / "insertion_facilitateur.csv")
    .read_text(encoding="utf-8")
    .splitlines()[0]
    .split(";"),
}
CELL_ERROR = re.compile(r"^ligne \d+(, colonne « .+ »)? : .+", re.DOTALL)

CELLS = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.sampled_from(
        [
            "=1/0",
            "=SUM(A1:A9)",
            '=HYPERLINK("http://exemple.invalid","x")',
            "=A1",
            "31/02/2025",
            "2024-13-01",
            "45688",
            "1 234,56 €",
            "-0",
            "NaN",
            "inf",
            "oui",
            "\u00a0",
            "#REF!",
            "x" * 40_000,
        ]
    ),
)


def check_table(path: Path, name: str, target: str, *, sheet: str = ""):
    """Read `path` with each importer's header rule: a Table, or a clear TableError."""
    CASES[target] += 1
    found = []
    for kind in KINDS:
        try:
            table = read_table(path, name=name, sheet=sheet, header_score=header_score(kind))
        except TableError as error:
            message = str(error)
        else:
            message = ""
        if message:
            assert_clear_error(message, name)
            if sheet and "feuille" in message:
                assert sheet in message
            continue
        assert all(len(row) == len(table.headers) for row in table.rows)
        assert len(set(table.headers)) == len(table.headers)
        for row in parse_rows(table, mapping=propose_mapping(table.headers, kind=kind), kind=kind):
            for message in row.errors:
                assert CELL_ERROR.match(message), message
                assert_clear_error(message)
        found.append(table)
    return found


def _workbook_bytes(sheets: list[tuple[str, list[list]]], merges: list[str]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for index, (title, rows) in enumerate(sheets):
        sheet = workbook.create_sheet(title=f"{title[:20]}{index}" or f"Feuille{index}")
        for row in rows:  # openpyxl refuses control characters: Excel cannot hold them either
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
        for merge in merges if index == 0 else ():
            sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SHEET_TITLES = st.text(
    alphabet=st.characters(blacklist_characters="[]:*?/\\'", blacklist_categories=("Cs", "Cc")), max_size=10
)


@fuzz(220)
@given(
    kind=st.sampled_from(KINDS),
    title_rows=st.integers(min_value=0, max_value=3),
    rows=st.lists(st.lists(CELLS, max_size=10), max_size=8),
    sheets=st.lists(SHEET_TITLES, min_size=0, max_size=4),
    merges=st.lists(st.sampled_from(["A1:B1", "A2:C3", "B2:B6", "A1:J1", "C4:D5"]), max_size=2, unique=True),
    ask_sheet=st.sampled_from(["", "Feuille absente", "first"]),
)
def test_hostile_workbooks(kind, title_rows, rows, sheets, merges, ask_sheet):
    grid = [["Registre des marchés 2024"]] * title_rows + [HEADERS[kind]] + rows
    extra = [(title, [["a", "b"], [1, 2]]) for title in sheets]
    content = _workbook_bytes([("Registre", grid), *extra], merges)
    path = WORK / "registre.xlsx"
    path.write_bytes(content)
    sheet = {"": "", "Feuille absente": "Feuille absente", "first": "Registre0"}[ask_sheet]
    check_table(path, "registre.xlsx", "tableurs: classeurs .xlsx hostiles", sheet=sheet)


XLSX_SEED = _workbook_bytes(
    [("Registre", [HEADERS[RegisterKind.CONTRACTS], ["M1", "Objet", "2024-12-31", 10]])], []
)
SEEDS = {
    "registre.xlsx": XLSX_SEED,
    "registre_marches_cp1252.csv": (FIXTURES / "registers" / "registre_marches_cp1252.csv").read_bytes(),
    "registre_marches_bom.csv": (FIXTURES / "registers" / "registre_marches_bom.csv").read_bytes(),
    "insertion_facilitateur.csv": (FIXTURES / "registers" / "insertion_facilitateur.csv").read_bytes(),
}


@fuzz(400)
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    mutations=st.lists(MUTATION, min_size=1, max_size=6),
    extension=st.sampled_from([".xlsx", ".csv"]),
)
def test_mutated_and_renamed_files(seed, mutations, extension):
    name = Path(seed).stem + extension  # a CSV renamed .xlsx, a workbook renamed .csv: the content decides
    path = WORK / name
    path.write_bytes(mutate(SEEDS[seed], mutations))
    check_table(path, name, "tableurs: fichiers réels mutés ou renommés")


@fuzz(300)
@given(
    delimiter=st.sampled_from([";", ",", "\t", "|", " "]),
    kind=st.sampled_from(KINDS),
    rows=st.lists(
        st.lists(
            st.text(max_size=15) | st.sampled_from(['"', '"a"b"', "\x00", "\r", "x" * 140_000]), max_size=12
        ),
        max_size=8,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_hostile_csv(delimiter, kind, rows, encoding):
    lines = [delimiter.join(HEADERS[kind])] + [delimiter.join(row) for row in rows]
    path = WORK / "export.csv"
    path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
    check_table(path, "export.csv", "tableurs: CSV hostiles")


@fuzz(120)
@given(
    prefix=st.sampled_from(
        [b"", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0", b"%PDF-1.4\n", b"\xef\xbb\xbf"]
    ),
    body=st.binary(max_size=2000),
)
def test_random_bytes(prefix, body):
    path = WORK / "donnees.xlsx"
    path.write_bytes(prefix + body)
    check_table(path, "donnees.xlsx", "tableurs: octets aléatoires")


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return buffer.getvalue()


def _xlsx_bomb(lie: bool) -> bytes:
    """A real workbook whose sheet holds 40 MB of spaces (the test lowers the limit to 8 MB); with `lie`, the
    zip's headers declare the sheet 1 000 bytes long."""
    source = zipfile.ZipFile(io.BytesIO(XLSX_SEED))
    members = {info.filename: source.read(info) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet].replace(b"<sheetData>", b"<sheetData>" + b" " * (40 * 1024**2), 1)
    content = _zip(members)
    if lie:
        content = content.replace(len(members[sheet]).to_bytes(4, "little"), (1000).to_bytes(4, "little"))
    return content


NOT_WHAT_THEY_SAY = {
    "vide.xlsx": (lambda: b"", "vide"),
    "csv.xlsx": (lambda: SEEDS["registre_marches_bom.csv"], None),
    "pas-un-classeur.xlsx": (lambda: _zip({"decp.json": b'{"marches": []}'}), "classeur"),
    "zip-vide.xlsx": (lambda: _zip({}), "classeur"),
    "bombe.xlsx": (lambda: _xlsx_bomb(lie=False), "décompresse"),
    "bombe-menteuse.xlsx": (lambda: _xlsx_bomb(lie=True), "classeur"),
    "ancien.xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "97-2003"),
    "document.csv": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n", "PDF"),
    "image.xlsx": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image"),
}


@pytest.mark.parametrize("name", sorted(NOT_WHAT_THEY_SAY))
def test_files_that_are_not_what_they_say(name, monkeypatch):
    monkeypatch.setattr(tables, "MAX_UNZIPPED_BYTES", 8 * 1024**2)
    build, expected = NOT_WHAT_THEY_SAY[name]
    path = WORK / name
    path.write_bytes(build())
    started = time.monotonic()
    found = check_table(path, name, "tableurs: faux classeurs et bombes")
    assert time.monotonic() - started < 5
    if expected is None:
        assert found, "un CSV nommé .xlsx se lit comme un CSV"
        return
    assert not found
    with pytest.raises(TableError, match=expected):
        read_table(path, name=name)


# --- Whole imports: a failing file stores nothing ------------------------------------------------------


@pytest.fixture
def organisation(db):
    world = build_register()
    BuyerFactory(organisation=world.organisation, identifier="59920013600241", name="Lycée")
    return world.organisation


@pytest.mark.django_db
@fuzz(60)
@given(
    kind=st.sampled_from(KINDS),
    seed=st.sampled_from(sorted(SEEDS)),
    mutations=st.lists(MUTATION, max_size=5),
    dry_run=st.booleans(),
)
def test_imports_store_nothing_when_the_file_fails(organisation, kind, seed, mutations, dry_run):
    CASES["tableurs: imports complets (base)"] += 1
    path = WORK / seed
    path.write_bytes(mutate(SEEDS[seed], mutations))
    before = (Contract.objects.count(), ImportBatch.objects.count(), InsertionHours.objects.count())
    run = import_register if kind == RegisterKind.CONTRACTS else import_insertion
    try:
        result = run(path=path, organisation=organisation, file_name=seed, dry_run=dry_run)
    except TableError as error:
        assert_clear_error(str(error), seed)
        assert (
            Contract.objects.count(),
            ImportBatch.objects.count(),
            InsertionHours.objects.count(),
        ) == before
        return
    if dry_run:
        assert (
            Contract.objects.count(),
            ImportBatch.objects.count(),
            InsertionHours.objects.count(),
        ) == before
    for outcome in result.outcomes:
        for message in outcome.messages:
            assert_clear_error(message)


# --- Inclusive-supplier lists --------------------------------------------------------------------------

LIST_SEEDS = {
    path.name: path.read_bytes()
    for path in (
        FIXTURES / "suppliers" / "ea_esat.csv",
        FIXTURES / "suppliers" / "siae_conventions_extrait.csv",
    )
}


@fuzz(300)
@given(
    seed=st.sampled_from(sorted(LIST_SEEDS)),
    mutations=st.lists(MUTATION, max_size=6),
    extra=st.lists(
        st.lists(st.text(max_size=16) | st.sampled_from(["\x00", '"', "x" * 140_000]), max_size=6), max_size=4
    ),
    kind=st.sampled_from(["auto", "SIAE", "EA", "ESAT", "inconnu"]),
)
def test_inclusive_lists(seed, mutations, extra, kind):
    CASES["listes de structures inclusives"] += 1
    content = mutate(LIST_SEEDS[seed], mutations) + "\n".join(",".join(row) for row in extra).encode(
        "utf-8", "surrogatepass"
    )
    path = WORK / seed
    path.write_bytes(content)
    try:
        parsed = parse_inclusive_list(path, kind=kind)
    except InclusiveListError as error:
        message = str(error)
    else:
        message = ""
    if message:
        assert_clear_error(message)
        assert seed in message or kind == "inconnu"
        return
    for line, reason in parsed.refused:
        assert line >= 2
        assert_clear_error(reason)
    assert all(len(entry.siret) == 14 for entry in parsed.entries)


def test_csv_module_limits_are_reported_in_french():
    """The csv module's own errors (a cell beyond its size limit) reach the user in French, with the file."""
    path = WORK / "enorme.csv"
    path.write_text("siret;type\n" + '"' + "1" * (csv.field_size_limit() + 10) + '";EA\n', encoding="utf-8")
    with pytest.raises(InclusiveListError, match=r"enorme\.csv.*ligne 2"):
        parse_inclusive_list(path)
    with pytest.raises(TableError, match=r"enorme\.csv.*cellule"):
        read_table(path)
