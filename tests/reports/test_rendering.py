"""The annual report rendered from its content dict alone (schema spaser-report/1): the tagged PDF (PDF/UA-1,
read back with pypdf), the standalone HTML file, the public page template and the body shared by all three —
accessibility (headings, tables, charts with their data tables), French figures, misses as plain as
successes."""

import copy
import io
import itertools
import re
import time
from html import unescape
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from pypdf import PdfReader

from spaser.reports import rendering
from spaser.reports.charts import axis_chart

from .samples import big_content, sample_content

NNBSP = "\u202f"


def flat(text: str) -> str:
    """Spaces of every kind and line breaks as one plain space."""
    return " ".join(text.replace(NNBSP, " ").replace("\xa0", " ").split())


def text_of(html: str) -> str:
    """The text of an HTML fragment, cells apart, entities decoded, as one line."""
    return re.sub(r" ([,.])", r"\1", flat(unescape(re.sub(r"<[^>]+>", " ", html))))


class Outline(HTMLParser):
    """The headings, tables and charts of an HTML document, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.tables: list[dict] = []
        self.svgs: list[dict] = []
        self.h1 = 0
        self.lang = None
        self._heading: list[str] | None = None
        self._level = 0
        self._stack: list[str] = []
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._level, self._heading = int(tag[1]), []
        if tag == "table":
            self.tables.append({"caption": "", "th": 0, "th_scoped": 0})
        if tag == "caption":
            self._caption = []
        if tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
            self.tables[-1]["th_scoped"] += attrs.get("scope") in ("col", "row")
        if tag == "svg":
            self.svgs.append({"role": attrs.get("role"), "title": False, "desc": False, "labelledby": ""})
            self.svgs[-1]["labelledby"] = attrs.get("aria-labelledby", "")
        if tag in ("title", "desc") and self.svgs and "svg" in self._stack:
            self.svgs[-1][tag] = True
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._level, flat("".join(self._heading))))
            self._heading = None
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = flat("".join(self._caption))
            self._caption = None
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self._caption is not None:
            self._caption.append(data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


def assert_accessible_structure(html: str, *, first_level: int) -> Outline:
    parsed = outline(html)
    levels = [level for level, _text in parsed.headings]
    assert levels
    assert levels[0] == first_level
    for previous, level in itertools.pairwise(levels):
        assert level <= previous + 1, f"niveau de titre sauté : h{previous} puis h{level}"
    assert parsed.tables
    for table in parsed.tables:
        assert table["caption"], "tableau sans légende"
        assert table["th"], f"{table['caption']} : aucun en-tête"
        assert table["th"] == table["th_scoped"], f"{table['caption']} : th sans scope"
    for svg in parsed.svgs:
        assert svg["role"] == "img"
        assert svg["title"]
        assert svg["desc"]
        assert svg["labelledby"]
    return parsed


def public_page(**context) -> str:
    request = RequestFactory().get("/public/spaser-93/rapports/2025/v2/")
    request.user = AnonymousUser()
    defaults = {
        "content": sample_content(erratum=True),
        "report": None,
        "versions": [
            {"version": 1, "published_on": "2026-03-20", "erratum": "", "url": "/v1/", "current": False},
            {
                "version": 2,
                "published_on": "2026-04-02",
                "erratum": "S4 corrigé",
                "url": "/v2/",
                "current": True,
            },
        ],
        "downloads": [
            {"label": "Rapport en PDF", "url": "/v2/rapport.pdf", "format": "pdf"},
            {"label": "Données en CSV", "url": "/v2/donnees.csv", "format": "csv"},
            {"label": "Données en CSV pour Excel", "url": "/v2/donnees-excel.csv", "format": "csv"},
            {"label": "Données en JSON", "url": "/v2/donnees.json", "format": "json"},
            {"label": "Données en XLSX", "url": "/v2/donnees.xlsx", "format": "xlsx"},
        ],
        "superseded_by": None,
        "preview": False,
    }
    defaults.update(context)
    return render_to_string("reports/public/report.html", defaults, request=request)


# -- the body ------------------------------------------------------------------------------------------------


def test_body_says_figures_the_french_way_and_never_zero_for_a_missing_value():
    html = render_to_string("reports/report/_body.html", {"content": sample_content()})
    text = text_of(html)
    assert (
        "Sur 11 indicateurs : 4 atteints, 1 en bonne voie, 2 à surveiller, 2 en retard, 1 sans cible et "
        in text
    )
    assert "1 sans données." in text
    # S1: target, actual, status, last year, change, basis with unknowns, unknown share, data date, method.
    assert re.search(
        r"S1 Part des marchés avec une considération sociale 30,0 % 26,4 % À surveiller 22,1 % \+4,3 points "
        r"33 sur 125, dont 4 inconnus 3,2 % 31/12/2025, méthode 1",
        text,
    )
    assert "1 845 000,50 € sur 102 500 000 €, dont 12 inconnus" in text  # amounts in euros
    assert "48 251 h" in text
    assert "1 250 000 €" in text
    assert "27,4 jours" in text
    # E7a has no value: « pas de données », no bar, never 0.
    assert (
        "E7a Part des produits durables et de qualité en restauration collective (saisi) 50,0 % "
        "pas de données Pas de données pas de données — — — pas de données E7b" in text
    )
    checked = 0
    for e7a in re.findall(r"<th scope=\"row\"><span class=\"code-tag\">E7a</span>.*?</tr>", html, re.S):
        value = re.findall(r"<td class=\"num\">(.*?)</td>", e7a)[:2]
        if not value:  # the definitions table has no figure
            continue
        assert "pas de données" in value
        assert not any(v.startswith("0") for v in value)
        checked += 1
    assert checked == 3  # the chart's data table, the commitment's table, the national comparison
    assert "sans cible" in re.search(r"S4</span>.*?</tr>", html, re.S).group(0)
    # Dates DD/MM/YYYY, late actions flagged, committees against what was expected.
    assert "15/02/2024" in text
    assert "2024-02-15" not in text
    assert "Recruter un second facilitateur de clauses" in text
    assert "en retard" in text
    assert (
        "9 comités techniques (COTECH) tenus sur 12 attendus ; 1 comité de pilotage (COPIL) tenu sur 2"
        in text
    )
    # Validation and national comparison.
    assert "Rapport validé par le COPIL achats responsables en séance du 12/03/2026." in text
    assert "PNAD 2022-2025 : 100 % des contrats avec une considération environnementale" in text
    assert "Erratum" not in text  # version 1 has none


def test_status_table_lists_successes_first_whatever_the_order_of_the_frozen_keys():
    content = sample_content()
    labels = content["summary"]["labels"]
    content["summary"]["labels"] = dict(sorted(labels.items()))  # as a published version's JSON holds them
    text = text_of(render_to_string("reports/report/_body.html", {"content": content}))
    order = [text.index(labels[key], text.index("Synthèse")) for key in ("reached", "on_track", "at_risk")]
    assert order == sorted(order)


def test_body_sections_have_ids_and_headings_start_at_the_given_level():
    html = render_to_string("reports/report/_body.html", {"content": sample_content(), "heading_level": 3})
    for section in (
        "contexte",
        "synthese",
        "axes",
        "actions",
        "gouvernance",
        "national",
        "methode",
        "validation",
    ):
        assert f'id="rapport-{section}"' in html
        assert f'href="#rapport-{section}"' in html
    parsed = assert_accessible_structure(html, first_level=3)
    assert (4, "Axe II — Des achats écologiquement responsables") in parsed.headings
    assert (5, "Engagement II.2 — Une restauration collective durable") in parsed.headings


def test_erratum_is_at_the_top_and_a_draft_says_it_is_not_validated():
    html = render_to_string("reports/report/_body.html", {"content": sample_content(erratum=True)})
    parsed = outline(html)
    assert parsed.headings[0] == (2, "Erratum — version 2")
    assert "Le nombre de lots réservés (S4) était de 7 et non de 5 en 2024" in html

    draft = text_of(render_to_string("reports/report/_body.html", {"content": sample_content(draft=True)}))
    assert "brouillon, non publié" in draft
    assert "Ce rapport n'a pas encore été validé par le comité de pilotage." in draft


def test_every_chart_is_followed_by_a_table_of_the_same_figures():
    content = sample_content()
    html = rendering.report_html(content)
    charts = re.findall(
        r"(<svg.*?</svg>)\s*</div>\s*<div class=\"table-wrap\">\s*(<table.*?</table>)", html, re.S
    )
    assert len(charts) == html.count("<svg") == 3  # one per axis: each has percent indicators
    for svg, table in charts:
        assert 'role="img"' in svg
        assert "<title " in svg
        assert "<desc " in svg
        drawn = [flat(v) for v in re.findall(r'class="chart-value"[^>]*>([^<]+)<', svg)]
        drawn_targets = [flat(t) for t in re.findall(r"<title>Cible : ([^<]+)</title>", svg)]
        rows = re.findall(
            r"<tr><th scope=\"row\">.*?</th><td class=\"num\">(.*?)</td><td class=\"num\">(.*?)</td>", table
        )
        values = [flat(value) for value, _target in rows if flat(value) != "pas de données"]
        targets = [flat(target) for _value, target in rows if flat(target) != "sans cible"]
        assert drawn == values
        assert drawn_targets == targets
        assert len(rows) == svg.count('class="chart-label"')
        missing = [value for value, _t in rows if flat(value) == "pas de données"]
        assert svg.count('class="chart-missing"') == len(missing)
    axis_two = charts[1][0]
    assert "E7a : pas de données, cible 50,0 % (pas de données)" in flat(axis_two)
    assert "55,0 %" in axis_two
    assert "80,0 %" in flat(axis_two)


def test_chart_carries_its_colours_and_an_axis_without_rates_has_none():
    content = sample_content()
    svg = str(axis_chart(content["axes"][0], chart_id="c", year=2025))
    assert 'class="chart-bar" fill="#1f4e79"' in svg
    assert 'stroke="#c2410c"' in svg
    assert "style=" not in svg
    assert "<style" not in svg
    without_rates = copy.deepcopy(content["axes"][2])
    for commitment in without_rates["commitments"]:
        commitment["indicators"] = [r for r in commitment["indicators"] if r["unit"] != "percent"]
    assert str(axis_chart(without_rates, chart_id="c", year=2025)) == ""


# -- the standalone HTML file --------------------------------------------------------------------------------


def test_standalone_html_is_a_french_self_contained_accessible_document():
    html = rendering.report_html(sample_content(erratum=True))
    assert html.lstrip().startswith("<!DOCTYPE html>")
    parsed = assert_accessible_structure(html, first_level=1)
    assert parsed.lang == "fr"
    assert [level for level, _ in parsed.headings].count(1) == 1
    assert "<title>Rapport annuel 2025 — SPASER 2024-2028</title>" in html
    assert "<style>" in html
    assert ".report-status--off_track" in html
    assert "<link" not in html
    assert "<script" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_same_content_same_html():
    first = rendering.report_html(sample_content())
    assert rendering.report_html(copy.deepcopy(sample_content())) == first
    changed = sample_content()
    changed["axes"][0]["commitments"][0]["indicators"][0]["value"] = "26.5"
    assert rendering.report_html(changed) != first


def test_file_names_are_clean_ascii():
    assert (
        rendering.report_filename(sample_content(erratum=True), "pdf")
        == "rapport-annuel-2025-spaser-93-v2.pdf"
    )
    assert (
        rendering.report_filename(sample_content(draft=True), "csv")
        == "rapport-annuel-2025-spaser-93-brouillon.csv"
    )
    odd = sample_content()
    odd["scheme"]["slug"] = "Schéma d'Île-de-France"
    assert rendering.report_filename(odd, "xlsx") == "rapport-annuel-2025-schema-d-ile-de-france-v1.xlsx"


# -- the public page -----------------------------------------------------------------------------------------


def test_public_page_has_one_h1_ordered_headings_downloads_and_versions():
    html = public_page()
    parsed = assert_accessible_structure(html, first_level=1)
    assert parsed.lang == "fr"
    assert [level for level, _ in parsed.headings].count(1) == 1
    assert (
        "<title>Rapport annuel 2025 — SPASER 2024-2028 (version 2) — Département de la Seine-Saint-Denis"
        in html
    )
    assert '<meta name="description" content="Rapport annuel 2025 du schéma SPASER 2024-2028' in html
    for url in (
        "/v2/rapport.pdf",
        "/v2/donnees.csv",
        "/v2/donnees-excel.csv",
        "/v2/donnees.json",
        "/v2/donnees.xlsx",
    ):
        assert f'href="{url}"' in html
    assert '<li aria-current="page"><a href="/v2/">Version 2</a>, publiée le 02/04/2026' in flat(html)
    assert "reports/report.css" in html
    assert "Brouillon — non publié" not in html
    assert "Version remplacée" not in html
    # The Content-Security-Policy: no inline style, script or event handler.
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "<style" not in html


def test_public_page_banners_for_a_draft_and_a_superseded_version():
    draft = flat(public_page(content=sample_content(draft=True), preview=True, versions=[], downloads=[]))
    assert "Brouillon — non publié" in draft
    assert '<meta name="robots" content="noindex">' in draft

    old = flat(
        public_page(
            content=sample_content(), superseded_by={"version": 2, "url": "/v2/"}, versions=public_versions()
        )
    )
    assert "Version remplacée" in old
    assert 'corrigée par la <a href="/v2/">version 2</a>. Erratum : S4 corrigé' in old


def public_versions() -> list[dict]:
    return [
        {"version": 1, "published_on": "2026-03-20", "erratum": "", "url": "/v1/", "current": True},
        {
            "version": 2,
            "published_on": "2026-04-02",
            "erratum": "S4 corrigé",
            "url": "/v2/",
            "current": False,
        },
    ]


# -- PDF -----------------------------------------------------------------------------------------------------

TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    start = time.perf_counter()
    content = rendering.report_pdf(sample_content(erratum=True))
    TIMINGS["sample"] = time.perf_counter() - start
    return content


def test_pdf_is_tagged_french_titled_and_a4(report_pdf):
    assert report_pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(report_pdf))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "fr"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Rapport annuel 2025 — SPASER 2024-2028"
    assert reader.metadata.author == "Département de la Seine-Saint-Denis"
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def _titles(items) -> list[str]:
    titles = []
    for item in items:
        titles.extend(_titles(item) if isinstance(item, list) else [item.title])
    return titles


def test_pdf_bookmarks_follow_the_headings(report_pdf):
    titles = _titles(PdfReader(io.BytesIO(report_pdf)).outline)
    assert titles[0] == "Rapport annuel 2025 — SPASER 2024-2028"
    for title in (
        "Erratum — version 2",
        "Synthèse des résultats 2025",
        "Axe I — Des achats socialement responsables",
        "Axe II — Des achats écologiquement responsables",
        "Axe III — Une commande publique accessible aux entreprises",
        "Engagement III.2 — Payer les entreprises dans les délais",
        "Comparaison avec les objectifs nationaux",
        "Notes de méthode",
        "Validation",
    ):
        assert title in titles


def test_pdf_pages_are_numbered_and_headed(report_pdf):
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(report_pdf)).pages]
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} sur {len(pages)}" in page
        assert "Département de la Seine-Saint-Denis — rapport annuel 2025, version 2" in page


def test_pdf_text_has_the_key_figures(report_pdf):
    text = flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(report_pdf)).pages))
    assert "Le nombre de lots réservés (S4) était de 7 et non de 5 en 2024" in text
    assert "Sur 11 indicateurs : 4 atteints, 1 en bonne voie, 2 à surveiller, 2 en retard" in text
    for figure in ("26,4 %", "30,0 %", "1,8 %", "55,0 %", "80,0 %", "48 251 h", "45 000 h", "1 250 000 €"):
        assert figure in text, figure
    for figure in ("1 500 000 €", "27,4 jours", "+4,3 points", "21,3 %", "33 sur 125"):
        assert figure in text, figure
    for status in ("Atteint", "En bonne voie", "À surveiller", "En retard", "Sans cible"):
        assert status in text
    assert "pas de données" in text
    assert "15/02/2024" in text
    assert "12/03/2026" in text


def test_pdf_charts_stay_vector(report_pdf):
    reader = PdfReader(io.BytesIO(report_pdf))
    for page in reader.pages:
        objects = page["/Resources"].get("/XObject") or {}
        assert all(objects[name].get_object().get("/Subtype") != "/Image" for name in objects)
    # The chart's own texts are in the PDF as text (drawn as vectors and glyphs, not a picture).
    text = flat("\n".join(page.extract_text() for page in reader.pages))
    assert "Cible de l'année" in text
    assert "100 %" in text


def test_same_content_same_pdf(report_pdf):
    again = rendering.report_pdf(sample_content(erratum=True))
    assert again == report_pdf


def test_pdf_takes_seconds_not_minutes(report_pdf):
    start = time.perf_counter()
    # The size of the demo scheme (about 40 indicators over 12 commitments).
    big = rendering.report_pdf(big_content(commitments_per_axis=4, indicators_per_commitment=3))
    TIMINGS["big"] = time.perf_counter() - start
    pages = len(PdfReader(io.BytesIO(big)).pages)
    print(
        f"PDF du rapport type : {TIMINGS['sample']:.2f} s ; "
        f"rapport de 36 indicateurs : {TIMINGS['big']:.2f} s, {pages} pages"
    )
    assert TIMINGS["sample"] < 20
    assert TIMINGS["big"] < 30
