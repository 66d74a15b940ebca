"""The pilot's report pages: who sees and does what (pilot / member / other organisation / anonymous),
the workflow through the pages, and bounded query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spaser.reports import services
from spaser.reports.models import AnnualReport, ReportStatus
from tests.reports.conftest import TODAY, YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return services.report_generate(scheme=world.scheme, year=YEAR, user=world.pilot, today=TODAY)


def test_index_lists_the_years_and_only_the_pilot_gets_the_buttons(client, world, draft):
    client.force_login(world.pilot)
    page = client.get(reverse("reports:index")).content.decode()
    assert "Version 1" in page
    assert "Régénérer le brouillon 2025" in page
    assert "Générer le rapport 2024" in page
    client.force_login(world.committee_member)
    page = client.get(reverse("reports:index")).content.decode()
    assert "Version 1" in page
    assert "Générer" not in page


def test_draft_preview_is_for_members_only(client, world, draft):
    url = reverse("reports:detail", args=[draft.pk])
    client.force_login(world.committee_member)
    page = client.get(url).content.decode()
    assert "Brouillon — ce rapport n'est pas publié" in page
    assert "Synthèse" in page
    assert client.get(reverse("reports:file", args=[draft.pk, "donnees.csv"])).status_code == 200
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:file", args=[draft.pk, "donnees.csv"])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


@pytest.mark.parametrize("who", ["committee_member", "resource_referent", "outsider"])
def test_posts_by_others_change_nothing(client, world, draft, who):
    client.force_login(getattr(world, who))
    expected = 404 if who == "outsider" else 403
    before = AnnualReport.history.count()
    responses = [
        client.post(reverse("reports:generate", args=[YEAR])),
        client.post(reverse("reports:validate", args=[draft.pk]), {"decision": world.decision.pk}),
        client.post(reverse("reports:publish", args=[draft.pk])),
        client.post(reverse("reports:reopen", args=[draft.pk])),
        client.post(reverse("reports:correct", args=[draft.pk]), {"erratum": "x"}),
    ]
    assert [r.status_code for r in responses] == [expected] * 5
    assert AnnualReport.history.count() == before
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT


def test_the_whole_workflow_through_the_pages(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.pilot)
    response = client.post(reverse("reports:generate", args=[2024]))
    report = AnnualReport.objects.get(year=2024)
    assert response.url == reverse("reports:detail", args=[report.pk])
    # No COPIL validated the 2024 review: explained, nothing to choose.
    page = client.get(response.url).content.decode()
    assert "Aucune décision ne peut encore valider ce rapport" in page
    client.post(reverse("reports:generate", args=[YEAR]))
    report = AnnualReport.objects.get(year=YEAR)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "COPIL du SPASER du 12/12/2025" in page
    assert "Point d'étape" not in page
    response = client.post(
        reverse("reports:validate", args=[report.pk]), {"decision": world.june_decision.pk}
    )
    assert response.status_code == 400
    assert "Décision du COPIL" in response.content.decode()
    client.post(reverse("reports:validate", args=[report.pk]), {"decision": world.decision.pk})
    assert client.get(reverse("reports:publish", args=[report.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:publish", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert report.pdf is not None
    response = client.post(reverse("reports:correct", args=[report.pk]), {"erratum": ""})
    assert response.status_code == 400
    assert "Erratum : expliquez" in response.content.decode()
    response = client.post(reverse("reports:correct", args=[report.pk]), {"erratum": "S1 corrigé."})
    correction = AnnualReport.objects.get(year=YEAR, version=2)
    assert response.url == reverse("reports:detail", args=[correction.pk])
    assert correction.erratum == "S1 corrigé."
    assert correction.status == ReportStatus.DRAFT
    pdf = client.get(reverse("reports:file", args=[report.pk, "rapport.pdf"]))
    assert pdf.content == bytes(report.pdf)


def test_query_counts_are_bounded(client, world, draft):
    client.force_login(world.pilot)
    for url in (reverse("reports:index"), reverse("reports:detail", args=[draft.pk])):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 20, url
