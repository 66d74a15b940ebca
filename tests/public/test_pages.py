"""The public site as a citizen sees it: the directory, a scheme's card and tree, robots.txt and the sitemap;
conditional GETs and bounded query counts."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from spaser.organisations.models import OrganisationKind
from spaser.schemes.models import Axis, SchemeStatus, Target
from tests.factories import (
    ActionFactory,
    AxisFactory,
    CommitmentFactory,
    IndicatorFactory,
    ObjectiveFactory,
    OrganisationFactory,
    SchemeFactory,
    TargetFactory,
)
from tests.public.world import DRAFT_SECRET, build_public_world

pytestmark = pytest.mark.django_db

SITEMAP_XSD = Path(__file__).with_name("sitemap.xsd")


@pytest.fixture
def world():
    return build_public_world()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Card -------------------------------------------------------------------------------------------------


def test_card_shows_the_directory_fields_and_links_to_the_tree_and_reports(client, world):
    html = text(client.get(f"/public/{world.scheme.slug}/"))
    for shown in (
        "229 300 082",
        "<dd>Département</dd>",
        "Plus de 200 000 habitants",
        "Plus de 200 M€ HT",
        "<dd>2024-2028</dd>",
        "<dt>Schéma mutualisé</dt><dd>Non</dd>",
        "2e édition",
        "(première édition publiée : 2018)",
        "<dd>En vigueur</dd>",
        "21 mars 2024",
    ):
        assert shown in html, shown
    assert f'href="/public/{world.scheme.slug}/arbre/"' in html
    assert f'href="/public/{world.scheme.slug}/rapports/"' in html
    assert f'href="/public/{world.archived.slug}/"' in html  # the earlier edition
    assert "SPASER 2018-2022 (2018-2022)</a> — 1re édition, archivé" in html
    assert f'<link rel="canonical" href="http://127.0.0.1:8000/public/{world.scheme.slug}/">' in html
    assert (
        '<meta property="og:title" content="SPASER 2024-2028 — Département de la Seine-Saint-Denis">' in html
    )
    assert "Former les acheteurs" not in html  # actions are on the tree, not on the card


def test_archived_card_points_to_the_scheme_in_force(client, world):
    html = text(client.get(f"/public/{world.archived.slug}/"))
    assert "Schéma archivé" in html
    assert 'Le schéma en vigueur est <a href="/public/' + world.scheme.slug in html
    assert "<dd>Archivé (n'est plus en vigueur)</dd>" in html


def test_mutualised_card_lists_the_perimeter_buyers(client, world):
    world.scheme.mutualised = True
    world.scheme.save()
    world.organisation.buyers.create(identifier="22930008201453", name="Département, siège")
    html = text(client.get(f"/public/{world.scheme.slug}/"))
    assert "<dt>Schéma mutualisé</dt><dd>Oui</dd>" in html
    assert "Département, siège (229 300 082 01453)" in html


# --- Tree -------------------------------------------------------------------------------------------------


def test_tree_shows_axes_commitments_objectives_actions_and_indicators(client, world):
    response = client.get(f"/public/{world.scheme.slug}/arbre/")
    assert response.status_code == 200
    html = text(response)
    toc = html.split('<nav class="toc"')[1].split("</nav>")[0]
    assert f'href="#axe-{world.register.axis.pk}"' in toc
    assert "Engagement II.1 — Verdir les marchés" in toc
    assert "Atteindre 30 % de marchés comportant une considération sociale en 2028." in html  # objective
    # Actions: owner direction, due date, status, progress.
    row = html.split('<th scope="row">Rédiger des clauses types')[1].split("</tr>")[0]
    assert "Délégation à la transition écologique" in row
    assert "31/03/2025" in row
    assert "Réalisée" in row
    assert "100 %" in row
    assert '<th scope="row">Action sans pilote' in html
    assert "Non désignée" in html
    # Indicators: code, name, unit, definition, source, yearly targets, national target.
    assert '<span class="code-tag">E1</span> Marchés comportant une considération environnementale' in html
    assert "avec une considération environnementale.</p>" in html
    assert (
        "<dt>Cible nationale</dt><dd>100 % (PNAD 2022-2025 : 100 % des contrats avec une considération "
        in html
    )
    assert "<caption>Cibles annuelles de l'indicateur S1 (%)</caption>" in html
    assert '<td class="num">22,5</td>' in html
    assert "<dt>Source</dt><dd>DECP</dd>" in html
    assert "2 axes, 2 engagements, 2 objectifs, 4 actions, 2 indicateurs." in html


def test_tree_of_an_empty_scheme_says_so(client):
    scheme = SchemeFactory()
    html = text(client.get(f"/public/{scheme.slug}/arbre/"))
    assert "Les axes du schéma ne sont pas encore publiés." in html
    assert '<nav class="toc"' not in html


def _grow(scheme, axes: int, commitments: int) -> None:
    for a in range(axes):
        axis = AxisFactory(scheme=scheme, code=f"G{a}")
        for c in range(commitments):
            commitment = CommitmentFactory(axis=axis, code=f"G{a}.{c}")
            ObjectiveFactory(commitment=commitment)
            ActionFactory(commitment=commitment)
            indicator = IndicatorFactory(commitment=commitment)
            TargetFactory(indicator=indicator, year=2025, value=Decimal(5))


@pytest.mark.parametrize("page", ["", "arbre/"])
def test_query_count_does_not_grow_with_the_scheme(client, page):
    small, large = SchemeFactory(), SchemeFactory()
    _grow(small, 1, 1)
    _grow(large, 4, 5)
    counts = []
    for scheme in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/public/{scheme.slug}/{page}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12, counts


def test_index_query_count_does_not_grow_with_the_schemes(client, django_assert_max_num_queries):
    for n in range(25):
        SchemeFactory(organisation=OrganisationFactory(name=f"Acheteur {n:02d}"))
    with django_assert_max_num_queries(6):
        assert client.get("/public/").status_code == 200


# --- Index ------------------------------------------------------------------------------------------------


def test_index_searches_by_name_or_siren_and_filters_by_buyer_type(client, world):
    commune = SchemeFactory(
        organisation=OrganisationFactory(
            name="Ville de Montreuil", siren="219300480", kind=OrganisationKind.COMMUNE
        ),
        title="SPASER de Montreuil",
    )
    everything = text(client.get("/public/"))
    assert "2 schémas adoptés" in everything
    assert world.archived.title not in everything  # archived: on the card of its organisation, not listed
    by_siren = text(client.get("/public/?q=219+300+480"))
    assert "1 schéma adopté correspondant à la recherche" in by_siren
    assert "Ville de Montreuil" in by_siren
    assert "Seine-Saint-Denis" not in by_siren
    by_name = text(client.get("/public/?q=seine-saint"))
    assert "Seine-Saint-Denis" in by_name
    assert "Ville de Montreuil" not in by_name
    by_kind = text(client.get("/public/?kind=commune"))
    assert f'href="/public/{commune.slug}/"' in by_kind
    assert "Seine-Saint-Denis" not in by_kind
    # The type filter only offers the types that have a scheme.
    assert '<option value="commune">Commune</option>' in everything
    assert '<option value="region">' not in everything
    nothing = text(client.get("/public/?q=introuvable"))
    assert "Aucun schéma adopté ne correspond à cette recherche." in nothing


def test_index_rejects_an_unknown_buyer_type_in_french(client, world):
    html = text(client.get("/public/?kind=inconnu"))
    assert "Sélectionnez un choix valide" in html
    assert "1 schéma adopté" in html  # the list stays usable


def test_index_sorts_and_paginates(client):
    for n in range(23):
        SchemeFactory(
            organisation=OrganisationFactory(name=f"Acheteur {n:02d}"), adoption_date=date(2020, 1, 1 + n)
        )
    first = text(client.get("/public/"))
    assert "23 schémas adoptés" in first
    assert first.index("Acheteur 00") < first.index("Acheteur 01")
    assert "Acheteur 21" not in first
    assert 'rel="next"' in first
    second = text(client.get("/public/?page=2"))
    assert "Acheteur 21" in second
    assert "Acheteur 22" in second
    assert '<link rel="canonical" href="http://127.0.0.1:8000/public/?page=2">' in second
    recent = text(client.get("/public/?sort=recent"))
    assert recent.index("Acheteur 22") < recent.index("Acheteur 21")
    assert client.get("/public/?page=9").status_code == 404


def test_index_empty_state(client):
    html = text(client.get("/public/"))
    assert "Aucun schéma adopté n'est encore publié." in html
    assert "<form" not in html.split("<main")[1]


# --- Caching ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["", "arbre/"])
def test_unchanged_page_answers_304_and_a_change_renews_it(client, world, page):
    url = f"/public/{world.scheme.slug}/{page}"
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in first["Vary"]
    etag, last_modified = first["ETag"], first["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304

    # A change anywhere in the register, and its deletion, renew the page.
    target = Target.objects.get(indicator=world.e1, year=2028)
    target.value = Decimal(90)
    target.save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    Axis.objects.get(scheme=world.scheme, code="II").delete()
    deleted = client.get(url, headers={"If-None-Match": changed["ETag"]})
    assert deleted.status_code == 200
    assert "Verdir les marchés" not in text(deleted)
    # So does a change to what is not historised: the organisation, a direction's name.
    world.organisation.name = "Département de la Seine-Saint-Denis (93)"
    world.organisation.save()
    renamed = client.get(url, headers={"If-None-Match": deleted["ETag"]})
    assert renamed.status_code == 200
    assert "(93)" in text(renamed)
    world.register.prescribing.name = "Direction de la voirie et des déplacements"
    world.register.prescribing.save()
    assert client.get(url, headers={"If-None-Match": renamed["ETag"]}).status_code == 200


def test_304_is_cheap(client, world, django_assert_max_num_queries):
    url = f"/public/{world.scheme.slug}/arbre/"
    etag = client.get(url)["ETag"]
    # the fingerprint (2 queries), the latest report publication (reports app) and the session
    with django_assert_max_num_queries(4):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_index_answers_304_until_a_scheme_changes(client, world):
    etag = client.get("/public/")["ETag"]
    assert client.get("/public/", headers={"If-None-Match": etag}).status_code == 304
    SchemeFactory(title="Nouveau schéma adopté")
    assert client.get("/public/", headers={"If-None-Match": etag}).status_code == 200


def test_signed_in_users_page_is_private(client, world):
    client.force_login(world.register.pilot)
    response = client.get(f"/public/{world.scheme.slug}/")
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    signed_in_etag = response["ETag"]
    client.logout()
    # A signed-in user's page (their name, a CSRF token) is never confirmed to an anonymous visitor.
    assert (
        client.get(f"/public/{world.scheme.slug}/", headers={"If-None-Match": signed_in_etag}).status_code
        == 200
    )


# --- Site files -------------------------------------------------------------------------------------------


def test_robots_allows_the_public_site_only_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:3] == ["User-agent: *", "Allow: /public/", "Disallow: /"]
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in lines
    assert response["Cache-Control"] == "public, max-age=300"


def test_sitemap_is_valid_and_lists_every_public_page_with_its_last_change(client, world):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    document = etree.fromstring(response.content)
    etree.XMLSchema(etree.parse(str(SITEMAP_XSD))).assertValid(document)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in document.findall("s:url/s:loc", ns)]
    base = "http://127.0.0.1:8000/public/"
    assert locs[0] == base
    for scheme in (world.scheme, world.archived):
        assert f"{base}{scheme.slug}/" in locs
        assert f"{base}{scheme.slug}/arbre/" in locs
    assert not [loc for loc in locs if "projet" in loc]  # no draft
    assert DRAFT_SECRET not in response.content.decode()
    assert len(locs) == 5
    # lastmod is the latest change to the scheme or its register.
    target = TargetFactory(indicator=world.e1, year=2026, value=Decimal(70))
    stamp = target.history.latest().history_date
    document = etree.fromstring(client.get("/sitemap.xml").content)
    lastmods = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in document}
    assert datetime.fromisoformat(lastmods[f"{base}{world.scheme.slug}/arbre/"]) == stamp
    assert datetime.fromisoformat(lastmods[f"{base}{world.archived.slug}/"]) < stamp


def test_site_files_need_no_login_and_refuse_writes(client):
    assert client.post("/robots.txt").status_code == 405
    assert client.post("/sitemap.xml").status_code == 405


def test_a_draft_scheme_becomes_public_when_adopted(client, world):
    assert client.get(f"/public/{world.draft.slug}/arbre/").status_code == 404
    world.draft.status = SchemeStatus.ADOPTED
    world.draft.save()
    assert client.get(f"/public/{world.draft.slug}/arbre/").status_code == 200
