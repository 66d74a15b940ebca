"""Online enrichment with the company search API, on recorded answers served by httpx.MockTransport."""

from datetime import timedelta

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from spaser.suppliers.company_search import CompanySearchClient
from spaser.suppliers.models import CompanyLookup, Supplier
from spaser.suppliers.services import enrich_suppliers, import_sirene_files

from .helpers import FCR, POSE, SMABTP, SPIE, SPIE_SAINT_DENIS, UNITS, RecordedCompanySearch, supplier

pytestmark = pytest.mark.django_db


def client_for(server: RecordedCompanySearch, **options) -> CompanySearchClient:
    return CompanySearchClient(transport=server.transport(), sleep=lambda seconds: None, **options)


def test_online_enrichment_fills_facts_and_the_establishment_location():
    for siret in (SPIE, SPIE_SAINT_DENIS, SMABTP, POSE):
        supplier(siret)
    server = RecordedCompanySearch()

    summary = enrich_suppliers(online=True, client=client_for(server))

    spie = Supplier.objects.get(identifier=SPIE_SAINT_DENIS)
    assert (spie.name, spie.size_category, spie.legal_category) == ("SPIE BATIGNOLLES OUTAREX", "GE", "5710")
    assert (spie.commune_code, spie.departement_code) == (
        "93066",
        "93",
    )  # its own establishment, not the seat
    assert spie.enrichment_source == "API Recherche d'entreprises"
    assert spie.is_ess is None  # est_ess false = not stated: unknown
    assert Supplier.objects.get(identifier=SMABTP).is_ess is True
    assert Supplier.objects.get(identifier=POSE).name == ""  # unknown to the recorded API
    assert sorted(server.asked) == ["087281184", "311493308", "775684764"]  # one request per SIREN
    assert (summary.asked, summary.updated, summary.not_found) == (3, 3, 1)


def test_answers_are_cached_with_their_date_and_reused_offline():
    supplier(FCR)
    server = RecordedCompanySearch()
    enrich_suppliers(online=True, client=client_for(server))
    assert CompanyLookup.objects.get(siren=FCR[:9]).fetched_at is not None

    Supplier.objects.filter(identifier=FCR).update(name="", size_category="", departement_code="")
    again = enrich_suppliers(online=True, client=client_for(server))
    assert server.asked == [FCR[:9]]  # the second run read the cache
    assert again.from_cache == 1

    Supplier.objects.filter(identifier=FCR).update(name="", size_category="", departement_code="")
    offline = enrich_suppliers(online=False)
    assert offline.updated == 1
    assert Supplier.objects.get(identifier=FCR).departement_code == "93"

    CompanyLookup.objects.update(fetched_at=timezone.now() - timedelta(days=31))
    Supplier.objects.filter(identifier=FCR).update(name="")
    enrich_suppliers(online=True, client=client_for(server))
    assert server.asked == [FCR[:9], FCR[:9]]  # a stale answer is asked again


def test_api_never_erases_what_sirene_knew():
    supplier(POSE)
    import_sirene_files(paths=[UNITS])
    Supplier.objects.filter(identifier=POSE).update(departement_code="")  # so that it is a candidate
    enrich_suppliers(online=True, client=client_for(RecordedCompanySearch()))
    pose = Supplier.objects.get(identifier=POSE)
    assert (pose.name, pose.size_category) == ("POSE-ORGANISATION SOL-EXTERIEUR POSE", "PME")
    assert pose.enrichment_source == "SIRENE (StockUniteLegale)"  # the empty answer changed nothing


def test_rate_limit_and_backoff_on_429():
    server = RecordedCompanySearch(fail_with=429)
    moments = iter(range(1000))
    client = client_for(server, clock=lambda: next(moments) * 0.01, max_retries=2, backoff=0.5)
    supplier(SPIE)
    summary = None
    with pytest.raises(Exception, match="ne répond pas correctement"):
        summary = enrich_suppliers(online=True, client=client)
    assert summary is None
    assert len(server.asked) == 3  # first try + 2 retries
    backoffs = [wait for wait in client.http.waits if wait >= 0.5]
    assert backoffs == [0.5, 1.0]
    # Between two requests, at least 1/7 s: the documented limit of 7 requests per second.
    assert all(wait <= 1 / 7 for wait in client.http.waits if wait < 0.5)
    assert any(0 < wait <= 1 / 7 for wait in client.http.waits)


def test_offline_gives_a_clear_french_message(capsys, monkeypatch):
    supplier(SPIE)
    server = RecordedCompanySearch(fail_with=httpx.ConnectError)
    summary = enrich_suppliers(online=True, client=client_for(server, max_retries=1))
    assert summary.offline
    assert "injoignable" in summary.message
    assert "hors ligne" in summary.message

    import spaser.suppliers.services as services

    monkeypatch.setattr(
        services,
        "CompanySearchClient",
        lambda: client_for(RecordedCompanySearch(fail_with=httpx.ConnectError)),
    )
    with pytest.raises(CommandError, match="vérifiez la connexion"):
        call_command("enrich_suppliers", "--online")


def test_command_json_summary(capsys, monkeypatch):
    """The command builds the real client; only its transport serves recorded answers."""
    supplier(FCR)
    import spaser.suppliers.services as services

    monkeypatch.setattr(services, "CompanySearchClient", lambda: client_for(RecordedCompanySearch()))
    call_command("enrich_suppliers", "--online", "--limit", "5", "--json")
    out = capsys.readouterr().out
    assert '"updated": 1' in out
    assert '"candidates": 1' in out
