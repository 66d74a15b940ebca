"""Who sees and does what on the project pages: a prescribing referent sees and edits only its direction's
projects (others → 404), a resource referent reads the projects referred to it (and edits only its own
direction's), committee members read everything, outsiders get 404; a write by a member who may only read →
403 and nothing changed."""

import pytest
from django.urls import reverse

from spaser.organisations.models import Direction, DirectionKind
from spaser.projects import reviews
from spaser.projects.models import Advice, AdviceStatus, NeedReview, Outcome, Project
from spaser.projects.stages import Stage
from tests.factories import UserFactory

from .conftest import make_project, member

pytestmark = pytest.mark.django_db

READ_PAGES = ["projects:detail", "projects:review"]
EDIT_PAGES = ["projects:edit", "projects:contracts"]


@pytest.fixture
def projects(world):
    """`roads`: the prescribing direction's project, referred to the resource direction; `culture`: another
    prescribing direction's project, not referred; `ecology`: the resource direction's own project."""
    culture_direction = Direction.objects.create(
        organisation=world.organisation,
        name="Direction de la culture",
        short_name="DC",
        slug="culture",
        kind=DirectionKind.PRESCRIBING,
    )
    roads = make_project(world, title="Entretien des routes")
    Advice.objects.create(project=roads, resource_direction=world.resource, status=AdviceStatus.REQUESTED)
    culture = make_project(world, title="Saison culturelle", user=world.pilot, direction=culture_direction)
    ecology = make_project(world, title="Bilan carbone des achats", user=world.resource_referent)
    return {"roads": roads, "culture": culture, "ecology": ecology}


def status(client, user, name, project, method="get", data=None):
    client.force_login(user)
    url = reverse(name, args=[project.pk])
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


def listed(client, user) -> set[str]:
    client.force_login(user)
    page = client.get(reverse("projects:list")).content.decode()
    return {
        title
        for title in ("Entretien des routes", "Saison culturelle", "Bilan carbone des achats")
        if title in page
    }


def test_the_list_shows_what_each_role_may_see(client, world, projects):
    everything = {"Entretien des routes", "Saison culturelle", "Bilan carbone des achats"}
    assert listed(client, world.pilot) == everything
    assert listed(client, world.committee_member) == everything
    assert listed(client, world.prescribing_referent) == {"Entretien des routes"}
    assert listed(client, world.resource_referent) == {"Entretien des routes", "Bilan carbone des achats"}
    assert listed(client, world.outsider) == set()


def test_the_csv_export_shows_only_what_the_member_may_see(client, world, projects):
    client.force_login(world.prescribing_referent)
    body = client.get(reverse("projects:csv")).content.decode()
    assert "Entretien des routes" in body
    assert "Saison culturelle" not in body
    assert "Bilan carbone des achats" not in body


@pytest.mark.parametrize(
    ("role", "project", "expected"),
    [
        ("pilot", "culture", 200),
        ("committee_member", "culture", 200),
        ("prescribing_referent", "roads", 200),
        ("prescribing_referent", "culture", 404),
        ("prescribing_referent", "ecology", 404),
        ("resource_referent", "roads", 200),
        ("resource_referent", "ecology", 200),
        ("resource_referent", "culture", 404),
        ("outsider", "roads", 404),
    ],
)
def test_reading_a_project(client, world, projects, role, project, expected):
    for name in READ_PAGES:
        assert status(client, getattr(world, role), name, projects[project]) == expected


@pytest.mark.parametrize(
    ("role", "project", "expected"),
    [
        ("pilot", "culture", 200),
        ("prescribing_referent", "roads", 200),
        ("resource_referent", "ecology", 200),
        ("resource_referent", "roads", 403),
        ("committee_member", "roads", 403),
        ("prescribing_referent", "culture", 404),
        ("outsider", "roads", 404),
    ],
)
def test_editing_pages(client, world, projects, role, project, expected):
    for name in EDIT_PAGES:
        assert status(client, getattr(world, role), name, projects[project]) == expected


@pytest.mark.parametrize(("role", "expected"), [("resource_referent", 403), ("committee_member", 403)])
def test_writes_by_read_only_members_are_refused_and_change_nothing(client, world, projects, role, expected):
    project = projects["roads"]
    reviews.review_update(
        project=project,
        membership=member(world, world.prescribing_referent),
        user=world.prescribing_referent,
        answers={},
        outcome=Outcome.BUY,
        justification="Besoin confirmé.",
        avoided_amount=None,
    )
    user = getattr(world, role)
    before = Project.objects.values().get(pk=project.pk)
    posts = [
        ("projects:move", {"to_stage": "sourcing"}),
        ("projects:move", {"to_stage": "abandoned", "comment": "Non."}),
        ("projects:override", {"reason": "Parce que."}),
        ("projects:edit", {"title": "Piraté", "cpv": "45210000", "nature": "works", "estimated_amount": "1"}),
        ("projects:review", {"outcome": "stop", "justification": "Non."}),
        ("projects:contracts", {"uids": "X"}),
    ]
    for name, data in posts:
        assert status(client, user, name, project, "post", data) == expected, name
    assert Project.objects.values().get(pk=project.pk) == before
    assert NeedReview.objects.get(project=project).outcome == Outcome.BUY
    assert not project.transitions.exists()


def test_other_directions_projects_are_not_found_on_post(client, world, projects):
    project = projects["culture"]
    for name, data in [("projects:move", {"to_stage": "abandoned", "comment": "x"}), ("projects:review", {})]:
        assert status(client, world.prescribing_referent, name, project, "post", data) == 404
    project.refresh_from_db()
    assert project.stage == Stage.NEED


def test_only_the_pilot_overrides_through_the_page(client, world, projects):
    project = projects["roads"]
    assert (
        status(client, world.prescribing_referent, "projects:override", project, "post", {"reason": "Vite."})
        == 403
    )
    project.refresh_from_db()
    assert not project.has_advice_override
    assert status(client, world.pilot, "projects:override", project, "post", {"reason": "Vite."}) == 302
    project.refresh_from_db()
    assert project.advice_override_reason == "Vite."


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [
        ("pilot", 200, 200),  # the pilot must choose the direction: the form says so
        ("prescribing_referent", 200, 302),
        ("resource_referent", 200, 302),
        ("committee_member", 403, 403),
    ],
)
def test_who_creates_projects(client, world, role, get, post):
    client.force_login(getattr(world, role))
    assert client.get(reverse("projects:create")).status_code == get
    response = client.post(
        reverse("projects:create"),
        {
            "title": "Essai",
            "cpv": "45210000",
            "nature": "works",
            "estimated_amount": "1000",
            "duration_months": "3",
        },
    )
    assert response.status_code == post
    assert Project.objects.filter(title="Essai").exists() == (post == 302)


def test_a_user_of_no_organisation_gets_404_and_anonymous_users_log_in(client, world, projects):
    client.force_login(UserFactory(username="sans-organisation"))
    assert client.get(reverse("projects:list")).status_code == 404
    client.logout()
    response = client.get(reverse("projects:detail", args=[projects["roads"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_read_only_page_says_so_and_offers_no_move(client, world, projects):
    client.force_login(world.committee_member)
    page = client.get(reverse("projects:detail", args=[projects["roads"].pk])).content.decode()
    assert "lecture seule" in page
    assert 'action="/projets/' not in page
