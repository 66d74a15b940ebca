"""The audit page /audit/: who sees it, what a line says (who, when, what, before → after in French), the
organisation scope, the filters, pagination with a constant number of queries, and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from spaser.audit.selectors import format_value
from spaser.organisations import data_stamp
from spaser.schemes.models import Axis, Objective, Target
from tests.factories import AxisFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/audit/"


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def text(response) -> str:
    return flat(response.content.decode())


def rows(response) -> list[str]:
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [flat(row) for row in body.split("</tr>")[:-1]]


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


@pytest.fixture
def pilot(client, world):
    client.force_login(world.pilot)
    return client


def edit_axis(client, world, title: str):
    url = f"/schema/{world.scheme.slug}/axes/{world.axis.pk}/modifier/"
    assert client.post(url, {"code": "I", "title": title}).status_code == 302


# --- Access ------------------------------------------------------------------------------------------------


def test_only_the_pilot_and_staff_see_the_journal(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    for who, expected in [
        ("pilot", 200),
        ("superuser", 200),
        ("prescribing_referent", 403),
        ("resource_referent", 403),
        ("committee_member", 403),
    ]:
        user = getattr(world, who, None) or UserFactory(username="admin", is_superuser=True, is_staff=True)
        client.force_login(user)
        assert client.get(URL).status_code == expected, who
        assert client.get(reverse("audit:export_csv")).status_code == expected, who
    client.force_login(UserFactory(username="personne"))
    assert client.get(URL).status_code == 404
    world.committee_member.is_staff = True
    world.committee_member.save()
    client.force_login(world.committee_member)
    assert client.get(URL).status_code == 200


def test_the_navigation_links_the_journal_for_the_pilot_only(client, world):
    client.force_login(world.pilot)
    assert 'href="/audit/"' in client.get("/mes-taches/").content.decode()
    client.force_login(world.committee_member)
    assert 'href="/audit/"' not in client.get("/mes-taches/").content.decode()


# --- Lines -------------------------------------------------------------------------------------------------


def test_a_change_shows_who_when_what_and_before_after(pilot, world):
    edit_axis(pilot, world, "Des achats solidaires")
    response = pilot.get(URL)
    html = response.content.decode()
    assert "<caption>" in html
    assert '<th scope="col">Date</th>' in html
    assert '<th scope="row"' in html
    assert '<label class="field__label" for="id_type">Type d&#x27;objet</label>' in html
    first = rows(response)[0]
    now = timezone.localtime()
    assert first.startswith(now.strftime("%d/%m/%Y"))
    assert world.pilot.get_full_name() in first
    assert "Axe Axe I — Des achats solidaires" in first
    assert "Modification" in first
    assert "Intitulé : Des achats socialement responsables → devient Des achats solidaires" in first
    assert "Description : Des achats socialement responsables. → devient —" in first  # emptied by the form
    assert f'href="/schema/{world.scheme.slug}/"' in html.split("<tbody>")[1].split("</tr>")[0]


def test_values_are_written_the_french_way():
    assert format_value(True) == "Oui"
    assert format_value(False) == "Non"
    assert format_value(None) == "—"
    assert format_value("") == "—"
    assert format_value(date(2026, 3, 9)) == "09/03/2026"
    assert format_value(Decimal("22.5000")) == "22,5"
    assert format_value(Decimal("30")) == "30"
    assert format_value({"b": 1, "a": "é"}) == '{"a": "é", "b": 1}'


def test_choices_dates_booleans_and_relations_in_lines(pilot, world):
    action = world.resource_action
    action.status = "abandoned"
    action.due_date = date(2026, 1, 31)
    action.owner_direction = world.prescribing
    action.save()
    world.scheme.mutualised = True
    world.scheme.save()
    page = text(pilot.get(URL))
    assert "Statut : En cours → devient Abandonnée" in page
    assert "Échéance : 30/06/2025 → devient 31/01/2026" in page
    assert f"Direction pilote : {world.resource} → devient {world.prescribing}" in page
    assert "Non → devient Oui" in page


def test_a_deleted_object_is_named_without_a_link(pilot, world):
    objective = world.objective
    objective_id = objective.pk
    objective.delete()
    response = pilot.get(URL + "?type=objectif&action=suppression")
    (line,) = rows(response)
    assert "Atteindre 30 % de marchés" in line
    assert "(supprimé)" in line
    assert "Échéance : 31/12/2028 → devient —" in line
    assert not Objective.objects.filter(pk=objective_id).exists()


def test_changes_of_objects_whose_parent_was_deleted_stay_in_scope(pilot, world):
    axis = AxisFactory(scheme=world.scheme, code="IX", title="Axe éphémère")
    axis.delete()  # its history rows point to a deleted object, the scheme's history still owns it
    page = text(pilot.get(URL + "?type=axe"))
    assert page.count("Axe IX — Axe éphémère") == 2  # created and deleted


def test_another_organisation_changes_are_not_shown(client, world):
    other = world.outsider.memberships.get().organisation
    AxisFactory(scheme=SchemeFactory(organisation=other), title="Axe d'un autre département")
    client.force_login(world.pilot)
    assert "Axe d'un autre département" not in text(client.get(URL + "?type=axe"))
    client.force_login(world.outsider)
    response = client.get(URL)
    assert "Axe d'un autre département" in text(response)
    assert "Développer l'insertion par l'achat" not in text(response)  # A's commitment
    assert f"/schema/{world.scheme.slug}/" not in response.content.decode()


# --- Filters, pagination, export ---------------------------------------------------------------------------


def test_filters_by_kind_user_action_and_dates(pilot, world):
    edit_axis(pilot, world, "Des achats solidaires")
    only_pilot = rows(pilot.get(URL + f"?utilisateur={world.pilot.pk}"))
    assert len(only_pilot) == 1
    assert "Des achats solidaires" in only_pilot[0]
    system = rows(pilot.get(URL + "?utilisateur=systeme&type=cible&action=creation"))
    assert len(system) == Target.objects.filter(indicator__commitment__axis__scheme=world.scheme).count()
    assert all("Cible" in line and "Création" in line for line in system)
    today = timezone.localdate()
    assert len(rows(pilot.get(URL + f"?du={today:%Y-%m-%d}&au={today:%Y-%m-%d}&type=axe"))) == 2
    tomorrow = today + timedelta(days=1)
    response = pilot.get(URL + f"?du={tomorrow:%Y-%m-%d}")
    assert "Aucune modification ne correspond à ces filtres." in text(response)
    response = pilot.get(URL + f"?du={today:%Y-%m-%d}&au={today - timedelta(days=3):%Y-%m-%d}&type=axe")
    assert "La date de fin (« Au ») doit suivre la date de début (« Du »)." in text(response)
    assert len(rows(response)) == 2  # the wrong filter alone is ignored
    assert "Saisissez une date valide" in text(pilot.get(URL + "?du=31-31-2025"))


def test_pages_of_fifty_with_a_constant_number_of_queries(pilot, world):
    def queries(url: str) -> tuple[int, int]:
        data_stamp.forget_all()  # cold both times (the footer's scheme is kept per process)
        with CaptureQueriesContext(connection) as captured:
            response = pilot.get(url)
        assert response.status_code == 200
        return len(captured), len(rows(response))

    axis = Axis.objects.get(pk=world.axis.pk)
    for n in range(3):
        axis.title = f"Titre {n}"
        axis.save()
    only_changes = URL + "?type=axe&action=modification"  # the same shape of lines on both pages
    small, small_lines = queries(only_changes)
    for n in range(3, 80):
        axis.title = f"Titre {n}"
        axis.save()
    large, large_lines = queries(only_changes)
    assert (small_lines, large_lines) == (3, 50)
    assert small == large
    # Every kind on one page: still bounded by the kinds, not by the lines.
    all_kinds, lines = queries(URL)
    assert lines == 50
    assert all_kinds <= large + 2 * 15 + 10
    page2 = pilot.get(only_changes + "&page=2")
    assert len(rows(page2)) == 30
    assert "page 2 sur 2" in text(page2)


def test_csv_export_of_the_filtered_list(pilot, world):
    edit_axis(pilot, world, "Des achats solidaires")
    response = pilot.get(reverse("audit:export_csv") + "?type=axe")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    table = csv_rows(response)
    assert table[0][:10] == [
        "Date",
        "Utilisateur",
        "Type d'objet",
        "Objet",
        "Identifiant",
        "Action",
        "Champ",
        "Avant",
        "Après",
        "Motif",
    ]
    changed = [row for row in table[1:] if row[6] == "Intitulé" and row[5] == "Modification"]
    assert changed[0][1] == world.pilot.get_full_name()
    assert changed[0][7:9] == ["Des achats socialement responsables", "Des achats solidaires"]
    assert {row[2] for row in table[1:]} == {"Axe"}
