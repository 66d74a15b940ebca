"""The quarantine pages: read a record that could not be a contract, correct and re-import it, or set it
aside with a reason."""

import json
from pathlib import Path

import pytest

from spaser.contracts.models import Contract, QuarantinedRecord, QuarantineStatus
from spaser.contracts.services import import_decp_file
from tests.factories import build_register

pytestmark = pytest.mark.django_db

DIRTY = Path(__file__).parent.parent / "fixtures" / "decp" / "dirty_2022.json"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def register():
    return build_register()


@pytest.fixture
def quarantined(register):
    """The dirty file imported by the pilot: its records that cannot be contracts are quarantined."""
    import_decp_file(path=DIRTY, user=register.pilot)
    records = list(QuarantinedRecord.objects.order_by("position"))
    assert records
    return records


def without_buyer(records):
    return next(r for r in records if isinstance(r.raw, dict) and r.raw.get("id") == "SANS-ACHETEUR")


def test_pilot_lists_pending_records_with_their_reasons(client, register, quarantined):
    client.force_login(register.pilot)
    html = client.get("/imports/quarantaine/").content.decode()
    for record in quarantined:
        assert f'<tr data-record="{record.pk}">' in html
        for reason in record.reasons:
            assert f"<li>{reason}</li>".replace("'", "&#x27;") in html
    assert f"({len(quarantined)})" in html


def test_quarantine_is_for_the_pilot_of_the_organisation(client, register, quarantined):
    record = quarantined[0]
    client.force_login(register.committee_member)
    assert client.get("/imports/quarantaine/").status_code == 403
    assert client.get(f"/imports/quarantaine/{record.pk}/").status_code == 403
    client.force_login(register.outsider)  # pilot of another organisation
    assert f'data-record="{record.pk}"' not in client.get("/imports/quarantaine/").content.decode()
    assert client.get(f"/imports/quarantaine/{record.pk}/").status_code == 404
    assert client.post(f"/imports/quarantaine/{record.pk}/ecarter/", {"reason": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.status == QuarantineStatus.PENDING


def test_detail_shows_the_raw_record_and_a_prefilled_correction(client, register, quarantined):
    record = without_buyer(quarantined)
    client.force_login(register.pilot)
    html = client.get(f"/imports/quarantaine/{record.pk}/").content.decode()
    assert "<h1>Enregistrement n° " in html
    assert "&quot;id&quot;: &quot;SANS-ACHETEUR&quot;" in html  # pretty JSON, in <pre> and in the textarea
    assert '<textarea name="corrected_json"' in html
    assert 'action="/imports/quarantaine/' in html


def test_a_json_syntax_error_is_located_in_french_and_changes_nothing(client, register, quarantined):
    record = without_buyer(quarantined)
    client.force_login(register.pilot)
    response = client.post(
        f"/imports/quarantaine/{record.pk}/",
        {"corrected_json": '{\n  "id": "SANS-ACHETEUR"\n  "objet": "x"\n}'},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le JSON n&#x27;est pas valide ligne 3, colonne 3 : une virgule est attendue." in html
    assert "&quot;objet&quot;: &quot;x&quot;" in html  # the user's text is kept for them to fix
    record.refresh_from_db()
    assert (record.status, record.corrected_raw) == (QuarantineStatus.PENDING, None)


def test_a_correction_that_still_is_no_contract_is_refused_and_changes_nothing(client, register, quarantined):
    record = without_buyer(quarantined)
    contracts = Contract.objects.count()
    client.force_login(register.pilot)
    response = client.post(
        f"/imports/quarantaine/{record.pk}/", {"corrected_json": json.dumps({"objet": "sans identifiant"})}
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == QuarantineStatus.PENDING
    assert Contract.objects.count() == contracts


def test_corrected_record_is_reimported_as_a_contract(client, register, quarantined):
    record = without_buyer(quarantined)
    corrected = {**record.raw, "acheteur": {"id": "22930008201453"}}
    client.force_login(register.pilot)
    response = client.post(f"/imports/quarantaine/{record.pk}/", {"corrected_json": json.dumps(corrected)})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == QuarantineStatus.CORRECTED
    assert record.corrected_raw["acheteur"] == {"id": "22930008201453"}
    assert record.raw.get("acheteur") is None  # the original is kept beside the correction
    assert record.resolved_by == register.pilot
    contract = Contract.objects.get(uid="22930008201453SANS-ACHETEUR")
    assert record.contract == contract
    html = client.get(response["Location"]).content.decode()
    assert "Corrigé et réimporté" in html
    assert "22930008201453SANS-ACHETEUR" in html
    assert '<textarea name="corrected_json"' not in html  # done: no second correction

    pending = client.get("/imports/quarantaine/").content.decode()
    assert f'data-record="{record.pk}"' not in pending
    everything = client.get("/imports/quarantaine/?statut=tous").content.decode()
    assert f'data-record="{record.pk}"' in everything


def test_a_record_is_set_aside_with_a_reason(client, register, quarantined):
    record = next(r for r in quarantined if not isinstance(r.raw, dict))  # "ceci n'est pas un marché"
    client.force_login(register.pilot)
    refused = client.post(f"/imports/quarantaine/{record.pk}/ecarter/", {"reason": ""})
    assert refused.status_code == 200
    assert "Indiquez pourquoi vous écartez cet enregistrement." in refused.content.decode()
    record.refresh_from_db()
    assert record.status == QuarantineStatus.PENDING

    response = client.post(f"/imports/quarantaine/{record.pk}/ecarter/", {"reason": "Ligne de test"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == QuarantineStatus.IGNORED
    assert record.resolved_by == register.pilot
    ignored = client.get("/imports/quarantaine/?statut=ignored").content.decode()
    assert f'data-record="{record.pk}"' in ignored


def test_filters_live_in_the_url(client, register, quarantined):
    import_decp_file(path=DIRTY, user=register.pilot)  # a second import: quarantined again, another batch
    client.force_login(register.pilot)
    first_batch = quarantined[0].batch_id
    html = client.get(f"/imports/quarantaine/?lot={first_batch}&statut=tous").content.decode()
    assert html.count("<tr data-record=") == len(quarantined)
    assert f'<option value="{first_batch}" selected>' in html
    all_pending = client.get("/imports/quarantaine/").content.decode()
    assert all_pending.count("<tr data-record=") == 2 * len(quarantined)
