"""`spaser fetch_decp`: a buyer's contracts from the data.gouv.fr tabular API, on recorded pages (three pages
of the real rows of the Commune de Montfermeil, see tests/fixtures/fetch/README.md)."""

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command

from spaser.contracts import fetch
from spaser.contracts.fetch import FetchError, download_buyer_pages, fetch_decp
from spaser.contracts.models import Contract
from spaser.suppliers.http import PoliteClient
from spaser.suppliers.models import InclusiveSupplier, Supplier

pytestmark = pytest.mark.django_db
PAGES = Path(__file__).parent.parent / "fixtures" / "fetch"
SIREN = "219300472"


class RecordedTabularApi:
    """Serves the recorded pages by their `page` parameter; `fail_on_page` answers that page with a network
    failure (the machine went offline mid-download)."""

    def __init__(self, fail_on_page: int | None = None) -> None:
        self.fail_on_page = fail_on_page
        self.pages: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert request.url.host == "tabular-api.data.gouv.fr"
        assert request.url.path == f"/api/resources/{fetch.RESOURCE_ID}/data/"
        assert params["acheteur_id__greater"] == "21930047200000"
        assert params["acheteur_id__strictly_less"] == "21930047300000"
        page = int(params["page"])
        self.pages.append(page)
        if page == self.fail_on_page:
            raise httpx.ConnectError("Network is unreachable", request=request)
        return httpx.Response(
            200, json=json.loads((PAGES / f"montfermeil_page{page}.json").read_text("utf-8"))
        )

    def client(self) -> PoliteClient:
        return PoliteClient(
            service="L'API tabulaire de data.gouv.fr",
            rate_per_second=10,
            transport=httpx.MockTransport(self),
            max_retries=1,
            sleep=lambda seconds: None,
        )


def test_interrupted_download_resumes_where_it_stopped_then_imports(tmp_path):
    offline = RecordedTabularApi(fail_on_page=2)
    with pytest.raises(FetchError) as error:
        fetch_decp(siren=SIREN, data_dir=tmp_path, client=offline.client(), page_size=2)
    message = str(error.value)
    assert "interrompu à la page 2" in message
    assert "1 page(s) (2 ligne(s))" in message
    assert "Relancez la même commande pour reprendre" in message
    assert Contract.objects.count() == 0  # nothing imported from a partial download

    online = RecordedTabularApi()
    result = fetch_decp(siren=SIREN, data_dir=tmp_path, client=online.client(), page_size=2)

    assert online.pages == [2, 3]  # page 1 was not downloaded again
    assert result.state.resumed
    assert result.state.rows == 6
    assert result.state.pages == 3
    summary = result.summary
    assert summary.read == (
        summary.created + summary.updated + summary.unchanged + summary.duplicates + summary.quarantined
    )
    uids = set(Contract.objects.values_list("uid", flat=True))
    assert uids == {
        "219300472001942024T08683",
        "219300472001942024T12691",
        "219300472001942024T12697",
        "219300472001942024T12698",
        "219300472001942024T12699",
    }
    assert set(Contract.objects.values_list("buyer_siret", flat=True)) == {"21930047200194"}
    # The API types SIRETs as integers: the supplier keeps its 14 digits.
    assert Supplier.objects.filter(identifier="78909316800035").exists()
    assert "data.gouv.fr API tabulaire" in Contract.objects.first().sources


def test_a_second_fetch_downloads_afresh_and_changes_nothing(tmp_path):
    fetch_decp(siren=SIREN, data_dir=tmp_path, client=RecordedTabularApi().client(), page_size=2)
    count = Contract.objects.count()
    again = RecordedTabularApi()
    result = fetch_decp(siren=SIREN, data_dir=tmp_path, client=again.client(), page_size=2)
    assert again.pages == [1, 2, 3]
    assert not result.state.resumed
    assert result.summary.created == 0
    assert result.summary.updated == 0
    assert Contract.objects.count() == count


def test_dry_run_stores_nothing_and_new_suppliers_get_their_inclusive_flag(tmp_path):
    result = fetch_decp(
        siren=SIREN, dry_run=True, data_dir=tmp_path, client=RecordedTabularApi().client(), page_size=2
    )
    assert result.summary.read > 0
    assert Contract.objects.count() == 0

    InclusiveSupplier.objects.create(siret="78909316800035", siren="789093168", kind="EI", source="ASP")
    fetch_decp(siren=SIREN, data_dir=tmp_path, client=RecordedTabularApi().client(), page_size=2)
    assert Supplier.objects.get(identifier="78909316800035").inclusive_kind == "EI"


def test_pages_and_state_are_saved_under_the_data_directory(tmp_path):
    state = download_buyer_pages(
        siren=SIREN, data_dir=tmp_path, client=RecordedTabularApi().client(), page_size=2
    )
    directory = tmp_path / "fetch" / SIREN
    assert sorted(p.name for p in directory.glob("page-*.json")) == [
        "page-0001.json",
        "page-0002.json",
        "page-0003.json",
    ]
    saved = json.loads((directory / "state.json").read_text("utf-8"))
    assert saved["complete"]
    assert saved["rows"] == 6
    assert saved["total"] == 6
    assert state.next_url is None


def test_since_filters_on_the_notification_date(tmp_path):
    seen = []

    def handler(request):
        seen.append(dict(request.url.params))
        return httpx.Response(
            200, json={"data": [], "links": {"next": None}, "meta": {"page": 1, "total": 0}}
        )

    client = PoliteClient(service="test", rate_per_second=10, transport=httpx.MockTransport(handler))
    download_buyer_pages(siren=SIREN, since=date(2024, 9, 1), data_dir=tmp_path, client=client)
    assert seen[0]["dateNotification__greater"] == "2024-09-01"
    assert seen[0]["page_size"] == "50"


def test_command_json_and_french_errors(tmp_path, settings, monkeypatch, capsys):
    settings.DATA_DIR = tmp_path
    api = RecordedTabularApi()

    class RecordedClient(PoliteClient):
        """The real client; only its transport is the recorded one."""

        def __init__(self, **kwargs):
            kwargs.update(transport=httpx.MockTransport(api), sleep=lambda seconds: None)
            super().__init__(**kwargs)

    monkeypatch.setattr(fetch, "PoliteClient", RecordedClient)
    call_command("fetch_decp", "--siren", SIREN, "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["siren"] == SIREN
    assert data["rows"] == 6
    assert data["created"] == 5
    assert (
        data["read"]
        == data["created"] + data["updated"] + data["unchanged"] + data["duplicates"] + data["quarantined"]
    )

    with pytest.raises(CommandError, match="SIREN « 21930047 » invalide"):
        call_command("fetch_decp", "--siren", "21930047")
    with pytest.raises(CommandError, match="Date « hier » invalide"):
        call_command("fetch_decp", "--siren", SIREN, "--since", "hier")
