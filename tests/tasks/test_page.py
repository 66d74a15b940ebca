"""The « Mes tâches » page: sections with counts, the overdue badge in words, links to the pages where each
task is done, the empty state, the committee sentence, access."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from spaser.projects.stages import Stage
from tests.factories import UserFactory

from .conftest import advice_of, days, decide_need_review, make_contract, make_project, months, move_to

pytestmark = pytest.mark.django_db

URL = "/mes-taches/"


def page(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def project_link(name, pk, fallback):
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


def test_url_name():
    assert reverse("tasks:mine") == URL


def test_pilot_sees_every_section_with_counts_and_links(client, world):
    need = make_project(world, title="Éclairage public", planned_launch_date=days(-2))
    blocked = make_project(world, title="Réfection de la chaussée", planned_launch_date=days(90))
    decide_need_review(blocked)
    move_to(world, blocked, Stage.DOCUMENTS)
    late_advice = advice_of(blocked, world.resource)
    late_advice.deadline = days(-4)
    late_advice.save()
    contract = make_contract(world, end_date=months(2), object="Entretien des espaces verts")

    html = page(client, world.pilot)
    assert "<h1>Mes tâches</h1>" in html
    assert (
        'Revues du juste besoin à mener <span class="task-group__count">(1, dont 1 en retard)</span>' in html
    )
    # Two advice asked: the blocked project's (late) and the new project's.
    assert 'Avis à rendre <span class="task-group__count">(2, dont 1 en retard)</span>' in html
    assert 'Décisions de renouvellement en attente <span class="task-group__count">(1)</span>' in html
    assert (
        'Projets bloqués par un avis manquant <span class="task-group__count">(1, dont 1 en retard)' in html
    )
    assert "5 tâches à traiter, dont <strong>3 en retard</strong>" in html
    assert html.count('<span class="badge badge--overdue">En retard</span>') == 3
    assert f'href="{reverse("renewals:review", args=[contract.pk])}"' in html
    review_url = project_link("projects:review", need.pk, project_link("projects:detail", need.pk, ""))
    assert f'href="{review_url or f"/projets/{need.pk}/"}"' in html
    assert f'href="{project_link("projects:detail", blocked.pk, f"/projets/{blocked.pk}/")}"' in html
    assert (
        f'href="{project_link("projects:advice", late_advice.pk, f"/projets/avis/{late_advice.pk}/")}"'
        in html
    )
    assert need.reference in html
    assert contract.uid in html
    assert '<th scope="row">' in html
    assert '<th scope="col">Échéance</th>' in html
    assert "Rien à faire" not in html


def test_sections_in_order_overdue_first(client, world):
    later = make_contract(world, end_date=months(2), object="Marché à échoir")
    late = make_contract(world, end_date=days(-3), object="Marché échu")
    make_project(world, planned_launch_date=days(60))
    html = page(client, world.prescribing_referent)
    assert html.index(late.uid) < html.index(later.uid)
    assert html.index('id="need_review-title"') < html.index('id="renewal-title"')


def test_referent_sees_only_its_direction(client, world):
    mine = make_contract(world, end_date=months(1))
    theirs = make_contract(world, end_date=months(1), direction=world.other_prescribing)
    html = page(client, world.prescribing_referent)
    assert mine.uid in html
    assert theirs.uid not in html
    # A prescribing referent has no advice to give: not even an empty section.
    assert "Avis à rendre" not in html


def test_resource_referent_sees_its_advice_to_give(client, world):
    project = make_project(world, planned_launch_date=days(60))
    html = page(client, world.resource_referent)
    assert project.reference in html
    assert "Avis à rendre <span" in html
    assert project.reference not in page(client, world.other_resource_referent)


def test_empty_state(client, world):
    html = page(client, world.prescribing_referent)
    assert "Rien à faire pour l'instant." in html
    assert "<table" not in html


def test_committee_member_gets_a_sentence(client, world):
    make_contract(world, end_date=months(1))
    html = page(client, world.committee_member)
    assert "aucune tâche ne leur est confiée" in html
    assert "<table" not in html
    assert "Rien à faire" not in html


def test_access(client, world):
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    client.force_login(UserFactory(username="sans-organisation"))
    assert client.get(URL).status_code == 404


def test_page_loads_its_own_stylesheet_and_no_inline_style(client, world):
    make_contract(world, end_date=days(-3))
    html = page(client, world.pilot)
    assert "tasks/tasks.css" in html
    assert not re.search(r"\sstyle=", html)


def test_a_long_section_shows_the_most_urgent_first_and_offers_the_rest(client, world, monkeypatch):
    from spaser.tasks import views

    monkeypatch.setattr(views, "SHOWN", 2)
    contracts = [make_contract(world, end_date=days(-10 + i), object=f"Marché échu {i}") for i in range(3)]
    html = page(client, world.pilot)
    assert contracts[0].uid in html
    assert contracts[1].uid in html
    assert contracts[2].uid not in html  # the least late one waits behind the link
    assert "2 tâches affichées sur 3." in html
    assert 'href="?tout=renewal#renewal"' in html
    client.force_login(world.pilot)
    assert contracts[2].uid in client.get(URL, {"tout": "renewal"}).content.decode()
