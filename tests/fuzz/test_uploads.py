"""Upload forms: the size limit is checked before the content is read, and the content — not the name —
decides the type. Fuzzed with random and real contents under every accepted name."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from spaser.contracts.import_forms import DecpUploadForm
from spaser.registers.forms import UploadForm
from spaser.registers.models import RegisterKind
from tests.fuzz.helpers import CASES, assert_clear_error, fuzz

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"


def decp_form(name: str, content: bytes) -> DecpUploadForm:
    return DecpUploadForm(data={}, files={"file": SimpleUploadedFile(name, content)})


def register_form(name: str, content: bytes) -> UploadForm:
    return UploadForm(
        data={},
        files={"file": SimpleUploadedFile(name, content)},
        organisation=None,
        kind=RegisterKind.CONTRACTS,
    )


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("decp.json", PDF, "document PDF"),
        ("decp.xml", PNG, "image PNG"),
        ("decp.zip", EXE, "programme Windows"),
        ("decp.csv", b"\x00\x01\x02binaire\x00", "contenu binaire"),
    ],
)
def test_decp_upload_refuses_by_content(name, content, found):
    CASES["envois: type d'après le contenu"] += 1
    form = decp_form(name, content)
    assert not form.is_valid()
    (message,) = form.errors["file"]
    assert found in message
    assert_clear_error(message, name)


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("registre.csv", PDF, "document PDF"),
        ("registre.xlsx", PNG, "image PNG"),
        ("registre.xlsx", b"\x1f\x8b\x08\x00gzip", "archive gzip"),
        ("registre.csv", b"PAR1\x00\x00", "Parquet"),
    ],
)
def test_register_upload_refuses_by_content(name, content, found):
    CASES["envois: type d'après le contenu"] += 1
    form = register_form(name, content)
    assert not form.is_valid()
    (message,) = form.errors["file"]
    assert found in message
    assert_clear_error(message, name)


def test_real_files_are_accepted_whatever_their_accepted_name():
    CASES["envois: type d'après le contenu"] += 2
    decp = (FIXTURES / "decp" / "v2019_small.json").read_bytes()
    register = (FIXTURES / "registers" / "registre_marches_cp1252.csv").read_bytes()
    assert decp_form("export.xml", decp).is_valid()  # the reader detects the format from the content
    assert register_form("registre.txt", register).is_valid()


class _Unreadable(SimpleUploadedFile):
    """An upload whose content must not be read: only its announced size may be looked at."""

    def read(self, *args, **kwargs):
        raise AssertionError("contenu lu avant le contrôle de taille")


@pytest.mark.parametrize("form_class", [DecpUploadForm, UploadForm])
def test_size_limit_is_checked_before_reading(settings, form_class):
    CASES["envois: taille maximale"] += 1
    settings.SPASER_MAX_UPLOAD_MB = 0.001  # 1 048 bytes
    upload = _Unreadable("gros.csv", b"uid;acheteur_id;titulaire_id\n" * 100)
    extra = {} if form_class is DecpUploadForm else {"organisation": None, "kind": RegisterKind.CONTRACTS}
    form = form_class(data={}, files={"file": upload}, **extra)
    assert not form.is_valid()
    (message,) = form.errors["file"]
    assert "pèse" in message
    assert_clear_error(message, "gros.csv")


SEEDS = [
    PDF,
    PNG,
    EXE,
    (FIXTURES / "decp" / "v2019_small.json").read_bytes(),
    (FIXTURES / "registers" / "registre_marches_bom.csv").read_bytes(),
    b"PK\x03\x04",
    b"\xff\xfe{\x00",
]


@fuzz(250)
@given(
    head=st.sampled_from(SEEDS) | st.binary(min_size=1, max_size=64),
    tail=st.binary(max_size=256),
    stem=st.text(min_size=1, max_size=12).filter(lambda s: "/" not in s and "\\" not in s and s.strip(".")),
    extension=st.sampled_from([".json", ".xml", ".csv", ".xlsx", ".zip", ".gz", ".parquet", ".txt", ".pdf"]),
)
def test_any_upload_is_accepted_or_refused_clearly(head, tail, stem, extension):
    CASES["envois: contenus et noms aléatoires"] += 1
    name = f"{stem}{extension}"
    for form in (decp_form(name, head + tail), register_form(name, head + tail)):
        if form.is_valid():
            continue
        for message in form.errors["file"]:
            assert_clear_error(message)
