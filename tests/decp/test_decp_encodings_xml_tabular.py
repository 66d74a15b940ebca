"""Encodings, XML specifics, the tabular format (CSV, Parquet, API rows) and reading one record again."""

import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from spaser.decp import ContractRecord, RejectedRecord, open_decp, open_decp_record, read_tabular_rows

RECORD = {
    "id": "E1",
    "acheteur": {"id": "22930008201453"},
    "objet": "Rénovation de l'école élémentaire",
    "montant": 50000,
    "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "32933888305269"}}],
}


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_windows_1252_file_is_detected_and_flagged(tmp_path):
    content = json.dumps({"marches": {"marche": [RECORD]}}, ensure_ascii=False).encode("cp1252")
    source = open_decp(write(tmp_path, "latin.json", content))
    assert source.encoding == "cp1252"
    (record,) = list(source)
    assert record.object == "Rénovation de l'école élémentaire"
    assert "fichier_non_utf8" in record.flag_codes


def test_utf8_bom_and_nan(tmp_path):
    content = (
        b"\xef\xbb\xbf"
        + b'{"marches": {"marche": [{"id": "E1", "acheteur": {"id": "22930008201453"}, "montant": NaN}]}}'
    )
    (record,) = list(open_decp(write(tmp_path, "bom.json", content)))
    assert record.amount is None
    assert "montant_absent" in record.flag_codes


def test_mixed_file_reads_stray_bytes_as_windows_1252_and_warns(tmp_path):
    first = json.dumps({**RECORD, "id": "A" * 70_000}, ensure_ascii=False).encode()  # > the 64 KB sample
    second = (
        json.dumps({**RECORD, "id": "E2"}, ensure_ascii=False).encode().replace(b"\xc3\xa9cole", b"\xe9cole")
    )
    content = b'{"marches": {"marche": [' + first + b"," + second + b"]}}"
    source = open_decp(write(tmp_path, "mixte.json", content))
    records = list(source)
    assert records[1].object == "Rénovation de l'école élémentaire"
    assert len(source.warnings) == 1
    assert "Windows-1252" in source.warnings[0]


def test_mojibake_is_repaired_flagged_and_kept_in_raw(tmp_path):
    broken = "Rénovation de l'école".encode().decode("latin-1")  # "RÃ©novation de l'Ã©cole"
    record = open_decp_record({**RECORD, "objet": broken}, format="decp-2022")
    assert record.object == "Rénovation de l'école"
    assert "texte_reencode" in record.flag_codes
    assert record.raw["objet"] == broken


XML_2022 = """<?xml version="1.0" encoding="UTF-8"?>
<marches>
  <marche>
    <id>X\x01ML1</id>
    <acheteur><id>22930008201453</id></acheteur>
    <nature>Marché</nature>
    <objet>Entretien des espaces verts&#x1F;</objet>
    <codeCPV>77313000</codeCPV>
    <techniques><technique>Accord-cadre</technique></techniques>
    <considerationsSociales>
      <considerationSociale>Clause sociale</considerationSociale>
    </considerationsSociales>
    <montant>NaN</montant>
    <titulaires><titulaire><typeIdentifiant>SIRET</typeIdentifiant><id>32933888305269</id></titulaire></titulaires>
  </marche>
</marches>
"""


def test_xml_control_characters_removed_and_record_read_with_xsd_flags(tmp_path):
    source = open_decp(write(tmp_path, "controle.xml", XML_2022.encode()))
    assert source.format == "decp-2022-xml"
    (record,) = list(source)
    assert record.contract_id == "XML1"
    assert record.object == "Entretien des espaces verts"
    assert record.is_framework is True
    assert record.social.clause is True
    assert record.amount is None
    assert any(flag.code == "schema" and "XSD 2.0.2" in flag.message for flag in record.flags)
    assert source.warnings == ["2 caractère(s) de contrôle interdits en XML retirés de « controle.xml »."]


def test_xml_declared_latin1(tmp_path):
    content = XML_2022.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("\x01", "")
    content = content.replace("espaces verts", "espaces verts de l'école").encode("latin-1")
    (record,) = list(open_decp(write(tmp_path, "latin.xml", content)))
    assert record.object == "Entretien des espaces verts de l'école"


def test_xml_2019_form_with_names(tmp_path):
    content = """<marches><marche><id>2019X</id>
    <acheteur><id>22930008201453</id><nom>Département</nom></acheteur>
    <nature>Marché subséquent</nature><montant>1000</montant>
    <titulaires><titulaire><typeIdentifiant>SIRET</typeIdentifiant><id>32933888305269</id><denominationSociale>Garami</denominationSociale></titulaire></titulaires></marche></marches>"""
    source = open_decp(write(tmp_path, "ancien.xml", content.encode()))
    assert source.format == "decp-2019-xml"
    (record,) = list(source)
    assert (record.buyer_name, record.suppliers[0].name, record.is_framework) == (
        "Département",
        "Garami",
        True,
    )
    assert any("XSD 1.5.0" in flag.message for flag in record.flags)
    again = open_decp_record(record.raw, format="decp-2019-xml")
    assert again.uid == record.uid
    assert [flag.message for flag in again.flags] == [flag.message for flag in record.flags]


TABULAR_HEADER = (
    "uid;id;acheteur_id;acheteur_nom;titulaire_id;titulaire_nom;montant;dateNotification;"
    "considerationsSociales;techniques\n"
)
TABULAR_ROWS = [
    "22930008201453T1;T1;22930008201453;DEPARTEMENT;32933888305269;A;100000;2024-03-01;"
    "Critère social, Clause sociale;Accord-cadre\n",
    "22930008201453T2;T2;22930008201453;DEPARTEMENT;5420224700026;B;200 000,50;2024-03-02;Sans objet;\n",
    "22930008201453T1;T1;22930008201453;DEPARTEMENT;44306184100047;C;100000;2024-03-01;"
    "Critère social, Clause sociale;Accord-cadre\n",
    "22930008201453T3;T3;22930008201453;DEPARTEMENT;32933888305269;A;NC;2024-03-02;;\n",
    "22930008201453T3;T3;22930008201453;DEPARTEMENT;32933888305269;A;5000;2024-04-02;;\n",
]


def test_tabular_csv_rows_of_one_uid_merge_even_when_apart(tmp_path):
    source = open_decp(write(tmp_path, "export.txt", (TABULAR_HEADER + "".join(TABULAR_ROWS)).encode()))
    assert source.format == "decp-tabular-csv"
    records = {(r.uid, r.position): r for r in source}
    t1 = records[("22930008201453T1", 1)]
    assert [s.identifier for s in t1.suppliers] == ["32933888305269", "44306184100047"]
    assert (t1.social.clause, t1.social.criterion, t1.is_framework) == (True, True, True)
    assert t1.environmental.has_any is None  # column absent: unknown
    t2 = records[("22930008201453T2", 2)]
    assert t2.amount == Decimal("200000.50")
    assert t2.social.has_any is False  # "Sans objet" = explicit no
    assert t2.suppliers[0].identifier == "05420224700026"
    versions = [r for (uid, _), r in records.items() if uid == "22930008201453T3"]
    assert len(versions) == 2  # two publications that disagree: never merged by guess
    assert all("uid_plusieurs_versions" in r.flag_codes for r in versions)


def test_tabular_parquet_with_modification_rows(tmp_path):
    table = pa.table(
        {
            "uid": ["22930008201453P1"] * 3,
            "id": ["P1"] * 3,
            "acheteur_id": [22930008201453] * 3,
            "titulaire_id": ["32933888305269", "44306184100047", "32933888305269"],
            "montant": [1000.0, 1000.0, 1500.0],
            "dureeMois": [12, 12, 18],
            "modification_id": [0, 0, 1],
            "dateNotification": ["2024-01-10", "2024-01-10", "2024-06-10"],
        }
    )
    path = tmp_path / "decp.parquet"
    pq.write_table(table, path)
    source = open_decp(path)
    assert source.format == "decp-tabular-parquet"
    (record,) = list(source)
    assert (record.amount, record.current_amount, record.current_duration_months) == (
        Decimal("1000.00"),
        Decimal("1500.00"),
        18,
    )
    assert len(record.suppliers) == 2
    assert [s.identifier for s in record.current_suppliers] == ["32933888305269"]


def test_rows_from_the_api():
    rows = [
        dict(zip(TABULAR_HEADER.strip().split(";"), row.strip().split(";"), strict=True))
        for row in TABULAR_ROWS
    ]
    source = read_tabular_rows(iter(rows), name="API data.gouv.fr")
    records = list(source)
    assert source.format == "decp-tabular-api"
    assert sum(isinstance(record, ContractRecord) for record in records) == 4
    again = open_decp_record(records[0].raw, format="decp-tabular-api")
    assert [s.identifier for s in again.suppliers] == [s.identifier for s in records[0].suppliers]


def test_corrected_record_reads_again():
    rejected = open_decp_record({**RECORD, "acheteur": {"id": ""}}, format="decp-2022")
    assert isinstance(rejected, RejectedRecord)
    assert rejected.reasons == ("Identifiant de l'acheteur (acheteur.id) absent.",)
    corrected = open_decp_record(RECORD, format="decp-2022")
    assert corrected.uid == "22930008201453E1"


@pytest.mark.parametrize("name", ["decp.csv", "decp.json", "decp.xml", "decp"])
def test_extension_does_not_matter(tmp_path, name):
    content = json.dumps({"marches": {"marche": [RECORD]}}).encode()
    assert open_decp(write(tmp_path, name, content)).format == "decp-2022"
