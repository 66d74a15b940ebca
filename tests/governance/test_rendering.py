"""The pack's PDF (tagged PDF/UA-1, read back with pypdf) and XLSX (typed cells, one sheet per section,
same pack → same bytes), rendered from a pack dict of schema spaser-pack/1 (docs/governance.md)."""

import copy
import io
import time
from datetime import date, datetime

import pytest
from django.template.loader import render_to_string
from openpyxl import load_workbook
from pypdf import PdfReader

from spaser.core.documents import content_disposition
from spaser.governance import rendering, workbook


def sample_pack(kind: str = "cotech") -> dict:
    pack = {
        "schema": "spaser-pack/1",
        "committee": {"kind": kind, "name": "COTECH achats responsables" if kind == "cotech" else "COPIL"},
        "meeting": {"id": 7, "date": "2026-12-10", "status": "held"},
        "organisation": {"name": "Département de la Seine-Saint-Denis", "siren": "229300082"},
        "scheme": {"slug": "spaser-93", "title": "SPASER 2024-2028"},
        "generated_at": "2026-12-10T09:30:00+01:00",
        "data_date": "2026-12-01",
        "period": {"year": 2026, "key": "C11", "label": "cumul à fin novembre 2026"},
        "previous_meeting": {"id": 6, "date": "2026-11-12"},
        "indicators": [
            {
                "code": "S1",
                "name": "Part des marchés avec une clause sociale",
                "axis": "I. Des achats socialement responsables",
                "unit": "percent",
                "value": "37.5",
                "target": "40",
                "target_kind": "cible de l'année",
                "status": "late",
                "status_label": "En retard",
                "previous_value": "30",
                "difference": "7.5",
                "numerator": 15,
                "denominator": 40,
                "unknown": 2,
                "perimeter": "marchés notifiés de plus de 90 000 € HT",
                "data_date": "2026-12-01",
                "method_version": "1",
            },
            {
                "code": "E2",
                "name": "Heures d'insertion réalisées",
                "axis": "I. Des achats socialement responsables",
                "unit": "hours",
                "value": "12500.5",
                "target": None,
                "target_kind": "",
                "status": "no_target",
                "status_label": "Sans cible",
                "previous_value": None,
                "difference": None,
                "numerator": None,
                "denominator": None,
                "unknown": 0,
                "perimeter": "registre des heures d'insertion",
                "data_date": "2026-11-30",
                "method_version": "1",
            },
        ],
        "status_changes": [
            {
                "code": "S1",
                "name": "Part des marchés avec une clause sociale",
                "previous_status": "on_track",
                "previous_status_label": "Conforme",
                "status": "late",
                "status_label": "En retard",
            }
        ],
        "off_track": [
            {
                "code": "S1",
                "name": "Part des marchés avec une clause sociale",
                "unit": "percent",
                "unit_label": "%",
                "value": "37.5",
                "target": "40",
                "status": "late",
                "status_label": "En retard",
                "owner_direction": "Délégation à la transition écologique",
            }
        ],
        "renewals": {
            "counts": {"3": 2, "6": 5, "12": 9, "overdue": 1, "without_review": 0},
            "rows": [
                {
                    "uid": "22930008200015_2023-0042",
                    "object": "Nettoyage des collèges",
                    "direction": "Direction de l'éducation",
                    "due_date": "2027-02-28",
                    "date_label": "fin de durée estimée",
                    "estimated": True,
                    "state": "to_review",
                    "state_label": "À examiner",
                    "overdue": False,
                }
            ],
            "more": 0,
            "without_review_rows": [
                {
                    "uid": "22930008200015_2025-0003",
                    "object": "Transport scolaire",
                    "direction": "Direction de l'éducation",
                    "renewal_date": "2026-09-01",
                    "reason": "relancé sans revue du besoin",
                }
            ],
            "note": "Marchés arrivant à échéance dans les 3 mois ou en retard.",
        },
        "awaiting_advice": [
            {
                "reference": "P-2026-014",
                "title": "Restauration scolaire",
                "direction": "Direction de l'éducation",
                "stage": "definition",
                "stage_label": "Définition du besoin",
                "resource_direction": "Délégation à la transition écologique",
                "status": "requested",
                "status_label": "Demandé",
                "deadline": "2026-12-05",
                "overdue": True,
            }
        ],
        "projects_in_preparation": [
            {
                "reference": "P-2026-020",
                "title": "Entretien des espaces verts",
                "direction": "Direction de la voirie",
                "stage_label": "Rédaction",
                "planned_launch_date": "2027-03-01",
                "env_clause": True,
                "env_criterion": False,
                "social_clause": None,
                "social_criterion": True,
                "reserved_lot": False,
                "climate": "conforme",
            }
        ],
        "alerts": {
            "insertion_behind_plan": [
                {
                    "uid": "22930008200015_2024-0007",
                    "object": "Travaux de voirie",
                    "direction": "Direction de la voirie",
                    "planned": "1200",
                    "realised": "300.5",
                }
            ],
            "late_payments": {
                "available": False,
                "reason": "les délais de paiement ne sont pas importés dans Spaser.",
                "manual": [],
            },
            "decp_unpublished": [
                {
                    "uid": "22930008200015_2026-0101",
                    "object": "Fournitures de bureau",
                    "notification_date": "2026-08-03",
                    "days_since": 129,
                }
            ],
            "insertion_unreported_periods": 2,
        },
        "corrective_actions": [
            {
                "id": 3,
                "title": "Relancer les directions sur les clauses sociales",
                "owner_direction": "Direction de la voirie",
                "due_date": "2026-11-30",
                "status": "in_progress",
                "status_label": "En cours",
                "overdue": True,
                "decided_on": "2026-10-08",
                "expected_effect": "S1 au-dessus de 40 %",
                "last_update": "Deux réunions tenues",
            }
        ],
        "late_actions": [
            {
                "title": "Former les acheteurs",
                "owner_direction": "Direction de la voirie",
                "due_date": "2026-06-30",
                "status_label": "En cours",
                "progress": 40,
            }
        ],
        "decisions": [
            {
                "id": 1,
                "text": "Prioriser les clauses sociales au premier trimestre",
                "indicator": "S1",
                "indicator_name": "Part des marchés avec une clause sociale",
                "commitment": None,
                "commitment_title": None,
                "direction": None,
                "recorded_on": "2026-12-10",
            }
        ],
    }
    if kind == "copil":
        pack["trajectory"] = [
            {
                "axis": "I. Des achats socialement responsables",
                "indicators": [
                    {
                        "code": "S1",
                        "name": "Part des marchés avec une clause sociale",
                        "unit": "percent",
                        "values": {"2025": "30", "2026": "37.5"},
                        "targets": {"2025": "30", "2026": "40", "2028": "50"},
                        "final_target": "50",
                        "status": "late",
                        "status_label": "En retard",
                    }
                ],
            }
        ]
        pack["scorecards"] = [
            {
                "direction": "DV",
                "direction_name": "Direction de la voirie",
                "indicators": [
                    {
                        "code": "S1",
                        "name": "Part des marchés avec une clause sociale",
                        "unit": "percent",
                        "value": "20",
                        "target": "40",
                        "status": "late",
                        "status_label": "En retard",
                    }
                ],
                "actions_late": 1,
                "reviews_pending": 2,
                "advice_overdue": 0,
            }
        ]
        pack["annual_review"] = {
            "year": 2026,
            "expected": True,
            "validated": True,
            "validated_here": True,
            "meeting": "2026-12-10",
            "label": "Revue annuelle 2026 validée par ce COPIL.",
        }
    return pack


def _sheet_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def _column(sheet, header: str) -> list:
    rows = _sheet_rows(sheet)
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


# -- XLSX --------------------------------------------------------------------------------------------------


def test_xlsx_has_a_cover_sheet_then_one_sheet_per_section():
    book = load_workbook(io.BytesIO(workbook.pack_xlsx(sample_pack())))
    assert book.sheetnames == [
        "Dossier",
        "Indicateurs",
        "Changements de statut",
        "Indicateurs en retard",
        "Renouvellements",
        "Renouvelés sans revue",
        "Avis attendus",
        "Projets en préparation",
        "Insertion en retard",
        "Paiements tardifs",
        "Non publiés DECP",
        "Actions correctives",
        "Actions du plan en retard",
        "Décisions",
    ]
    cover = dict(_sheet_rows(book["Dossier"])[1:])
    assert cover["Comité"] == "COTECH achats responsables"
    assert cover["Date de la séance"] == datetime(2026, 12, 10)
    assert cover["Date des données"] == datetime(2026, 12, 1)
    assert cover["Schéma du dossier"] == "spaser-pack/1"
    assert cover["Généré le"] == datetime(2026, 12, 10, 9, 30)
    assert cover["Période des indicateurs"] == "cumul à fin novembre 2026"
    assert cover["Périodes d'insertion non déclarées"] == 2


def test_xlsx_cells_are_typed():
    book = load_workbook(io.BytesIO(workbook.pack_xlsx(sample_pack())))
    indicators = book["Indicateurs"]
    assert _sheet_rows(indicators)[0][:5] == (
        "Code",
        "Indicateur",
        "Axe",
        "Unité",
        "Valeur (cumul de l'année)",
    )
    # A percentage indicator: 37.5 (of 100) stored as the number 0.375 shown « 37,5 % ».
    value = indicators["E2"]
    assert value.value == pytest.approx(0.375)
    assert value.number_format == workbook.PERCENT_FORMAT
    assert indicators["D2"].value == "%"
    # Hours stay hours; an unknown target is an empty cell, never 0.
    assert indicators["E3"].value == pytest.approx(12500.5)
    assert indicators["E3"].number_format == workbook.NUMBER_FORMAT
    assert indicators["F3"].value is None
    assert _column(indicators, "Numérateur") == [15, None]
    assert _column(indicators, "Date des données") == [datetime(2026, 12, 1), datetime(2026, 11, 30)]
    assert indicators["O2"].number_format == workbook.DATE_FORMAT
    # The difference of a percentage is in points.
    assert _column(indicators, "Écart avec l'an dernier")[0] == pytest.approx(7.5)
    assert indicators["J2"].number_format == workbook.POINTS_FORMAT

    renewals = _sheet_rows(book["Renouvellements"])
    assert renewals[1][:2] == ("Échéance dans les 3 mois", 2)
    assert ("Échéance dépassée", 1) in [row[:2] for row in renewals]
    header = renewals.index(
        (
            "Identifiant",
            "Objet",
            "Direction",
            "Échéance",
            "Nature de l'échéance",
            "Date estimée",
            "État",
            "En retard",
        )
    )
    assert renewals[header + 1][3] == datetime(2027, 2, 28)
    assert renewals[header + 1][5] == "Oui"

    projects = book["Projets en préparation"]
    # True → « Oui », False → « Non », unknown (None) → empty, never « Non ».
    assert _column(projects, "Clause environnementale") == ["Oui"]
    assert _column(projects, "Critère environnemental") == ["Non"]
    assert _column(projects, "Clause sociale") == [None]

    late = book["Actions du plan en retard"]
    assert late["E2"].value == pytest.approx(0.4)
    assert late["E2"].number_format == workbook.PERCENT_FORMAT
    decp = book["Non publiés DECP"]
    assert _column(decp, "Jours depuis la notification") == [129]
    assert _column(decp, "Notifié le") == [datetime(2026, 8, 3)]
    # Keys beyond the declared columns are kept, numbers typed.
    insertion = book["Insertion en retard"]
    assert _column(insertion, "Heures réalisées") == [pytest.approx(300.5)]
    assert _column(book["Renouvelés sans revue"], "Renouvelé le") == [datetime(2026, 9, 1)]
    # An unavailable section says so, it is not an empty list.
    assert book["Paiements tardifs"]["A1"].value.startswith("Donnée non disponible : les délais de paiement")


def test_xlsx_copil_sections():
    book = load_workbook(io.BytesIO(workbook.pack_xlsx(sample_pack("copil"))))
    assert book.sheetnames[-3:] == ["Trajectoire", "Tableaux de bord", "Revue annuelle"]
    trajectory = _sheet_rows(book["Trajectoire"])
    assert [row[4] for row in trajectory[1:]] == [2025, 2026, 2028]
    assert trajectory[3][5] is None  # no value yet for 2028
    assert trajectory[3][6] == pytest.approx(0.5)
    assert _column(book["Tableaux de bord"], "Revues en attente") == [2]
    assert _column(book["Tableaux de bord"], "Direction") == ["Direction de la voirie"]
    assert _column(book["Tableaux de bord"], "Valeur") == [pytest.approx(0.2)]
    assert dict(_sheet_rows(book["Revue annuelle"])[1:])["Validée"] == "Oui"


def test_xlsx_same_pack_same_bytes():
    first = workbook.pack_xlsx(sample_pack())
    time.sleep(1.1)  # the zip entries' times and the workbook's dates must not follow the clock
    assert workbook.pack_xlsx(copy.deepcopy(sample_pack())) == first
    changed = sample_pack()
    changed["indicators"][0]["value"] = "38"
    assert workbook.pack_xlsx(changed) != first
    book = load_workbook(io.BytesIO(first))
    assert book.properties.created == datetime(2026, 12, 10, 8, 30)  # UTC
    assert book.properties.modified == datetime(2026, 12, 10, 8, 30)
    assert book.properties.title == "Dossier de séance — COTECH achats responsables du 10/12/2026"


# -- file names ---------------------------------------------------------------------------------------------


def test_file_names_are_clean_and_french():
    assert rendering.file_name("cotech", date(2026, 12, 10), "pdf") == "dossier-cotech-2026-12-10.pdf"
    preview = rendering.file_name("copil", date(2026, 6, 4), "xlsx", preview=True)
    assert preview == "dossier-copil-2026-06-04-aperçu.xlsx"
    header = content_disposition(preview)
    assert header == (
        'attachment; filename="dossier-copil-2026-06-04-apercu.xlsx"; '
        "filename*=UTF-8''dossier-copil-2026-06-04-aper%C3%A7u.xlsx"
    )


# -- HTML sections (shared by the meeting page and the PDF) -------------------------------------------------


def test_sections_show_the_basis_of_each_figure_and_due_dates_in_french():
    pack = sample_pack()
    pack["indicators"][0].update(
        numerator="12345678.5", denominator="98765432", numerator_in_euros=True, denominator_in_euros=True
    )
    html = render_to_string("governance/pack/_sections.html", {"pack": pack})
    text = " ".join(html.replace("\u202f", " ").replace("\xa0", " ").split())
    assert "12 345 678,50 € sur 98 765 432 €, dont 2 inconnus" in text
    # the date, then its nature
    assert '28/02/2027</span> <span class="small">(fin de durée estimée)</span>' in text

    for key in ("numerator_in_euros", "denominator_in_euros"):  # a pack frozen before these keys: plain
        del pack["indicators"][0][key]
    pack["indicators"][0].update(numerator="15", denominator="40")
    html = render_to_string("governance/pack/_sections.html", {"pack": pack})
    assert "15 sur 40, dont 2 inconnus" in html


# -- PDF -----------------------------------------------------------------------------------------------------


TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def cotech_pdf():
    start = time.perf_counter()
    content = rendering.pack_pdf(sample_pack())
    TIMINGS["cotech"] = time.perf_counter() - start
    return content


def test_pdf_is_tagged_french_and_titled(cotech_pdf):
    assert cotech_pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(cotech_pdf))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "fr"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Dossier de séance — COTECH achats responsables du 10/12/2026"
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_pdf_text_has_the_header_page_numbers_and_headline_codes(cotech_pdf):
    reader = PdfReader(io.BytesIO(cotech_pdf))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert "Seine-Saint-Denis" in text
    assert "S1" in text
    assert "E2" in text
    assert "Part des marchés avec une clause sociale" in text
    assert f"Page 1 sur {len(pages)}" in pages[0]
    assert f"Page {len(pages)} sur {len(pages)}" in pages[-1]
    for page in pages:
        assert "COTECH achats responsables — séance du 10 décembre 2026" in page


def test_pdf_takes_seconds_not_minutes(cotech_pdf):
    # Measured here: see the report; a pack PDF must stay well under what a request may wait.
    assert cotech_pdf
    print(f"PDF d'un dossier COTECH : {TIMINGS['cotech']:.2f} s")
    assert TIMINGS["cotech"] < 20


def test_pdf_copil_renders():
    reader = PdfReader(io.BytesIO(rendering.pack_pdf(sample_pack("copil"))))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "COPIL" in text
