"""The contract list /marches/: perimeter, search, filters in the URL, sorting, pagination, unknown counts,
empty state, permissions and a bounded number of queries."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from spaser.contracts.models import Contract, ContractKind, ContractOrigin, ContractSupplier
from spaser.organisations.models import Buyer
from spaser.suppliers.models import Supplier
from tests.factories import PASSWORD, build_register

pytestmark = pytest.mark.django_db

SIRET = "22930008201453"
OTHER_SIRET = "21750001600019"
LIST = "/marches/"


def contract(number, **fields):
    values = {
        "uid": f"{SIRET}M{number:04d}",
        "buyer_siret": SIRET,
        "contract_id": f"M{number:04d}",
        "object": f"Fournitures diverses {number}",
        "cpv": "30190000",
        "cpv_division": "30",
        "procedure": "Procédure adaptée",
        "amount": Decimal(50_000 + number * 1000),
        "current_amount": Decimal(50_000 + number * 1000),
        "notification_date": date(2024, 1, 1 + number % 28),
        "notification_year": 2024,
        "has_social": False,
        "has_environmental": False,
        "source_format": "decp-2022",
        "raw": {"id": f"M{number:04d}"},
        "content_hash": str(number),
    }
    values.update(fields)
    notified = values["notification_date"]
    values["notification_year"] = notified.year if notified else None
    return Contract(**values)


@pytest.fixture
def world(db):
    """An organisation (buyer SIRET) with 8 distinct contracts, 55 filler contracts (2023, CPV 30), and one
    contract of another buyer that must never show."""
    register = build_register(siren="229300082")
    Buyer.objects.create(organisation=register.organisation, identifier=SIRET, name="Département")
    roads = register.prescribing
    Contract.objects.bulk_create(
        [
            contract(
                1,
                object="Entretien des routes départementales",
                cpv="45233141",
                cpv_division="45",
                procedure="Appel d'offres ouvert",
                amount=Decimal("2500000"),
                has_social=True,
                has_environmental=True,
                direction=roads,
                direction_source="rule",
                notification_date=date(2025, 3, 2),
            ),
            contract(
                2,
                object="Restauration scolaire des collèges",
                cpv="55523100",
                cpv_division="55",
                amount=None,
                current_amount=None,
                has_social=None,
                has_environmental=None,
                notification_date=date(2025, 6, 10),
                quality_flags=[{"code": "montant_fictif", "message": "Montant fictif.", "field": "montant"}],
            ),
            contract(
                3,
                object="Accord-cadre de nettoyage des bâtiments",
                is_framework=True,
                amount=Decimal("7000000"),
                has_social=True,
                notification_date=date(2025, 9, 1),
            ),
            contract(
                4,
                object="Délégation du service de transport",
                kind=ContractKind.CONCESSION,
                amount=Decimal("30000"),
                notification_date=None,
            ),
            contract(5, object="Marché du registre interne", origin=ContractOrigin.REGISTER),
        ]
        + [contract(100 + n, notification_date=date(2023, 1 + n % 12, 1 + n % 28)) for n in range(55)]
        + [contract(999, uid=f"{OTHER_SIRET}X1", buyer_siret=OTHER_SIRET, object="Marché d'une autre ville")]
    )
    supplier = Supplier.objects.create(
        identifier="55210055400012", siren="552100554", name="Routes et Ponts SA"
    )
    ContractSupplier.objects.create(contract=Contract.objects.get(contract_id="M0001"), supplier=supplier)
    return register


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def rows(response) -> list[str]:
    """The contract ids listed in the table body, in order."""
    page = response.content.decode()
    if "<tbody>" not in page:
        return []
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/marches/\d+/">([^<]+)</a>', body)


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_lists_the_perimeter_only_with_total_and_pages(client, world):
    response = login(client, world.committee_member).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "60 marchés" in page
    assert "Marché d'une autre ville" not in page
    assert len(rows(response)) == 50
    assert "page 1 sur 2" in page
    second = client.get(LIST, {"page": 2})
    assert len(rows(second)) == 10
    assert not set(rows(second)) & set(rows(response))


def test_default_sort_is_latest_notification_first_unknown_dates_last(client, world):
    listed = rows(login(client, world.pilot).get(LIST))
    assert listed[:3] == ["M0003", "M0002", "M0001"]
    last_page = rows(client.get(LIST, {"page": 2}))
    assert last_page[-1] == "M0004"  # no notification date: last, never first


def test_sorting_by_amount_both_ways_and_aria_sort(client, world):
    login(client, world.pilot)
    ascending = client.get(LIST, {"tri": "montant", "annee": "2025"})
    assert rows(ascending) == ["M0001", "M0003", "M0002"]  # unknown amount last
    assert re.search(
        r'aria-sort="ascending"><a class="sort" href="[^"]*tri=-montant', ascending.content.decode()
    )
    descending = client.get(LIST, {"tri": "-montant", "annee": "2025"})
    assert rows(descending) == ["M0003", "M0001", "M0002"]
    assert 'aria-sort="descending"' in descending.content.decode()
    by_uid = client.get(LIST, {"tri": "uid", "annee": "2025"})
    assert rows(by_uid) == ["M0001", "M0002", "M0003"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"annee": "2025"}, {"M0001", "M0002", "M0003"}),
        ({"annee": "inconnue"}, {"M0004"}),
        ({"direction": "aucune", "annee": "2025"}, {"M0002", "M0003"}),
        ({"cpv": "45"}, {"M0001"}),
        ({"procedure": "Appel d'offres ouvert"}, {"M0001"}),
        ({"type": "concession"}, {"M0004"}),
        ({"montant": "1m-5m"}, {"M0001"}),
        ({"montant": "5m-plus"}, {"M0003"}),
        ({"montant": "inconnu"}, {"M0002"}),
        ({"sociale": "oui"}, {"M0001", "M0003"}),
        ({"sociale": "inconnu"}, {"M0002"}),
        ({"environnementale": "inconnu"}, {"M0002"}),
        ({"accord_cadre": "oui"}, {"M0003"}),
        ({"alertes": "oui"}, {"M0002"}),
        ({"origine": "register"}, {"M0005"}),
        ({"q": "collèges"}, {"M0002"}),
        ({"q": f"{SIRET}M0003"}, {"M0003"}),
        ({"q": "552 100 554 00012"}, {"M0001"}),
        ({"q": "routes et ponts"}, {"M0001"}),
    ],
)
def test_filters_and_search(client, world, params, expected):
    response = login(client, world.committee_member).get(LIST, params)
    assert set(rows(response)) == expected


def test_direction_filter_by_slug_and_combined_filters(client, world):
    response = login(client, world.pilot).get(LIST, {"direction": world.prescribing.slug, "sociale": "oui"})
    assert rows(response) == ["M0001"]
    response = client.get(LIST, {"direction": world.prescribing.slug, "sociale": "non"})
    assert rows(response) == []
    assert "Aucun marché ne correspond à ces filtres" in response.content.decode()


def test_filters_stay_in_links_for_sharing_paging_and_export(client, world):
    response = login(client, world.pilot).get(LIST, {"annee": "2023", "tri": "uid"})
    page = unescape(response.content.decode())
    assert 'href="?annee=2023&tri=uid&page=2"' in page
    assert 'href="/marches/export.csv?annee=2023&tri=uid"' in page
    assert 'href="/marches/export.xlsx?annee=2023&tri=uid"' in page
    assert re.search(r'href="\?annee=2023&tri=-date"', page)  # sorting keeps the filters, drops the page
    # the form shows the current values, so the reader sees what is filtered
    assert '<option value="2023" selected>' in page


def test_invalid_filter_is_reported_and_others_still_apply(client, world):
    response = login(client, world.pilot).get(LIST, {"annee": "1850", "cpv": "45"})
    page = response.content.decode()
    assert "Sélectionnez un choix valide" in page
    assert rows(response) == ["M0001"]


def test_counts_of_unknowns_are_shown(client, world):
    page = login(client, world.pilot).get(LIST, {"annee": "2025"}).content.decode()
    assert "3 marchés correspondant aux filtres" in page
    assert re.search(r"Considération sociale inconnue : <strong>1</strong>", page)
    assert re.search(r"Considération environnementale inconnue : <strong>1</strong>", page)
    assert re.search(r"Montant inconnu : <strong>1</strong>", page)


def test_amounts_and_tri_state_badges_in_rows(client, world):
    page = login(client, world.pilot).get(LIST, {"annee": "2025", "tri": "uid"}).content.decode()
    assert "2\xa0500\xa0000" in page
    assert "Routes et Ponts SA" in page
    assert '<span class="badge badge--unknown">inconnu</span>' in page
    assert "accord-cadre" in page


def test_empty_perimeter_says_what_to_do(client, db):
    register = build_register()
    page = login(client, register.pilot).get(LIST).content.decode()
    assert "0 marché" in page
    assert "Aucun marché dans le périmètre pour l'instant" in page


def test_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    login(client, world.pilot)
    with django_assert_max_num_queries(14):
        response = client.get(LIST, {"q": "Fournitures", "sociale": "non"})
    assert len(rows(response)) == 50
    Contract.objects.bulk_create([contract(500 + n) for n in range(100)])
    supplier = Supplier.objects.create(identifier="44306184100047", siren="443061841", name="Papeterie")
    ContractSupplier.objects.bulk_create(
        ContractSupplier(contract=c, supplier=supplier)
        for c in Contract.objects.filter(contract_id__gte="M0500")
    )
    with django_assert_max_num_queries(14):
        client.get(LIST, {"q": "Fournitures", "sociale": "non"})
