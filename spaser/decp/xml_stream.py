"""Streaming reader of DECP XML files (both forms: schema 1.5.0 and 2.0.x share `<marches><marche>…`).

Safety first: entities are never resolved and nothing is fetched from the network
(lxml `resolve_entities=False, no_network=True, load_dtd=False`), and a file that declares a DTD or
entities (`<!DOCTYPE`, `<!ENTITY`: the "billion laughs" and external-entity attacks) is refused outright —
a DECP file never has one.
Real files carry control characters that XML 1.0 forbids (and lxml refuses): they are removed, counted, and
reported as a file warning. Text is re-encoded to UTF-8 before lxml sees it, whatever the declared encoding,
so a file declared UTF-8 but written in Windows-1252 is read too.

Each record element is validated against the official XSD of its format (per record: the XSDs declare
`marche` and `contrat-concession` as global elements), converted to a dict shaped like the JSON formats,
then dropped from the tree, so memory stays flat.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any, BinaryIO

from lxml import etree

from spaser.decp.errors import InvalidFile, TruncatedFile, UnsafeFile, UnsupportedFormat
from spaser.decp.records import Flag
from spaser.decp.text import detect_encoding, incremental_decoder

CHUNK = 1024 * 1024
RECORD_TAGS = ("marche", "contrat-concession")
XSD_FILES = {"2019": "marches_v1.5.0.xsd", "2022": "schema_decp_v2.0.2.xsd"}
XSD_LABELS = {"2019": "XSD 1.5.0", "2022": "XSD 2.0.2"}
MAX_FLAGS_PER_RECORD = 5

# Elements only the 2022 format has (schema 2.0.x), and only the 2019 format has (names, old price forms).
MARKERS_2022 = frozenset(
    {
        "considerationsSociales",
        "considerationsEnvironnementales",
        "techniques",
        "modalitesExecution",
        "marcheInnovant",
        "offresRecues",
        "ccag",
        "typesPrix",
        "attributionAvance",
        "tauxAvance",
        "typeGroupementOperateurs",
        "sousTraitanceDeclaree",
        "origineUE",
        "origineFrance",
        "idAccordCadre",
        "actesSousTraitance",
        "modificationsActesSousTraitance",
    }
)
MARKERS_2019 = frozenset({"nom", "denominationSociale", "_type", "uid"})

_CONTROL = dict.fromkeys((*range(9), 11, 12, *range(14, 32)))
_CONTROL_REF = re.compile(r"&#(?:x0*[0-8bcefBCEF]|x0*1[0-9a-fA-F]|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_UNSAFE = re.compile(r"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def choose_encoding(head: bytes) -> str:
    """The BOM, else the declared encoding if the bytes agree with it, else what the bytes look like."""
    detected = detect_encoding(head)
    if detected in ("utf-8-sig", "utf-16"):
        return detected
    declared = _DECLARATION.match(head[:200].decode("ascii", errors="replace"))
    if declared:
        name = declared.group(1).lower().replace("_", "-")
        if name in ("iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "iso-8859-15"):
            return "cp1252"
    return detected


class CleanXml:
    """A file-like object giving lxml UTF-8 bytes without forbidden control characters nor a DTD."""

    def __init__(self, stream: BinaryIO, *, encoding: str, name: str):
        self.stream = stream
        self.decoder = incremental_decoder(encoding)
        self.name = name
        self.removed = 0
        self.first = True
        self.pending = ""  # the end of a chunk that may be the start of a character reference
        self.done = False
        self.overlap = ""  # the last characters given to lxml, to find a declaration across two chunks

    def read(self, size: int = -1) -> bytes:
        while not self.done:
            data = self.stream.read(CHUNK)
            text = self.pending + self.decoder.decode(data, final=not data)
            self.pending = ""
            if not data:
                self.done = True
            else:
                cut = text.rfind("&", max(0, len(text) - 12))
                if cut >= 0:
                    text, self.pending = text[:cut], text[cut:]
            if self.first:
                text = self._prolog(text)
            cleaned = text.translate(_CONTROL)
            self.removed += len(text) - len(cleaned)
            cleaned, references = _CONTROL_REF.subn("", cleaned)  # "&#1;" is as forbidden as the byte
            self.removed += references
            # Searched in what lxml will see (control characters removed: "<!DOC\x01TYPE" is a DOCTYPE),
            # with the end of the previous chunk (a "<!DOCTYPE" cut in two by the chunk boundary).
            if _UNSAFE.search(self.overlap + cleaned):
                raise UnsafeFile(
                    f"« {self.name} » refusé : le XML déclare une DTD ou des entités "
                    "(<!DOCTYPE>, <!ENTITY>), "
                    "ce qu'un fichier DECP ne fait jamais et qui sert aux attaques « billion laughs » et "
                    "d'entités externes."
                )
            self.overlap = (self.overlap + cleaned)[-16:]
            if cleaned:
                return cleaned.encode("utf-8")
        return b""

    def _prolog(self, text: str) -> str:
        self.first = False
        text = text.lstrip("\ufeff")
        declared = _DECLARATION.match(text)
        if declared:  # lxml must read the UTF-8 it is given, not the encoding the file declared
            start, end = declared.span(1)
            text = text[:start] + "UTF-8" + text[end:]
        return text


def guess_version(record: etree._Element) -> str:
    """ "2022" or "2019" from the elements of a record (both XML forms share the same outer shape)."""
    tags = {child.tag for child in record.iter() if isinstance(child.tag, str)}
    if tags & MARKERS_2022:
        return "2022"
    if tags & MARKERS_2019:
        return "2019"
    return "2022"


def iter_xml(
    stream: BinaryIO, *, encoding: str, name: str, cleaner_out: list[CleanXml] | None = None
) -> Iterator[tuple[str, etree._Element]]:
    """Yield (tag, element) for every record; the element is cleared once the consumer moves on."""
    cleaner = CleanXml(stream, encoding=encoding, name=name)
    if cleaner_out is not None:
        cleaner_out.append(cleaner)
    parser = etree.iterparse(
        cleaner,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    root = None
    try:
        for event, element in parser:
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                    if element.tag != "marches":
                        raise UnsupportedFormat(
                            f"« {name} » : la racine du XML est <{element.tag}>, <marches> était attendu."
                        )
                continue
            depth -= 1
            if depth != 1:
                continue
            if element.tag in RECORD_TAGS:
                yield element.tag, element
            # Drop the record from the tree: only the records still to come stay in memory.
            element.clear()
            if root is not None and len(root) and root[0] is element:
                del root[0]
    except etree.XMLSyntaxError as error:
        message = str(error.msg or error)
        if "Premature end" in message or "EndTag" in message or "end of" in message.lower():
            raise TruncatedFile(
                f"« {name} » est tronqué ou mal fermé (ligne {error.lineno}) : {message}. "
                "Téléchargez ou copiez le fichier à nouveau."
            ) from None
        if "Entity" in message or "entity" in message:
            raise UnsafeFile(f"« {name} » refusé : entité XML non résolue (ligne {error.lineno}).") from None
        raise InvalidFile(
            f"XML invalide dans « {name} », ligne {error.lineno} : {_french_xml(message)}."
        ) from None
    if root is None:
        raise InvalidFile(f"« {name} » : aucun élément XML.")


_XML_MESSAGES = (
    (re.compile(r"^Excessive depth in document"), "imbrication trop profonde (plus de 256 niveaux)"),
    (re.compile(r"^Start tag expected"), "balise ouvrante « < » attendue"),
    (re.compile(r"^Document is empty"), "document vide"),
    (re.compile(r"^no element found"), "aucun élément"),
    (
        re.compile(r"^Opening and ending tag mismatch: (\S+) line \d+ and (\S+)"),
        r"balise fermante </\2> au lieu de </\1>",
    ),
    (re.compile(r"^Extra content at the end of the document"), "contenu après l'élément racine"),
    (re.compile(r"^(?:StartTag|EndTag|AttValue|Couldn't find end of Start Tag)"), "balise mal formée"),
    (re.compile(r"^(?:Char|PCDATA) 0x\w+ out of allowed range|^invalid character"), "caractère interdit"),
    (re.compile(r"^xmlParseCharRef: invalid xmlChar value"), "référence de caractère interdite"),
)


def _french_xml(message: str) -> str:
    """lxml's syntax errors, in French when known; the original kept in brackets (for support)."""
    for pattern, french in _XML_MESSAGES:
        match = pattern.match(message)
        if match:
            return f"{match.expand(french)} [{message[:120]}]"
    return f"syntaxe XML incorrecte [{message[:120]}]"


def element_to_dict(element: etree._Element) -> Any:
    """Children become keys; a repeated child becomes a list; a leaf its stripped text (None when empty)."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        text = (element.text or "").strip()
        return text or None
    result: dict[str, Any] = {}
    for child in children:
        value = element_to_dict(child)
        if child.tag in result:
            existing = result[child.tag]
            if isinstance(existing, list) and getattr(existing, "_repeated", False):
                existing.append(value)
            else:
                result[child.tag] = _Repeated([existing, value])
        else:
            result[child.tag] = value
    return {key: list(value) if isinstance(value, _Repeated) else value for key, value in result.items()}


class _Repeated(list):
    _repeated = True


def dict_to_element(tag: str, value: Any) -> etree._Element:
    """The inverse of element_to_dict, to validate a corrected quarantined record against the XSD again."""
    element = etree.Element(tag)
    _fill(element, value)
    return element


def _fill(element: etree._Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            for one in item if isinstance(item, list) else [item]:
                child = etree.SubElement(element, key)
                _fill(child, one)
    elif value is not None:
        element.text = str(value)


@cache
def _xsd(version: str) -> etree.XMLSchema:
    source = resources.files("spaser.decp").joinpath("schemas", XSD_FILES[version]).read_bytes()
    return etree.XMLSchema(etree.fromstring(source, etree.XMLParser(resolve_entities=False, no_network=True)))


def check_xsd(element: etree._Element, version: str) -> list[Flag]:
    schema = _xsd(version)
    label = XSD_LABELS[version]
    try:
        if schema.validate(element):
            return []
    except etree.XMLSchemaValidateError:  # libxml2 gives up on some hostile trees instead of answering
        return [Flag("schema", f"Conformité au schéma {label} impossible à vérifier (XML anormal).", "")]
    messages = list(dict.fromkeys(_french_xsd(entry.message) for entry in schema.error_log))
    flags = [
        Flag("schema", f"Non conforme au schéma {label} : {message}", "")
        for message in messages[:MAX_FLAGS_PER_RECORD]
    ]
    if len(messages) > MAX_FLAGS_PER_RECORD:
        flags.append(
            Flag(
                "schema",
                f"… et {len(messages) - MAX_FLAGS_PER_RECORD} autre(s) écart(s) au schéma {label}.",
                "",
            )
        )
    return flags


_XSD_PATTERNS = (
    (
        re.compile(r"^Element '([^']+)': This element is not expected\..*$", re.S),
        r"élément <\1> inattendu à cet endroit",
    ),
    (
        re.compile(r"^Element '([^']+)': Missing child element\(s\)\. Expected is (.*)\.$", re.S),
        r"dans <\1>, élément obligatoire absent (attendu : \2)",
    ),
    (
        re.compile(r"^Element '([^']+)': \[facet '(\w+)'\] The value '([^']*)'.*$", re.S),
        r"<\1> : valeur « \3 » non conforme (\2)",
    ),
    (
        re.compile(r"^Element '([^']+)': '([^']*)' is not a valid value of .*$", re.S),
        r"<\1> : valeur « \2 » non conforme",
    ),
    (re.compile(r"^Element '([^']+)': .*$", re.S), r"<\1> non conforme"),
)


def _french_xsd(message: str) -> str:
    for pattern, replacement in _XSD_PATTERNS:
        if pattern.match(message):
            return pattern.sub(replacement, message)[:300]
    return message[:300]
