"""The advice pages: the list, the advice form, read-only views, the manual referral, the deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from spaser.organisations.models import DirectionKind
from spaser.projects.models import Advice, AdviceStatus, ClauseKind, ClauseRecommendation, ReferralRule
from tests.factories import DirectionFactory, MembershipFactory

from .conftest import make_project


@pytest.fixture
def advice(world):
    ReferralRule.objects.create(
        organisation=world.organisation, resource_direction=world.resource, name="Travaux", cpv_prefixes="45"
    )
    return make_project(world).advices.get()


@pytest.fixture
def library(world):
    make = ClauseRecommendation.objects.create
    return {
        "works": make(
            organisation=world.organisation,
            cpv_prefix="45",
            family="Travaux",
            kind=ClauseKind.ENV_CLAUSE,
            title="Chantier à faibles nuisances",
            text="Tri des déchets en sept flux.",
            source="Code de l'environnement",
        ),
        "all": make(
            organisation=world.organisation,
            cpv_prefix="",
            family="Tous les achats",
            kind=ClauseKind.SOURCING,
            title="Sourcing inclusif",
            text="Rencontrer les SIAE.",
        ),
        "food": make(
            organisation=world.organisation,
            cpv_prefix="15",
            family="Alimentation",
            kind=ClauseKind.ENV_CLAUSE,
            title="EGalim",
            text="50 % de produits durables.",
        ),
    }


def form_data(**changes):
    data = {
        "insertion_clause": "",
        "insertion_hours": "",
        "reserved_lot": "",
        "reserved_kind": "",
        "social_criterion": "",
        "env_clause": "",
        "env_criterion": "",
        "env_criterion_weight": "",
        "sme_lots": "",
        "sourcing": "",
        "sourcing_notes": "",
        "comment": "",
        "status": "in_progress",
    }
    data.update(changes)
    return data


def test_advice_page_offers_the_library_clauses_of_the_project_cpv(client, world, advice, library):
    client.force_login(world.resource_referent)
    response = client.get(reverse("projects:advice", args=[advice.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rédiger l'avis" in html
    assert "<legend>Considérations sociales</legend>" in html
    assert "Chantier à faibles nuisances" in html
    assert "Sourcing inclusif" in html
    assert "EGalim" not in html
    assert advice.project.title in html


def test_resource_referent_gives_the_advice_through_the_form(client, world, advice, library):
    client.force_login(world.resource_referent)
    url = reverse("projects:advice", args=[advice.pk])
    response = client.post(
        url,
        form_data(
            insertion_clause="true",
            insertion_hours="800",
            env_criterion="true",
            env_criterion_weight="15",
            sme_lots="false",
            clauses=[str(library["works"].pk)],
            comment="Prévoir 800 heures d'insertion.",
            status="given",
        ),
    )
    assert response.status_code == 302
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.GIVEN
    assert advice.insertion_clause is True
    assert advice.sme_lots is False
    assert advice.reserved_lot is None
    assert advice.env_criterion_weight == 15
    assert list(advice.clauses.all()) == [library["works"]]
    page = client.get(url).content.decode()
    assert "Avis enregistré : rendu." in page
    assert 'value="true" selected' in page  # the form shows what was given


def test_form_errors_are_shown_and_nothing_is_saved(client, world, advice):
    client.force_login(world.resource_referent)
    response = client.post(
        reverse("projects:advice", args=[advice.pk]), form_data(env_criterion_weight="20", status="given")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le formulaire n'a pas été enregistré" in html
    assert "seulement si un critère environnemental est recommandé" in html
    assert "pour rendre l&#x27;avis" in html
    assert Advice.objects.get(pk=advice.pk).status == AdviceStatus.REQUESTED


def test_a_clause_of_another_family_cannot_be_forced_in(client, world, advice, library):
    client.force_login(world.resource_referent)
    response = client.post(
        reverse("projects:advice", args=[advice.pk]),
        form_data(clauses=[str(library["food"].pk)], comment="x", status="given"),
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Advice.objects.get(pk=advice.pk).clauses.exists()


def test_who_reads_and_who_writes(client, world, advice):
    url = reverse("projects:advice", args=[advice.pk])
    other = DirectionFactory(organisation=world.organisation, kind=DirectionKind.RESOURCE)
    other_referent = MembershipFactory(
        organisation=world.organisation, resource_referent=True, direction=other
    ).user
    # The prescribing direction of the project and committee members read it, without a form.
    for user in (world.prescribing_referent, world.committee_member):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        assert "lecture seule" in page.content.decode()
        assert "Rédiger l'avis" not in page.content.decode()
        assert client.post(url, form_data(comment="x", status="given")).status_code == 403
    # A resource referent of another direction does not see the project: 404; a POST is refused too.
    client.force_login(other_referent)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(comment="x", status="given")).status_code == 404
    # Outside the organisation: 404.
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert Advice.objects.get(pk=advice.pk).status == AdviceStatus.REQUESTED


def test_referent_of_another_resource_direction_asked_on_the_same_project_gets_403(client, world, advice):
    other = DirectionFactory(organisation=world.organisation, kind=DirectionKind.RESOURCE)
    other_referent = MembershipFactory(
        organisation=world.organisation, resource_referent=True, direction=other
    ).user
    Advice.objects.create(project=advice.project, resource_direction=other, deadline=timezone.localdate())
    client.force_login(other_referent)
    url = reverse("projects:advice", args=[advice.pk])
    assert client.get(url).status_code == 200  # sees the project, so reads the other advice
    assert client.post(url, form_data(comment="x", status="given")).status_code == 403


def test_list_orders_overdue_first_then_given_and_filters(client, world, advice):
    today = timezone.localdate()
    late = make_project(world, title="Projet en retard").advices.get()
    Advice.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=3))
    given = make_project(world, title="Projet conseillé").advices.get()
    Advice.objects.filter(pk=given.pk).update(status=AdviceStatus.GIVEN, given_at=timezone.now())
    client.force_login(world.resource_referent)
    html = client.get(reverse("projects:advice_list")).content.decode()
    assert html.index("Projet en retard") < html.index("Jean-Moulin") < html.index("Projet conseillé")
    assert "En retard</span>" in html
    assert "<strong>2</strong> avis à rendre" in html
    overdue = client.get(reverse("projects:advice_list"), {"retard": "on"}).content.decode()
    assert "Projet en retard" in overdue
    assert "Projet conseillé" not in overdue
    assert "Jean-Moulin" not in overdue
    given_only = client.get(reverse("projects:advice_list"), {"etat": "given"}).content.decode()
    assert "Projet conseillé" in given_only
    assert "Projet en retard" not in given_only
    quiet = DirectionFactory(organisation=world.organisation, kind=DirectionKind.RESOURCE)
    client.force_login(world.pilot)
    nothing = client.get(reverse("projects:advice_list"), {"direction": quiet.slug}).content.decode()
    assert "Aucun avis ne correspond à ces filtres" in nothing
    unknown = client.get(reverse("projects:advice_list"), {"direction": "inconnue"}).content.decode()
    assert "Sélectionnez un choix valide" in unknown
    assert "Projet en retard" in unknown  # an invalid filter alone is ignored


def test_list_shows_each_member_its_own_advice(client, world, advice):
    other = DirectionFactory(organisation=world.organisation, kind=DirectionKind.RESOURCE)
    other_referent = MembershipFactory(
        organisation=world.organisation, resource_referent=True, direction=other
    ).user
    client.force_login(other_referent)
    html = client.get(reverse("projects:advice_list")).content.decode()
    assert "Jean-Moulin" not in html
    assert "Aucun avis pour l'instant" in html
    client.force_login(world.pilot)
    assert "Jean-Moulin" in client.get(reverse("projects:advice_list")).content.decode()
    client.force_login(world.outsider)
    assert "Jean-Moulin" not in client.get(reverse("projects:advice_list")).content.decode()


def test_list_query_count_does_not_grow_with_the_advice(client, world, advice, django_assert_max_num_queries):
    for n in range(5):
        make_project(world, title=f"Projet {n}")
    client.force_login(world.pilot)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("projects:advice_list")).status_code == 200


def test_pilot_refers_a_project_by_hand(client, world):
    project = make_project(world)
    url = reverse("projects:refer", args=[project.pk])
    client.force_login(world.pilot)
    assert "Demander l'avis" in client.get(url).content.decode()
    deadline = timezone.localdate() + timedelta(days=10)
    response = client.post(
        url, {"direction": world.resource.pk, "deadline": deadline.isoformat(), "required": "on"}
    )
    assert response.status_code == 302
    advice = project.advices.get()
    assert advice.deadline == deadline
    assert advice.rule is None
    # Twice: the French error, nothing duplicated.
    response = client.post(url, {"direction": world.resource.pk, "deadline": ""})
    assert response.status_code == 200
    assert "est déjà demandé sur ce projet" in response.content.decode()
    assert project.advices.count() == 1
    # A prescribing direction cannot be referred to.
    response = client.post(url, {"direction": world.prescribing.pk})
    assert "Choisissez une direction ressource de la liste" in response.content.decode()


def test_only_the_pilot_refers_by_hand(client, world):
    project = make_project(world)
    url = reverse("projects:refer", args=[project.pk])
    client.force_login(world.prescribing_referent)
    assert client.get(url).status_code == 403
    assert client.post(url, {"direction": world.resource.pk}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url, {"direction": world.resource.pk}).status_code == 404
    assert not project.advices.exists()


def test_pilot_changes_the_deadline(client, world, advice):
    url = reverse("projects:advice_deadline", args=[advice.pk])
    new = timezone.localdate() + timedelta(days=30)
    client.force_login(world.resource_referent)
    assert client.post(url, {"deadline": new.isoformat()}).status_code == 403
    client.force_login(world.pilot)
    response = client.post(url, {"deadline": new.isoformat()}, follow=True)
    assert f"Date limite de l&#x27;avis : {new:%d/%m/%Y}" in response.content.decode()
    assert Advice.objects.get(pk=advice.pk).deadline == new
    past = timezone.localdate() - timedelta(days=1)
    response = client.post(url, {"deadline": past.isoformat()}, follow=True)
    assert "ne peut pas être passée" in response.content.decode()
    assert Advice.objects.get(pk=advice.pk).deadline == new
