"""Each role against each write of the register pages (server-side rules, not hidden buttons)."""

import pytest

from spaser.schemes.models import Action, ActionStatus, Axis, Commitment, Indicator, Objective, Target
from tests.factories import build_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return build_register()


def _writes(r):
    """(name, url, data, effect check) for every pilot-only write."""
    slug = r.scheme.slug
    return {
        "scheme_edit": (
            f"/schema/{slug}/modifier/",
            {
                "title": "Nouveau titre",
                "slug": slug,
                "status": "adopted",
                "period_start": 2024,
                "period_end": 2028,
                "edition": 2,
                "adoption_date": "2024-03-21",
                "public_url": "",
                "summary": "",
                "note": "",
            },
            lambda: r.scheme.__class__.objects.get(pk=r.scheme.pk).title == "Nouveau titre",
        ),
        "axis_create": (
            f"/schema/{slug}/axes/nouveau/",
            {"code": "II", "title": "Axe écologique", "description": ""},
            lambda: Axis.objects.filter(scheme=r.scheme, code="II").exists(),
        ),
        "axis_edit": (
            f"/schema/{slug}/axes/{r.axis.pk}/modifier/",
            {"code": "I", "title": "Axe renommé", "description": ""},
            lambda: Axis.objects.get(pk=r.axis.pk).title == "Axe renommé",
        ),
        "axis_delete": (
            f"/schema/{slug}/axes/{r.axis.pk}/supprimer/",
            {},
            lambda: not Axis.objects.filter(pk=r.axis.pk).exists(),
        ),
        "commitment_create": (
            f"/schema/{slug}/axes/{r.axis.pk}/engagements/nouveau/",
            {"code": "I.2", "title": "Nouvel engagement", "description": ""},
            lambda: Commitment.objects.filter(axis=r.axis, code="I.2").exists(),
        ),
        "commitment_delete": (
            f"/schema/{slug}/engagements/{r.commitment.pk}/supprimer/",
            {},
            lambda: not Commitment.objects.filter(pk=r.commitment.pk).exists(),
        ),
        "objective_create": (
            f"/schema/{slug}/engagements/{r.commitment.pk}/objectifs/nouveau/",
            {"text": "Un nouvel objectif", "deadline": ""},
            lambda: Objective.objects.filter(text="Un nouvel objectif").exists(),
        ),
        "objective_edit": (
            f"/schema/{slug}/objectifs/{r.objective.pk}/modifier/",
            {"text": "Objectif révisé", "deadline": "2027-12-31"},
            lambda: Objective.objects.get(pk=r.objective.pk).text == "Objectif révisé",
        ),
        "action_create": (
            f"/schema/{slug}/engagements/{r.commitment.pk}/actions/nouvelle/",
            {
                "title": "Nouvelle action",
                "status": "planned",
                "progress": 0,
                "owner_direction": r.prescribing.pk,
            },
            lambda: Action.objects.filter(title="Nouvelle action").exists(),
        ),
        "action_edit": (
            f"/schema/{slug}/actions/{r.action.pk}/modifier/",
            {
                "title": "Action renommée",
                "status": "in_progress",
                "progress": 50,
                "owner_direction": r.prescribing.pk,
            },
            lambda: Action.objects.get(pk=r.action.pk).title == "Action renommée",
        ),
        "action_delete": (
            f"/schema/{slug}/actions/{r.action.pk}/supprimer/",
            {},
            lambda: not Action.objects.filter(pk=r.action.pk).exists(),
        ),
        "indicator_create": (
            f"/schema/{slug}/engagements/{r.commitment.pk}/indicateurs/nouveau/",
            {
                "code": "S2",
                "name": "Part en valeur",
                "unit": "percent",
                "polarity": "higher",
                "frequency": "yearly",
                "method": "share",
                "params": '{"measure": "amount", "condition": "has_social"}',
            },
            lambda: Indicator.objects.filter(code="S2", params__measure="amount").exists(),
        ),
        "indicator_edit": (
            f"/schema/{slug}/indicateurs/{r.indicator.pk}/modifier/",
            {
                "code": "S1",
                "name": "Intitulé revu",
                "unit": "percent",
                "polarity": "higher",
                "frequency": "yearly",
                "method": "manual",
                "params": "",
            },
            lambda: Indicator.objects.get(pk=r.indicator.pk).name == "Intitulé revu",
        ),
        "indicator_delete": (
            f"/schema/{slug}/indicateurs/{r.indicator.pk}/supprimer/",
            {},
            lambda: not Indicator.objects.filter(pk=r.indicator.pk).exists(),
        ),
        "targets": (
            f"/schema/{slug}/indicateurs/{r.indicator.pk}/cibles/",
            {
                "cibles-TOTAL_FORMS": 5,
                "cibles-INITIAL_FORMS": 5,
                **{f"cibles-{i}-year": 2024 + i for i in range(5)},
                **{f"cibles-{i}-value": "50" for i in range(5)},
            },
            lambda: set(Target.objects.filter(indicator=r.indicator).values_list("value", flat=True)) == {50},
        ),
    }


WRITES = [
    "scheme_edit",
    "axis_create",
    "axis_edit",
    "axis_delete",
    "commitment_create",
    "commitment_delete",
    "objective_create",
    "objective_edit",
    "action_create",
    "action_edit",
    "action_delete",
    "indicator_create",
    "indicator_edit",
    "indicator_delete",
    "targets",
]


@pytest.mark.parametrize("write", WRITES)
def test_pilot_can(client, register, write):
    url, data, effect = _writes(register)[write]
    client.force_login(register.pilot)
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert effect()


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("role", ["prescribing_referent", "resource_referent", "committee_member"])
def test_other_members_are_refused(client, register, write, role):
    url, data, effect = _writes(register)[write]
    client.force_login(getattr(register, role))
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert not effect()


@pytest.mark.parametrize("write", WRITES)
def test_other_organisation_gets_404(client, register, write):
    url, data, effect = _writes(register)[write]
    client.force_login(register.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert not effect()


@pytest.mark.parametrize("write", WRITES)
def test_anonymous_is_sent_to_login(client, register, write):
    url, data, effect = _writes(register)[write]
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")
    assert not effect()


def test_pilot_of_another_organisation_cannot_reach_objects_through_its_own_scheme(client, register):
    other = build_register()
    client.force_login(other.pilot)
    url = f"/schema/{other.scheme.slug}/axes/{register.axis.pk}/modifier/"
    assert client.post(url, {"code": "X", "title": "Piraté"}).status_code == 404
    assert Axis.objects.get(pk=register.axis.pk).title != "Piraté"


# --- Action progress (referents) -------------------------------------------------------------------------


def _progress_url(register, action):
    return f"/schema/{register.scheme.slug}/actions/{action.pk}/avancement/"


def test_referent_updates_progress_of_its_own_direction_action(client, register):
    client.force_login(register.prescribing_referent)
    url = _progress_url(register, register.action)
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "in_progress", "progress": 75, "comment": "Deux sessions faites"})
    assert response.status_code == 302
    register.action.refresh_from_db()
    assert register.action.progress == 75
    latest = register.action.history.first()
    assert latest.history_change_reason == "Deux sessions faites"
    assert latest.history_user == register.prescribing_referent


def test_referent_cannot_change_anything_but_follow_up_fields(client, register):
    client.force_login(register.prescribing_referent)
    url = _progress_url(register, register.action)
    client.post(
        url,
        {
            "status": "done",
            "progress": 100,
            "title": "Titre changé",
            "owner_direction": register.resource.pk,
            "due_date": "2030-01-01",
        },
    )
    register.action.refresh_from_db()
    assert register.action.status == ActionStatus.DONE
    assert register.action.title == "Former les acheteurs"
    assert register.action.owner_direction == register.prescribing


@pytest.mark.parametrize(
    ("role", "action_name"),
    [
        ("prescribing_referent", "resource_action"),
        ("prescribing_referent", "orphan_action"),
        ("resource_referent", "action"),
        ("committee_member", "action"),
    ],
)
def test_progress_refused_outside_own_direction(client, register, role, action_name):
    action = getattr(register, action_name)
    client.force_login(getattr(register, role))
    url = _progress_url(register, action)
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "done", "progress": 100}).status_code == 403
    action.refresh_from_db()
    assert action.progress != 100


def test_resource_referent_updates_its_action(client, register):
    client.force_login(register.resource_referent)
    response = client.post(
        _progress_url(register, register.resource_action), {"status": "in_progress", "progress": 30}
    )
    assert response.status_code == 302
    register.resource_action.refresh_from_db()
    assert register.resource_action.progress == 30


def test_pilot_updates_any_progress(client, register):
    client.force_login(register.pilot)
    response = client.post(
        _progress_url(register, register.orphan_action), {"status": "abandoned", "progress": 0}
    )
    assert response.status_code == 302


def test_progress_other_organisation_404_and_anonymous_login(client, register):
    url = _progress_url(register, register.action)
    assert client.get(url)["Location"].startswith("/connexion/")
    client.force_login(register.outsider)
    assert client.post(url, {"status": "done", "progress": 100}).status_code == 404


def test_tree_shows_progress_link_only_on_own_actions(client, register):
    client.force_login(register.prescribing_referent)
    html = client.get(f"/schema/{register.scheme.slug}/").content.decode()
    assert _progress_url(register, register.action) in html
    assert _progress_url(register, register.resource_action) not in html
    assert "/modifier/" not in html
    assert "Ajouter un axe" not in html


def test_committee_member_reads_the_register(client, register):
    client.force_login(register.committee_member)
    response = client.get(f"/schema/{register.scheme.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Former les acheteurs" in html
    assert "/avancement/" not in html
    assert (
        client.get(f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/").status_code == 200
    )


def test_other_organisation_cannot_read_the_register(client, register):
    client.force_login(register.outsider)
    assert client.get(f"/schema/{register.scheme.slug}/").status_code == 404
    assert (
        client.get(f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/").status_code == 404
    )


def test_anonymous_cannot_read_the_register(client, register):
    response = client.get(f"/schema/{register.scheme.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
