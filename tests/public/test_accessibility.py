"""Accessibility and privacy of every public page, found by walking the URL resolver: the "public"
namespace and the site files at the root. A new public page without an example URL in CASES fails here.

Checks on each page (anonymous visitor): 200, <html lang="fr">, one <h1>, heading levels never skipped,
tables with a caption and scoped headers, labelled form controls, <svg role="img"> with a title, no inline
style, event handler or script; a canonical address, a description and an Open Graph title; no draft and no
link into the private register. Each pattern taking a scheme slug answers 404 for a draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.public.html_checks import accessibility_problems
from tests.public.world import DRAFT_SECRET, REPORT_YEAR, build_public_world, published_report

pytestmark = pytest.mark.django_db

SITE_URLCONF = "spaser.schemes.site_urls"


def _names(patterns, namespace: str) -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            names += _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name or repr(pattern))
    return names


def _is_site(pattern) -> bool:
    module = getattr(pattern, "urlconf_name", None)
    return isinstance(pattern, URLResolver) and getattr(module, "__name__", module) == SITE_URLCONF


def public_pattern_names() -> list[str]:
    """Every named pattern of the "public" namespace and of the site files, as the resolver sees them."""
    root = get_resolver()
    _, public = root.namespace_dict["public"]
    names = _names(public.url_patterns, "public")
    site = [p for p in root.url_patterns if _is_site(p)]
    assert site, f"{SITE_URLCONF} n'est plus inclus à la racine"
    return names + _names(site[0].url_patterns, "")


def _route(name: str) -> str:
    root = get_resolver()
    if name.startswith("public:"):
        _, resolver = root.namespace_dict["public"]
        patterns, short = resolver.url_patterns, name.removeprefix("public:")
    else:
        site = next(p for p in root.url_patterns if _is_site(p))
        patterns, short = site.url_patterns, name
    return next(str(p.pattern) for p in _flatten(patterns) if p.name == short)


def _flatten(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _flatten(pattern.url_patterns)
        else:
            yield pattern


# One or more example URLs for each public pattern, built on tests/public/world.py.
CASES: dict[str, Callable] = {
    "public:index": lambda w: [
        reverse("public:index"),
        reverse("public:index") + "?q=229+300+082&sort=recent",
        reverse("public:index") + "?q=introuvable",
        reverse("public:index") + "?kind=inconnu&page=1",
    ],
    "public:scheme": lambda w: [
        reverse("public:scheme", args=[w.scheme.slug]),
        reverse("public:scheme", args=[w.archived.slug]),
    ],
    "public:scheme_tree": lambda w: [
        reverse("public:scheme_tree", args=[w.scheme.slug]),
        reverse("public:scheme_tree", args=[w.archived.slug]),
    ],
    # Part R's report pages and files (a published report; the files' example is the light JSON one).
    "public:reports": lambda w: [reverse("public:reports", args=[w.scheme.slug])],
    "public:report": lambda w: [_report_url("public:report", w)],
    "public:report_version": lambda w: [_report_url("public:report_version", w, version=1)],
    "public:report_file": lambda w: [_report_url("public:report_file", w, name="donnees.json")],
    "public:report_version_file": lambda w: [
        _report_url("public:report_version_file", w, version=1, name="donnees.csv")
    ],
    "robots": lambda w: [reverse("robots")],
    "sitemap": lambda w: [reverse("sitemap")],
}

# Extra URL arguments beside the scheme slug, for patterns that take more (used by the draft test).
DRAFT_KWARGS: dict[str, dict] = {
    "public:report": {"year": REPORT_YEAR},
    "public:report_version": {"year": REPORT_YEAR, "version": 1},
    "public:report_file": {"year": REPORT_YEAR, "name": "donnees.json"},
    "public:report_version_file": {"year": REPORT_YEAR, "version": 1, "name": "donnees.json"},
}


def _report_url(pattern: str, world, **kwargs) -> str:
    report = published_report(world)
    return reverse(pattern, kwargs={"slug": world.scheme.slug, "year": report.year, **kwargs})


@pytest.fixture
def world():
    return build_public_world()


def test_every_public_pattern_has_an_example():
    names = public_pattern_names()
    missing = [name for name in names if name not in CASES]
    assert not missing, (
        f"Pages publiques sans exemple dans CASES (tests/public/test_accessibility.py) : {missing}"
    )
    stale = [name for name in CASES if name not in names]
    assert not stale, f"Exemples pour des motifs qui n'existent plus : {stale}"
    assert {"public:index", "public:scheme", "public:scheme_tree", "robots", "sitemap"} <= set(names)


@pytest.mark.parametrize("name", public_pattern_names())
def test_public_page_is_accessible_and_private_data_stays_private(client, world, name):
    assert name in CASES, f"« {name} » : ajoutez un exemple d'URL dans CASES"
    urls = CASES[name](world)
    assert urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert DRAFT_SECRET not in body, url
        assert world.draft.slug not in body, url
        assert world.other_draft.slug not in body, url
        assert 'href="/schema/' not in body, url  # no link into the private register
        if response["Content-Type"].startswith("text/html"):
            assert accessibility_problems(body) == [], url
            head = body.split("</head>")[0]
            missing = [
                tag
                for tag, present in (
                    (
                        "<link rel=canonical> absolu",
                        re.search(r'<link rel="canonical" href="https?://', head),
                    ),
                    ("<meta name=description>", '<meta name="description" content="' in head),
                    ("<meta property=og:title>", '<meta property="og:title" content="' in head),
                )
                if not present
            ]
            assert not missing, f"{url} : il manque {missing} (voir schemes/public/_meta.html)"
            assert 'name="robots" content="noindex' not in head, url


def scheme_pattern_names() -> list[str]:
    """The public patterns that show something of one scheme (their route takes its slug)."""
    return [name for name in public_pattern_names() if "<slug:slug>" in _route(name)]


@pytest.mark.parametrize("name", scheme_pattern_names())
def test_a_draft_is_never_public(client, world, name):
    for draft in (world.draft, world.other_draft):
        url = reverse(name, kwargs={"slug": draft.slug, **DRAFT_KWARGS.get(name, {})})
        response = client.get(url)
        assert response.status_code == 404, url
        assert DRAFT_SECRET not in response.content.decode()


def test_the_checker_catches_what_it_claims_to():
    """The checks can fail: a page with each fault is reported."""
    bad = (
        '<html lang="en"><body><h2>x</h2><h1>a</h1><h1>b</h1><h4>c</h4>'
        "<table><tr><th>x</th></tr></table><input name='q'><svg role='img'></svg>"
        "<p style='color:red' onclick='x()'>y</p><script>alert(1)</script></body></html>"
    )
    problems = " | ".join(accessibility_problems(bad))
    for expected in (
        'lang="fr"',
        "un seul <h1>",
        "premier titre",
        "niveau de titre sauté",
        "sans <caption>",
        "sans scope",
        "sans étiquette",
        "sans <title>",
        "style=",
        "gestionnaires",
        "<script> en ligne",
    ):
        assert expected in problems
    good = (
        '<html lang="fr"><h1>a</h1><h2>b</h2><table><caption>t</caption>'
        '<tr><th scope="col">x</th></tr></table>'
        '<label for="q">Q</label><input id="q" name="q"><svg role="img"><title>T</title></svg>'
        '<script src="/s.js"></script></html>'
    )
    assert accessibility_problems(good) == []
