"""The contract page /marches/<pk>/ and classify_contract: what a reader learns about one contract,
including where it counts in the indicators — which must add up to the engine's figures."""

from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from spaser.contracts.models import Contract, ContractKind, ContractSupplier
from spaser.contracts.signals import notify_contracts_changed
from spaser.indicators.engine import NotComputable, classify_contract, compute
from spaser.indicators.methods import CONTRACT_FLAGS
from spaser.organisations.models import Buyer, Membership, Role
from spaser.suppliers.models import Supplier
from tests.factories import PASSWORD, UserFactory, build_register

pytestmark = pytest.mark.django_db

SIRET = "22930008201453"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def register(db):
    register = build_register(siren="229300082")
    Buyer.objects.create(organisation=register.organisation, identifier=SIRET, name="Département")
    return register


@pytest.fixture
def works(register):
    """A modified works contract with two suppliers (one enriched, one not), quality flags and an
    estimated end date, attributed by a rule."""
    contract = Contract.objects.create(
        uid=f"{SIRET}2024-0042",
        buyer_siret=SIRET,
        contract_id="2024-0042",
        object="Entretien des chaussées des routes départementales",
        nature="Marché",
        procedure="Appel d'offres ouvert",
        cpv="45233141",
        cpv_division="45",
        amount=Decimal("480000"),
        current_amount=Decimal("552000.50"),
        duration_months=24,
        current_duration_months=30,
        modifications=[
            {
                "id": 1,
                "amount": "520000.00",
                "duration_months": None,
                "notification_date": "2024-09-01",
                "publication_date": "2024-09-15",
                "suppliers": None,
            },
            {
                "id": 2,
                "amount": "552000.50",
                "duration_months": 30,
                "notification_date": "2025-02-01",
                "publication_date": None,
                "suppliers": [{"identifier_type": "SIRET", "identifier": "55210055400012"}],
            },
        ],
        notification_date=date(2024, 3, 12),
        notification_year=2024,
        end_date=date(2026, 3, 12),
        end_date_estimated=True,
        has_social=True,
        social_clause=True,
        social_criterion=False,
        social_considerations=["Clause sociale"],
        has_environmental=None,
        direction=register.prescribing,
        direction_source="rule",
        sources=["PLACE", "Maximilien"],
        source_format="decp-2022",
        quality_flags=[
            {
                "code": "siret_luhn",
                "message": "SIRET du titulaire invalide (clé de contrôle).",
                "field": "titulaires",
            }
        ],
        raw={"id": "2024-0042", "montant": 480000, "objet": "Entretien des chaussées"},
        content_hash="x",
    )
    enriched = Supplier.objects.create(
        identifier="55210055400012", siren="552100554", name="Routes et Ponts SA", size_category="PME",
        is_ess=True, inclusive_kind="EI", departement_code="93",
    )  # fmt: skip
    bare = Supplier.objects.create(identifier="DE123456789", identifier_type="TVA")
    ContractSupplier.objects.create(contract=contract, supplier=enriched, position=0)
    ContractSupplier.objects.create(contract=contract, supplier=bare, position=1)
    return contract


def test_page_shows_values_modifications_suppliers_and_flags(client, register, works):
    response = login(client, register.committee_member).get(f"/marches/{works.pk}/")
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert page.count("<h1>") == 1
    assert "Marché 2024-0042" in page
    assert "45233141-9 — Travaux d'entretien routier" in page  # CPV with its check digit and label
    assert "480\xa0000" in page
    assert "552\xa0000,5" in page
    assert ">24<" in page
    assert ">30<" in page
    first, second = page.index("520\xa0000"), page.index("SIRET 55210055400012")
    assert first < second  # modifications in order
    assert "Routes et Ponts SA" in page
    assert "PME (dont TPE)" in page
    assert "SIAE — entreprise d'insertion" in page
    assert "Nom inconnu" in page
    assert "DE123456789" in page
    assert "SIRET du titulaire invalide (clé de contrôle)." in page
    assert '<span class="badge badge--unknown">estimée</span>' in page
    assert "PLACE, Maximilien" in page
    assert "Attribué à <strong>Direction de la voirie</strong> — origine : règle d'attribution" in page
    raw = page.split('<details class="raw-record">', 1)[1].split("</details>", 1)[0]
    assert "<pre>" in raw
    assert '"montant": 480000' in raw


def test_page_says_where_the_contract_counts_in_the_indicators(client, register, works):
    scheme_indicator = register.indicator  # S1: social, in number
    scheme_indicator.params = {"measure": "count", "condition": "has_social"}
    scheme_indicator.save()
    commitment = register.commitment
    commitment.indicators.create(
        code="E2", name="Environnement en valeur", method="share",
        params={"measure": "amount", "condition": "has_environmental"},
    )  # fmt: skip
    commitment.indicators.create(code="S9", name="Sourcing inclusif", method="manual", params={})
    page = login(client, register.pilot).get(f"/marches/{works.pk}/").content.decode()
    section = page.split('id="indicateurs"', 1)[1].split("<h2", 1)[0]
    assert "année 2024" in section
    assert "S1 — " in section
    assert "Au numérateur" in section
    assert "E2 — " in section
    assert "Inconnu (compté au dénominateur)" in section
    assert "S9" not in section  # entered by hand: no figure to count in


def test_the_placements_kept_by_the_process_follow_the_indicators_and_the_contract(
    client, register, works, django_capture_on_commit_callbacks
):
    """contract_indicators is kept per process (data stamp): a new indicator, then a contract whose flag
    changes, show at the next request once committed."""
    url = f"/marches/{works.pk}/"

    def section():
        page = login(client, register.pilot).get(url).content.decode()
        return unescape(page.split('id="indicateurs"', 1)[1].split("<h2", 1)[0])

    assert "E2 — " not in section()
    with django_capture_on_commit_callbacks(execute=True):
        register.commitment.indicators.create(
            code="E2", name="Environnement en valeur", method="share",
            params={"measure": "count", "condition": "has_environmental"},
        )  # fmt: skip
    assert "E2 — " in section()
    assert "Inconnu (compté au dénominateur)" in section()
    with django_capture_on_commit_callbacks(execute=True):
        Contract.objects.filter(pk=works.pk).update(has_environmental=True)
        notify_contracts_changed([register.organisation.pk])
    assert "Inconnu (compté au dénominateur)" not in section()


def test_framework_and_concession_are_explained(register):
    framework = Contract(
        kind=ContractKind.MARCHE, is_framework=True, amount=Decimal(900_000), has_social=True
    )
    in_value = classify_contract("share", {"measure": "amount", "condition": "has_social"}, framework)
    assert in_value.status == "excluded"
    assert "Accord-cadre" in in_value.reason
    in_number = classify_contract("share", {"measure": "count", "condition": "has_social"}, framework)
    assert in_number.status == "numerator"
    included = {"measure": "amount", "condition": "has_social", "include_frameworks": True}
    assert classify_contract("share", included, framework).numerator == Decimal(900_000)
    concession = Contract(kind=ContractKind.CONCESSION, amount=Decimal(10), has_social=True)
    result = classify_contract("share", {"measure": "count", "condition": "has_social"}, concession)
    assert result.status == "excluded"
    assert "concession" in result.reason
    no_amount = Contract(kind=ContractKind.MARCHE, amount=None, has_social=False)
    result = classify_contract("share", {"measure": "amount", "condition": "has_social"}, no_amount)
    assert result.status == "excluded"
    assert "montant" in result.reason
    with pytest.raises(NotComputable):
        classify_contract("manual", {}, no_amount)


PARAMS = [
    {"measure": measure, "condition": condition, **extra}
    for measure in ("count", "amount")
    for condition in CONTRACT_FLAGS
    for extra in ({}, {"include_frameworks": True})
]


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: "-".join(str(v) for v in p.values()))
def test_classifications_add_up_to_the_engine_figure(perimeter, params):
    """Over the hand-computed perimeter (tests/perimeter.py), summing classify_contract gives exactly the
    numerator, denominator and unknown count of compute()."""
    contracts = Contract.objects.for_organisation(perimeter.organisation).notified_in(2024)
    result = compute("share", params, contracts)
    classifications = [classify_contract("share", params, contract) for contract in contracts]
    assert sum((c.numerator for c in classifications), Decimal(0)) == result.numerator
    assert sum((c.denominator for c in classifications), Decimal(0)) == result.denominator
    assert sum(c.unknown for c in classifications) == result.unknown


def test_contract_without_notification_date_counts_in_no_year(client, register):
    undated = Contract.objects.create(
        uid=f"{SIRET}X", buyer_siret=SIRET, contract_id="X", source_format="t", raw={}, content_hash="x"
    )
    page = unescape(login(client, register.pilot).get(f"/marches/{undated.pk}/").content.decode())
    assert "Sans date de notification, ce marché n'entre dans aucun indicateur annuel" in page
    assert "Aucune modification publiée." in page
    assert "Aucune alerte" in page


def test_another_organisations_contract_is_not_found(client, register, works):
    assert login(client, register.outsider).get(f"/marches/{works.pk}/").status_code == 404
    assert client.get("/marches/999999/").status_code == 404


def test_user_without_organisation_gets_404(client, register, works):
    user = UserFactory()
    assert login(client, user).get(f"/marches/{works.pk}/").status_code == 404
    assert client.get("/marches/").status_code == 404


def test_anonymous_is_sent_to_login(client, works):
    response = client.get(f"/marches/{works.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize("role", ["committee_member", "prescribing_referent", "resource_referent"])
def test_readers_see_no_override_form(client, register, works, role):
    page = login(client, getattr(register, role)).get(f"/marches/{works.pk}/").content.decode()
    assert "Attribuer à la main" not in page
    assert Membership.objects.get(user=getattr(register, role)).role != Role.PILOT


def test_pilot_sees_override_form(client, register, works):
    page = login(client, register.pilot).get(f"/marches/{works.pk}/").content.decode()
    assert "Attribuer à la main" in page
    assert "Revenir aux règles" not in page  # only after a manual choice


def test_detail_query_count_is_bounded(client, register, works, django_assert_max_num_queries):
    login(client, register.pilot)
    with django_assert_max_num_queries(12):
        assert client.get(f"/marches/{works.pk}/").status_code == 200
