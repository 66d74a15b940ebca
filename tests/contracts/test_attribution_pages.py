"""Attribution to directions in the pages: rules (pilot writes, others read), « Appliquer les règles »,
unattributed contracts with a quick manual choice, the override on the contract page and « revenir aux
règles »."""

from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from spaser.contracts.attribution import clear_manual_direction, set_manual_direction
from spaser.contracts.models import AttributionRule, Contract
from spaser.organisations.models import Buyer
from tests.factories import PASSWORD, DirectionFactory, build_register

pytestmark = pytest.mark.django_db

SIRET = "22930008201453"
RULES = "/marches/attribution/"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def make(number, *, cpv="30190000", obj="Fournitures", amount="50000", **fields):
    return Contract.objects.create(
        uid=f"{SIRET}A{number}",
        buyer_siret=SIRET,
        contract_id=f"A{number}",
        object=obj,
        cpv=cpv,
        cpv_division=cpv[:2],
        amount=Decimal(amount),
        notification_date=date(2024, 5, number),
        notification_year=2024,
        source_format="test",
        raw={},
        content_hash=str(number),
        **fields,
    )


@pytest.fixture
def register(db):
    register = build_register(siren="229300082")
    Buyer.objects.create(organisation=register.organisation, identifier=SIRET, name="Département")
    return register


@pytest.fixture
def contracts(register):
    return {
        "road": make(1, cpv="45233141", obj="Entretien des routes"),
        "college": make(2, cpv="45214200", obj="Rénovation du Collège Jean Moulin"),
        "paper": make(3),
        "imported": make(4, cpv="45000000", direction=register.resource, direction_source="import"),
    }


def test_readers_see_rules_and_counts_without_edit_buttons(client, register, contracts):
    AttributionRule.objects.create(
        organisation=register.organisation, direction=register.prescribing, cpv_prefix="45"
    )
    for user in (register.committee_member, register.prescribing_referent, register.resource_referent):
        page = unescape(login(client, user).get(RULES).content.decode())
        assert "CPV 45…" in page
        assert "Direction de la voirie" in page
        assert "Ajouter une règle" not in page
        assert "Appliquer les règles" not in page
        client.logout()


def test_readers_cannot_write(client, register, contracts):
    rule = AttributionRule.objects.create(
        organisation=register.organisation, direction=register.prescribing, cpv_prefix="45"
    )
    login(client, register.prescribing_referent)
    assert client.get(f"{RULES}nouvelle/").status_code == 403
    assert (
        client.post(
            f"{RULES}nouvelle/", {"direction": register.prescribing.pk, "cpv_prefix": "30"}
        ).status_code
        == 403
    )
    assert client.post(f"{RULES}{rule.pk}/supprimer/").status_code == 403
    assert client.post(f"{RULES}appliquer/").status_code == 403
    response = client.post(
        f"/marches/{contracts['paper'].pk}/direction/", {"direction": register.prescribing.pk}
    )
    assert response.status_code == 403
    assert AttributionRule.objects.count() == 1
    contracts["paper"].refresh_from_db()
    assert contracts["paper"].direction is None


def test_pilot_creates_a_rule_applies_it_and_sees_counts(client, register, contracts):
    login(client, register.pilot)
    response = client.post(
        f"{RULES}nouvelle/", {"direction": register.prescribing.pk, "priority": 10, "cpv_prefix": "45"}
    )
    assert response.status_code == 302
    rule = AttributionRule.objects.get()
    assert rule.organisation == register.organisation
    response = client.post(f"{RULES}appliquer/", follow=True)
    page = unescape(response.content.decode())
    assert "Règles appliquées. 2 marchés ont changé de direction." in page
    contracts["road"].refresh_from_db()
    assert (contracts["road"].direction, contracts["road"].direction_source) == (register.prescribing, "rule")
    contracts["imported"].refresh_from_db()
    assert contracts["imported"].direction == register.resource  # an import is never overridden
    row = page.split("CPV 45…", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">2</td>' in row
    again = unescape(client.post(f"{RULES}appliquer/", follow=True).content.decode())
    assert "Aucun marché n'a changé de direction" in again


def test_more_specific_keyword_rule_with_higher_priority_wins_and_counts(client, register, contracts):
    colleges = DirectionFactory(organisation=register.organisation, name="Direction des collèges")
    AttributionRule.objects.create(
        organisation=register.organisation, direction=register.prescribing, cpv_prefix="45"
    )
    AttributionRule.objects.create(
        organisation=register.organisation, direction=colleges, keyword="college", priority=5
    )
    page = unescape(login(client, register.pilot).get(RULES).content.decode())
    keyword_row = page.split("objet contenant « college »", 1)[1].split("</tr>", 1)[0]
    cpv_row = page.split("CPV 45…", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1</td>' in keyword_row
    assert '<td class="num">1</td>' in cpv_row
    client.post(f"{RULES}appliquer/")
    contracts["college"].refresh_from_db()
    assert contracts["college"].direction == colleges  # accents and case ignored: « Collège » ~ « college »


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Une règle doit poser au moins une condition"),
        ({"cpv_prefix": "45A"}, "ne doit contenir que des chiffres"),
        ({"buyer_siret": "123"}, "exactement 14 chiffres"),
        ({"buyer_siret": "21750001600019"}, "ne fait pas partie du périmètre"),
        ({"min_amount": "100000", "max_amount": "5000"}, "supérieur au montant minimal"),
    ],
)
def test_rule_form_explains_errors_in_french(client, register, data, message):
    response = login(client, register.pilot).post(
        f"{RULES}nouvelle/", {"direction": register.prescribing.pk, "priority": 100, **data}
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert message in page
    assert "<title>Erreur : " in page
    assert not AttributionRule.objects.exists()


def test_rule_form_refuses_another_organisations_direction(client, register):
    foreign = DirectionFactory(organisation=register.other_organisation)
    response = login(client, register.pilot).post(
        f"{RULES}nouvelle/", {"direction": foreign.pk, "priority": 1, "cpv_prefix": "45"}
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not AttributionRule.objects.exists()


def test_pilot_edits_and_deletes_a_rule(client, register, contracts):
    rule = AttributionRule.objects.create(
        organisation=register.organisation, direction=register.prescribing, cpv_prefix="45"
    )
    login(client, register.pilot)
    assert client.get(f"{RULES}{rule.pk}/modifier/").status_code == 200
    client.post(
        f"{RULES}{rule.pk}/modifier/",
        {"direction": register.prescribing.pk, "priority": 3, "cpv_prefix": "4523"},
    )
    rule.refresh_from_db()
    assert (rule.priority, rule.cpv_prefix) == (3, "4523")
    assert "Supprimer une règle" in client.get(f"{RULES}{rule.pk}/supprimer/").content.decode()
    client.post(f"{RULES}{rule.pk}/supprimer/")
    assert not AttributionRule.objects.exists()


def test_another_organisations_rule_is_not_found(client, register):
    other = build_register()
    rule = AttributionRule.objects.create(
        organisation=other.organisation, direction=other.prescribing, cpv_prefix="45"
    )
    login(client, register.pilot)
    assert client.get(f"{RULES}{rule.pk}/modifier/").status_code == 404
    assert client.post(f"{RULES}{rule.pk}/supprimer/").status_code == 404
    assert AttributionRule.objects.filter(pk=rule.pk).exists()


def test_unattributed_page_and_quick_manual_choice(client, register, contracts):
    login(client, register.pilot)
    page = client.get("/marches/non-attribues/").content.decode()
    assert "A1" in page
    assert "A2" in page
    assert "A3" in page
    assert ">A4<" not in page
    assert 'for="direction-' in page  # each quick form has a label
    response = client.post(
        f"/marches/{contracts['paper'].pk}/direction/",
        {"direction": register.resource.pk, "next": "/marches/non-attribues/?page=1"},
    )
    assert response["Location"] == "/marches/non-attribues/?page=1"
    contracts["paper"].refresh_from_db()
    assert (contracts["paper"].direction, contracts["paper"].direction_source) == (
        register.resource,
        "manual",
    )
    assert ">A3<" not in client.get("/marches/non-attribues/").content.decode()


def test_unattributed_page_for_readers_has_no_forms(client, register, contracts):
    page = login(client, register.committee_member).get("/marches/non-attribues/").content.decode()
    assert "A3" in page
    assert "<select" not in page


def test_manual_choice_survives_rules_and_revenir_aux_regles_reapplies_them(client, register, contracts):
    AttributionRule.objects.create(
        organisation=register.organisation, direction=register.prescribing, cpv_prefix="45"
    )
    login(client, register.pilot)
    road = contracts["road"]
    client.post(f"/marches/{road.pk}/direction/", {"direction": register.resource.pk})
    client.post(f"{RULES}appliquer/")
    road.refresh_from_db()
    assert (road.direction, road.direction_source) == (register.resource, "manual")
    page = client.get(f"/marches/{road.pk}/").content.decode()
    assert "Revenir aux règles" in page
    response = client.post(f"/marches/{road.pk}/direction/regles/", follow=True)
    assert "il est attribué à « Direction de la voirie »" in unescape(response.content.decode())
    road.refresh_from_db()
    assert (road.direction, road.direction_source) == (register.prescribing, "rule")


def test_manual_choice_refuses_foreign_direction_and_unknown_value(client, register, contracts):
    foreign = DirectionFactory(organisation=register.other_organisation)
    login(client, register.pilot)
    response = client.post(
        f"/marches/{contracts['paper'].pk}/direction/", {"direction": foreign.pk}, follow=True
    )
    assert "Cette direction n'existe pas dans votre organisation." in unescape(response.content.decode())
    response = client.post(f"/marches/{contracts['paper'].pk}/direction/", {}, follow=True)
    assert "Choisissez la direction du marché." in unescape(response.content.decode())
    contracts["paper"].refresh_from_db()
    assert contracts["paper"].direction is None


def test_outsider_cannot_attribute_our_contract(client, register, contracts):
    response = login(client, register.outsider).post(
        f"/marches/{contracts['paper'].pk}/direction/", {"direction": register.prescribing.pk}
    )
    assert response.status_code == 404
    contracts["paper"].refresh_from_db()
    assert contracts["paper"].direction is None


def test_services_check_the_perimeter_and_clear_only_manual(register, contracts):
    foreign = DirectionFactory(organisation=register.other_organisation)
    with pytest.raises(Exception, match="périmètre"):
        set_manual_direction(contract=contracts["paper"], direction=foreign, user=register.pilot)
    imported = clear_manual_direction(contract=contracts["imported"], user=register.pilot)
    assert (imported.direction, imported.direction_source) == (register.resource, "import")
