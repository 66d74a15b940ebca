"""Files that are not DECP files are refused with one clear French message naming the file."""

import gzip
import io
import json
import zipfile

import pytest

from spaser.decp import InvalidFile, TruncatedFile, UnsafeFile, UnsupportedFormat, open_decp
from spaser.decp import source as decp_source

RECORD = {
    "id": "X1",
    "acheteur": {"id": "22930008201453"},
    "montant": 50000,
    "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "32933888305269"}}],
}
VALID_2022 = json.dumps({"marches": {"marche": [RECORD, {**RECORD, "id": "X2"}]}}, indent=2).encode()


def write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "document PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image PNG"),
        (bytes(range(256)) * 4, "contenu binaire"),
        (b"Bonjour, ceci est une lettre.\nCordialement.", "n'est pas un fichier DECP reconnu"),
        (b"nom;prenom\nDupont;Jean\n", "n'est pas un fichier DECP reconnu"),
    ],
    ids=["pdf", "png", "binary", "text", "other-csv"],
)
def test_not_a_decp_file(tmp_path, content, expected):
    path = write(tmp_path, "donnees.json", content)
    with pytest.raises(UnsupportedFormat, match=expected) as error:
        open_decp(path)
    assert "donnees.json" in str(error.value)


def test_empty_file(tmp_path):
    with pytest.raises(InvalidFile, match=r"vide"):
        open_decp(write(tmp_path, "vide.json", b""))


def test_truncated_json_is_refused_before_reading(tmp_path):
    cut = VALID_2022.index(b"3293388") + 5
    path = write(tmp_path, "coupe.json", VALID_2022[:cut])
    with pytest.raises(TruncatedFile, match=r"coupe\.json.*tronqué"):
        open_decp(path)


def test_json_cut_after_a_brace_is_refused_while_reading(tmp_path):
    cut = VALID_2022.index(b"}") + 1  # ends like a complete file would
    path = write(tmp_path, "coupe.json", VALID_2022[:cut])
    with pytest.raises(TruncatedFile, match=r"coupe\.json.*tronqué.*ligne"):
        list(open_decp(path))


def test_truncated_gzip_is_refused_while_reading(tmp_path):
    packed = gzip.compress(VALID_2022 * 1)
    path = write(tmp_path, "coupe.json.gz", packed[: len(packed) - 12])
    with pytest.raises(InvalidFile, match=r"coupe\.json\.gz"):
        list(open_decp(path))


def test_truncated_xml(tmp_path):
    path = write(tmp_path, "coupe.xml", b"<marches><marche><id>X1</id><acheteur><id>229300")
    with pytest.raises(TruncatedFile, match=r"coupe\.xml.*tronqué"):
        open_decp(path)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<marches><marche><id>&lol3;</id></marche></marches>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE marches [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<marches><marche><id>&secret;</id></marche></marches>
"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external"])
def test_xml_entities_are_refused(tmp_path, content):
    with pytest.raises(UnsafeFile, match=r"bombe\.xml.*DTD ou des entités"):
        open_decp(write(tmp_path, "bombe.xml", content))


def test_undeclared_entity_is_never_resolved(tmp_path):
    content = b"<marches><marche><id>&passwd;</id></marche></marches>"
    with pytest.raises(InvalidFile, match=r"entit"):
        list(open_decp(write(tmp_path, "entite.xml", content)))


def test_zip_bomb_is_refused_by_its_declared_ratio(tmp_path):
    path = tmp_path / "bombe.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("decp.json", b'{"marches": {"marche": [' + b" " * (50 * 1024**2) + b"]}}")
    with pytest.raises(UnsafeFile, match=r"bombe\.zip.*bombe de décompression"):
        open_decp(path)


def test_gzip_bomb_is_stopped_while_inflating(tmp_path):
    payload = b'{"marches": {"marche": [' + b" " * (40 * 1024**2) + b"]}}"
    path = write(tmp_path, "bombe.json.gz", gzip.compress(payload, compresslevel=9))
    with pytest.raises(UnsafeFile, match=r"taux de compression anormal"):
        list(open_decp(path))


def test_inflated_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(decp_source, "MAX_UNCOMPRESSED_BYTES", 100)
    path = write(tmp_path, "gros.json.gz", gzip.compress(VALID_2022))
    with pytest.raises(UnsafeFile, match=r"au-delà de"):
        list(open_decp(path))


def test_archive_in_an_archive(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("decp.json", VALID_2022)
    path = write(tmp_path, "double.json.gz", gzip.compress(inner.getvalue()))
    with pytest.raises(UnsafeFile, match=r"archive contenue dans une archive"):
        open_decp(path)


def test_zip_with_several_files(tmp_path):
    path = tmp_path / "plusieurs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.json", VALID_2022)
        archive.writestr("b.json", VALID_2022)
    with pytest.raises(InvalidFile, match=r"un seul fichier DECP.*2"):
        open_decp(path)


def test_wrapped_files_are_read(tmp_path):
    zipped = tmp_path / "decp.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("decp-2024.json", VALID_2022)
    gzipped = write(tmp_path, "decp.json.gz", gzip.compress(VALID_2022))
    for path in (zipped, gzipped):
        source = open_decp(path)
        assert source.format == "decp-2022"
        assert [record.contract_id for record in source] == ["X1", "X2"]
        assert source.bytes_read == path.stat().st_size
    assert open_decp(zipped).name == "decp.zip › decp-2024.json"
