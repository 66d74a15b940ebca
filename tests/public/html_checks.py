"""Accessibility checks of a rendered page, on its parsed markup (not on regular expressions over text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class _Table:
    caption: bool = False
    headers: int = 0
    scoped_headers: int = 0


@dataclass
class PageFacts:
    lang: str | None = None
    headings: list[int] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    controls: list[dict] = field(default_factory=list)  # attributes of each form control
    label_for: set[str] = field(default_factory=set)
    controls_in_label: int = 0
    svgs: list[dict] = field(default_factory=list)  # {"role": …, "title": bool}
    inline_styles: list[str] = field(default_factory=list)
    event_handlers: list[str] = field(default_factory=list)
    inline_scripts: int = 0


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self.open_tables: list[_Table] = []
        self.open_svgs: list[dict] = []
        self.label_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        facts = self.facts
        if tag == "html":
            facts.lang = attributes.get("lang")
        if "style" in attributes:
            facts.inline_styles.append(tag)
        facts.event_handlers += [f"{tag}[{name}]" for name in attributes if name.startswith("on")]
        if tag == "script" and not attributes.get("src"):
            facts.inline_scripts += 1
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            facts.headings.append(int(tag[1]))
        if tag == "table":
            self.open_tables.append(_Table())
        elif tag == "caption" and self.open_tables:
            self.open_tables[-1].caption = True
        elif tag == "th" and self.open_tables:
            self.open_tables[-1].headers += 1
            self.open_tables[-1].scoped_headers += attributes.get("scope") in {
                "col",
                "row",
                "colgroup",
                "rowgroup",
            }
        elif tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                facts.label_for.add(attributes["for"])
        elif tag in CONTROLS and not (tag == "input" and attributes.get("type") in UNLABELLED_INPUTS):
            facts.controls.append({**attributes, "_tag": tag, "_in_label": self.label_depth > 0})
        elif tag == "svg":
            self.open_svgs.append({"role": attributes.get("role"), "title": False, "depth": 0})
        elif tag == "title" and self.open_svgs:
            self.open_svgs[-1]["title"] = True

    def handle_endtag(self, tag):
        if tag == "table" and self.open_tables:
            self.facts.tables.append(self.open_tables.pop())
        elif tag == "label" and self.label_depth:
            self.label_depth -= 1
        elif tag == "svg" and self.open_svgs:
            self.facts.svgs.append(self.open_svgs.pop())


def page_facts(html: str) -> PageFacts:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.facts


def accessibility_problems(html: str) -> list[str]:
    """What the page gets wrong, in words; an empty list when it passes every check."""
    facts = page_facts(html)
    problems = []
    if facts.lang != "fr":
        problems.append(f'<html lang="fr"> attendu, trouvé lang={facts.lang!r}')
    if facts.headings.count(1) != 1:
        problems.append(f"un seul <h1> attendu, {facts.headings.count(1)} trouvé(s)")
    if facts.headings and facts.headings[0] != 1:
        problems.append(f"le premier titre est un <h{facts.headings[0]}>, pas le <h1>")
    for before, after in zip(facts.headings, facts.headings[1:], strict=False):
        if after > before + 1:
            problems.append(f"niveau de titre sauté : <h{before}> suivi de <h{after}>")
    for number, table in enumerate(facts.tables, start=1):
        if not table.caption:
            problems.append(f"tableau {number} sans <caption>")
        if not table.headers or table.scoped_headers != table.headers:
            problems.append(f"tableau {number} : {table.headers - table.scoped_headers} <th> sans scope")
    for control in facts.controls:
        labelled = (
            control["_in_label"]
            or control.get("id") in facts.label_for
            or control.get("aria-label")
            or control.get("aria-labelledby")
        )
        if not labelled:
            problems.append(f"<{control['_tag']} name={control.get('name')!r}> sans étiquette")
    for svg in facts.svgs:
        if svg["role"] == "img" and not svg["title"]:
            problems.append('<svg role="img"> sans <title>')
    if facts.inline_styles:
        problems.append(f"attribut style= en ligne sur {facts.inline_styles}")
    if facts.event_handlers:
        problems.append(f"gestionnaires d'évènement en ligne : {facts.event_handlers}")
    if facts.inline_scripts:
        problems.append(f"{facts.inline_scripts} <script> en ligne (sans src)")
    return problems
