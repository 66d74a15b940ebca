"""/titulaires/: a member sees the suppliers of the organisation's perimeter only, filters live in the URL."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from spaser.contracts.models import Contract, ContractSupplier
from spaser.organisations.models import Buyer
from tests.factories import build_register

from .helpers import CDRP, FCR, SMABTP, SPIE, supplier

pytestmark = pytest.mark.django_db


def contract(number, buyer, suppliers, amount, framework=False):
    item = Contract.objects.create(
        uid=f"{buyer}C{number}", buyer_siret=buyer, contract_id=f"C{number}", object=f"Travaux {number}",
        amount=Decimal(amount), current_amount=Decimal(amount), is_framework=framework,
        notification_date=date(2024, 5, number), notification_year=2024, source_format="test", raw={},
        content_hash=str(number),
    )  # fmt: skip
    for position, link in enumerate(suppliers):
        ContractSupplier.objects.create(contract=item, supplier=link, position=position)
    return item


@pytest.fixture
def world():
    register = build_register()
    buyer = f"{register.organisation.siren}00012"
    Buyer.objects.create(organisation=register.organisation, identifier=buyer, name="Acheteur")
    when = timezone.make_aware(datetime(2025, 3, 1, 10, 0))
    spie = supplier(SPIE, "SPIE BATIGNOLLES OUTAREX")
    spie.size_category, spie.departement_code, spie.region_code, spie.commune_code = "GE", "94", "11", "94028"
    spie.commune_name, spie.is_ess, spie.enrichment_source, spie.enriched_at = (
        "Créteil",
        False,
        "SIRENE",
        when,
    )
    spie.save()
    fcr = supplier(FCR, "F.C.R")
    fcr.size_category, fcr.departement_code, fcr.inclusive_kind, fcr.inclusive_source = (
        "PME",
        "93",
        "EI",
        "ASP",
    )
    fcr.save()
    smabtp = supplier(SMABTP, "SMABTP")
    outsider_supplier = supplier(CDRP, "C D R P")
    contract(1, buyer, [spie, fcr], 100_000)
    contract(2, buyer, [spie], 50_000)
    contract(3, buyer, [smabtp], 900_000, framework=True)  # a maximum: never summed
    contract(4, register.other_organisation.siren + "00011", [outsider_supplier], 10_000)
    Buyer.objects.create(
        organisation=register.other_organisation,
        identifier=register.other_organisation.siren + "00011",
        name="Autre",
    )
    return register, spie, fcr, smabtp, outsider_supplier


def test_list_shows_the_perimeter_suppliers_with_counts_and_spend(client, world):
    register, spie, *_ = world
    client.force_login(register.committee_member)
    response = client.get("/titulaires/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert "SPIE BATIGNOLLES OUTAREX" in html
    assert "F.C.R" in html
    assert "SMABTP" in html
    assert "C D R P" not in html  # another organisation's supplier
    rows = list(response.context["page"].object_list)
    assert rows[0] == spie
    assert rows[0].contract_count == 2
    assert rows[0].amount_total == Decimal("150000")
    smabtp = next(row for row in rows if row.name == "SMABTP")
    assert smabtp.amount_total is None  # its only contract is a framework
    assert "<caption>" in html
    assert 'scope="col"' in html


def test_filters_and_sort_live_in_the_url(client, world):
    register, _spie, _fcr, _smabtp, _ = world
    client.force_login(register.pilot)

    def names(query):
        return [s.name for s in client.get(f"/titulaires/?{query}").context["page"].object_list]

    assert names("taille=PME") == ["F.C.R"]
    assert names("taille=inconnue") == ["SMABTP"]
    assert names("inclusif=SIAE") == ["F.C.R"]
    assert names("inclusif=non&tri=nom") == ["SMABTP", "SPIE BATIGNOLLES OUTAREX"]
    assert names("departement=94") == ["SPIE BATIGNOLLES OUTAREX"]
    assert names("ess=non") == ["SPIE BATIGNOLLES OUTAREX"]
    assert names(f"q={SPIE[:9]}") == ["SPIE BATIGNOLLES OUTAREX"]
    assert names("q=smab") == ["SMABTP"]
    assert names("tri=-nom") == ["SPIE BATIGNOLLES OUTAREX", "SMABTP", "F.C.R"]
    html = client.get("/titulaires/?tri=nom&taille=PME").content.decode()
    assert 'aria-sort="ascending"' in html
    assert (
        "?tri=-nom&amp;taille=PME" in html or "?taille=PME&amp;tri=-nom" in html
    )  # the other order, filters kept


def test_detail_shows_flags_with_their_source_and_the_contracts(client, world):
    register, spie, fcr, *_ = world
    client.force_login(register.prescribing_referent)
    html = client.get(f"/titulaires/{spie.pk}/").content.decode()
    assert "Grande entreprise" in html
    assert "SIRENE, le 1 mars 2025" in html
    assert "Créteil (94028), Val-de-Marne (94), Île-de-France" in html
    assert "Travaux 1" in html
    assert "Travaux 2" in html
    assert "Travaux 3" not in html
    fcr_html = client.get(f"/titulaires/{fcr.pk}/").content.decode()
    assert "entreprise d&#x27;insertion" in fcr_html
    assert "liste « ASP »" in fcr_html
    assert "inconnu" in fcr_html  # ESS unknown is shown as such


def test_other_organisations_suppliers_are_not_found(client, world):
    register, *_, outsider_supplier = world
    client.force_login(register.pilot)
    assert client.get(f"/titulaires/{outsider_supplier.pk}/").status_code == 404
    client.force_login(register.outsider)
    spie = world[1]
    assert client.get(f"/titulaires/{spie.pk}/").status_code == 404
    assert "SPIE" not in client.get("/titulaires/").content.decode()


def test_login_required(client, world):
    response = client.get("/titulaires/")
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]
