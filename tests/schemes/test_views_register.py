"""Register pages: what a member sees, what the pilot edits, and the French messages on bad input."""

import re
from decimal import Decimal

import pytest

from spaser.schemes.models import Action, Axis, Indicator, Scheme, SchemeStatus, Target
from tests.factories import AxisFactory, IndicatorFactory, SchemeFactory, build_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return build_register()


@pytest.fixture
def pilot_client(client, register):
    client.force_login(register.pilot)
    return client


def assert_accessible_page(html: str) -> None:
    assert '<html lang="fr">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert 'href="#contenu"' in html
    assert '<main id="contenu"' in html
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        assert "<caption" in table
        assert 'scope="col"' in table


def test_index_redirects_to_current_scheme(pilot_client, register):
    response = pilot_client.get("/schema/")
    assert response.status_code == 302
    assert response["Location"] == f"/schema/{register.scheme.slug}/"


def test_index_without_scheme_invites_the_pilot_to_create(client):
    member = build_register()
    Scheme.objects.all().delete()
    client.force_login(member.pilot)
    html = client.get("/schema/").content.decode()
    assert "Créer le schéma" in html


def test_tree_shows_the_whole_register(pilot_client, register):
    register.scheme.note = "Modèle à adapter par le Département."
    register.scheme.save()
    response = pilot_client.get(f"/schema/{register.scheme.slug}/")
    html = response.content.decode()
    assert_accessible_page(html)
    assert "Modèle à adapter par le Département." in html
    assert "Des achats socialement responsables" in html
    assert "Développer l&#x27;insertion par l&#x27;achat" in html
    assert "Atteindre 30 % de marchés" in html
    assert "Former les acheteurs" in html
    assert "40 %" in html  # progress written as text, not only as a bar
    assert "DV" in html  # owner direction
    assert "30/06/2026" in html
    assert "Cibles annuelles de l'indicateur S1" in html
    assert "22,5" in html  # targets in French decimals
    assert "18,7 %" in html  # baseline
    assert "en nombre" in html  # method in French words


def test_tree_query_count_does_not_grow_with_the_register(
    pilot_client, register, django_assert_max_num_queries
):
    for n in range(5):
        axis = AxisFactory(scheme=register.scheme)
        IndicatorFactory(commitment__axis=axis, code=f"X{n}")
    with django_assert_max_num_queries(20):
        pilot_client.get(f"/schema/{register.scheme.slug}/")


def test_indicator_detail_in_french_words(pilot_client, register):
    html = pilot_client.get(
        f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/"
    ).content.decode()
    assert_accessible_page(html)
    assert "Part des marchés remplissant une condition" in html
    assert "marchés avec au moins une considération sociale" in html
    assert "Marchés publiés dans les DECP" in html  # perimeter
    assert "DECP" in html
    assert "Délégation à la transition écologique" in html
    assert '<th scope="row">2028</th>' in html


def test_a_detailed_condition_is_put_into_words(pilot_client, register):
    indicator = register.indicator
    indicator.params = {
        "measure": "amount",
        "condition": {"any": [{"supplier": "inclusive"}, {"field": "procedure", "in": ["Marché réservé"]}]},
        "base": {"field": "amount", "min": 50000},
    }
    indicator.save()
    html = pilot_client.get(f"/schema/{register.scheme.slug}/indicateurs/{indicator.pk}/").content.decode()
    assert "marchés avec un titulaire inclusif (SIAE, EA, ESAT) ou procédure : Marché réservé" in html
    assert "montant initial ≥ 50000" in html


def test_pilot_creates_an_axis_with_a_success_message(pilot_client, register):
    response = pilot_client.post(
        f"/schema/{register.scheme.slug}/axes/nouveau/", {"code": "II", "title": "Écologie"}, follow=True
    )
    html = response.content.decode()
    assert "L&#x27;axe « II — Écologie » a été créé." in html
    axis = Axis.objects.get(scheme=register.scheme, code="II")
    assert axis.position > register.axis.position  # placed last


def test_duplicate_axis_code_is_refused_in_french(pilot_client, register):
    response = pilot_client.post(
        f"/schema/{register.scheme.slug}/axes/nouveau/", {"code": "I", "title": "Doublon"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le numéro « I » est déjà celui d&#x27;un autre axe de ce schéma." in html
    assert 'href="#id_code"' in html  # the error summary links to the field
    assert 'aria-invalid="true"' in html
    assert "<title>Erreur : " in html
    assert Axis.objects.filter(scheme=register.scheme).count() == 1


def test_duplicate_indicator_code_in_the_scheme_is_refused(pilot_client, register):
    other_commitment = AxisFactory(scheme=register.scheme, code="II").commitments.create(
        code="II.1", title="x"
    )
    response = pilot_client.post(
        f"/schema/{register.scheme.slug}/engagements/{other_commitment.pk}/indicateurs/nouveau/",
        {"code": "s1", "name": "Doublon", "unit": "percent", "polarity": "higher", "frequency": "yearly",
         "method": "manual", "params": ""},
    )  # fmt: skip
    assert (
        "Le code « s1 » est déjà celui d&#x27;un autre indicateur de ce schéma." in response.content.decode()
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ('{"measure": "total", "condition": "has_social"}', "« measure » doit valoir « count »"),
        ('{"measure": "count", "condition": "bio"}', "« condition » doit être l&#x27;une de"),
        ('{"measure": "count", "condition": "has_social", "color": 1}', "paramètre inconnu : color"),
        ("{measure: count}", "JSON valide"),
    ],
)
def test_invalid_method_parameters_are_named(pilot_client, register, params, message):
    response = pilot_client.post(
        f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/modifier/",
        {"code": "S1", "name": "S1", "unit": "percent", "polarity": "higher", "frequency": "yearly",
         "method": "share", "params": params},
    )  # fmt: skip
    assert response.status_code == 200
    assert message in response.content.decode()


def test_manual_method_refuses_parameters(pilot_client, register):
    response = pilot_client.post(
        f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/modifier/",
        {"code": "S1", "name": "S1", "unit": "percent", "polarity": "higher", "frequency": "yearly",
         "method": "manual", "params": '{"measure": "count"}'},
    )  # fmt: skip
    assert "un indicateur saisi manuellement n&#x27;a pas de paramètres" in response.content.decode()


@pytest.mark.parametrize(
    ("progress", "status", "message"),
    [
        ("150", "in_progress", "L&#x27;avancement doit être un nombre entier compris entre 0 et 100 %."),
        ("-5", "in_progress", "L&#x27;avancement doit être un nombre entier compris entre 0 et 100 %."),
        ("80", "done", "Une action « Réalisée » est avancée à 100 %"),
    ],
)
def test_progress_validation(pilot_client, register, progress, status, message):
    for url, extra in [
        (f"/schema/{register.scheme.slug}/actions/{register.action.pk}/modifier/", {"title": "Former"}),
        (f"/schema/{register.scheme.slug}/actions/{register.action.pk}/avancement/", {}),
    ]:
        response = pilot_client.post(url, {"status": status, "progress": progress, **extra})
        assert response.status_code == 200
        assert message in response.content.decode()
    register.action.refresh_from_db()
    assert register.action.progress == 40


def test_scheme_period_must_be_ordered(pilot_client, register):
    response = pilot_client.post(
        f"/schema/{register.scheme.slug}/modifier/",
        {"title": "SPASER", "slug": register.scheme.slug, "status": "draft", "period_start": 2028,
         "period_end": 2024, "edition": 1},
    )  # fmt: skip
    assert "La dernière année (2024) doit être égale ou postérieure à la première année (2028)." in (
        response.content.decode()
    )


def test_scheme_period_cannot_drop_years_that_have_targets(pilot_client, register):
    response = pilot_client.post(
        f"/schema/{register.scheme.slug}/modifier/",
        {"title": "SPASER", "slug": register.scheme.slug, "status": "draft", "period_start": 2024,
         "period_end": 2026, "edition": 1},
    )  # fmt: skip
    assert "Des cibles existent pour des années hors de la période 2024-2026 (2027, 2028)" in (
        response.content.decode()
    )
    register.scheme.refresh_from_db()
    assert register.scheme.period_end == 2028


def test_adopted_scheme_needs_an_adoption_date(pilot_client, register):
    response = pilot_client.post(
        f"/schema/{register.scheme.slug}/modifier/",
        {"title": "SPASER", "slug": register.scheme.slug, "status": "adopted", "period_start": 2024,
         "period_end": 2028, "edition": 1, "adoption_date": ""},
    )  # fmt: skip
    assert "Indiquez la date d&#x27;adoption d&#x27;un schéma adopté." in response.content.decode()


def test_pilot_creates_a_new_scheme(pilot_client, register):
    response = pilot_client.post(
        "/schema/nouveau/",
        {"title": "SPASER 2029-2033", "slug": "spaser-2029", "status": "draft", "period_start": 2029,
         "period_end": 2033, "edition": 3},
    )  # fmt: skip
    assert response.status_code == 302
    assert Scheme.objects.get(slug="spaser-2029").organisation == register.organisation


def test_scheme_creation_refused_to_referents(client, register):
    client.force_login(register.prescribing_referent)
    assert client.get("/schema/nouveau/").status_code == 403


def test_targets_formset_creates_updates_and_deletes(pilot_client, register):
    url = f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/cibles/"
    html = pilot_client.get(url).content.decode()
    assert_accessible_page(html)
    assert 'value="22,5"' in html
    data = {"cibles-TOTAL_FORMS": 5, "cibles-INITIAL_FORMS": 5}
    values = ["20", "23,5", "", "27,5", "30"]
    for i, value in enumerate(values):
        data[f"cibles-{i}-year"] = 2024 + i
        data[f"cibles-{i}-value"] = value
    response = pilot_client.post(url, data, follow=True)
    assert "1 modifiée(s), 1 supprimée(s)" in response.content.decode()
    targets = dict(Target.objects.filter(indicator=register.indicator).values_list("year", "value"))
    assert targets == {2024: Decimal("20"), 2025: Decimal("23.5"), 2027: Decimal("27.5"), 2028: Decimal("30")}


def test_target_year_outside_the_period_is_refused(pilot_client, register):
    url = f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/cibles/"
    data = {"cibles-TOTAL_FORMS": 1, "cibles-INITIAL_FORMS": 1, "cibles-0-year": 2031, "cibles-0-value": "50"}
    response = pilot_client.post(url, data)
    assert "L&#x27;année 2031 est hors de la période du schéma (2024-2028)" in response.content.decode()
    assert not Target.objects.filter(year=2031).exists()


def test_target_value_must_be_a_number(pilot_client, register):
    url = f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/cibles/"
    data = {
        "cibles-TOTAL_FORMS": 1,
        "cibles-INITIAL_FORMS": 1,
        "cibles-0-year": 2024,
        "cibles-0-value": "trente",
    }
    html = pilot_client.post(url, data).content.decode()
    assert "Saisissez un nombre, par exemple 30 ou 30,5." in html
    assert 'href="#id_cibles-0-value"' in html


def test_duplicate_target_years_are_refused(pilot_client, register):
    url = f"/schema/{register.scheme.slug}/indicateurs/{register.indicator.pk}/cibles/"
    data = {"cibles-TOTAL_FORMS": 2, "cibles-INITIAL_FORMS": 2, "cibles-0-year": 2024, "cibles-0-value": "1",
            "cibles-1-year": 2024, "cibles-1-value": "2"}  # fmt: skip
    assert "Une seule cible par année" in pilot_client.post(url, data).content.decode()


def test_delete_asks_for_confirmation_then_deletes(pilot_client, register):
    url = f"/schema/{register.scheme.slug}/engagements/{register.commitment.pk}/supprimer/"
    html = pilot_client.get(url).content.decode()
    assert_accessible_page(html)
    assert "Cette suppression est définitive." in html
    assert "3 actions" in html
    assert "1 indicateur" in html
    assert "5 cibles" in html
    assert Action.objects.filter(commitment=register.commitment).count() == 3  # GET changes nothing
    response = pilot_client.post(url, follow=True)
    assert "a été supprimé." in response.content.decode()
    assert not Indicator.objects.filter(pk=register.indicator.pk).exists()


def test_action_form_only_offers_directions_of_the_organisation(pilot_client, register):
    other = build_register()
    url = f"/schema/{register.scheme.slug}/actions/{register.action.pk}/modifier/"
    html = pilot_client.get(url).content.decode()
    assert "Direction de la voirie" in html
    response = pilot_client.post(
        url, {"title": "x", "status": "planned", "progress": 0, "owner_direction": other.prescribing.pk}
    )
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_csrf_is_enforced_on_register_writes(register):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(register.pilot)
    url = f"/schema/{register.scheme.slug}/axes/nouveau/"
    assert client.post(url, {"code": "II", "title": "Sans jeton"}).status_code == 403
    client.get(url)
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"code": "II", "title": "Avec jeton", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Axis.objects.filter(title="Avec jeton").exists()


# --- Public pages ----------------------------------------------------------------------------------------


def test_public_page_without_login(client, register):
    register.organisation.siren = "229300082"
    register.organisation.save()
    response = client.get(f"/public/{register.scheme.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert "229 300 082" in html
    assert "Département" in html
    assert "Plus de 200 000 habitants" in html
    assert "Plus de 200 M€ HT" in html
    assert "2024-2028" in html
    assert "2e édition" in html
    assert "21 mars 2024" in html
    assert "https://example.org/spaser" in html
    assert "<dt>Schéma mutualisé</dt><dd>Non</dd>" in html
    assert "Des achats socialement responsables" in html
    assert "Développer l&#x27;insertion par l&#x27;achat" in html
    assert "noindex" not in html
    assert "Former les acheteurs" not in html  # the internal register stays internal
    assert "Données de démonstration" not in html


def test_public_page_shows_demo_banner(client):
    register = build_register(is_demo=True)
    assert "Données de démonstration" in client.get(f"/public/{register.scheme.slug}/").content.decode()


def test_draft_is_not_public(client):
    draft = SchemeFactory(status=SchemeStatus.DRAFT, adoption_date=None)
    assert client.get(f"/public/{draft.slug}/").status_code == 404
    assert draft.title not in client.get("/public/").content.decode()


def test_archived_scheme_is_shown_with_a_notice(client, register):
    archived = SchemeFactory(
        organisation=register.organisation, status=SchemeStatus.ARCHIVED, period_start=2018, period_end=2022,
        title="SPASER 2018-2022", edition=1,
    )  # fmt: skip
    html = client.get(f"/public/{archived.slug}/").content.decode()
    assert "Schéma archivé" in html
    assert f"/public/{register.scheme.slug}/" in html


def test_public_index_lists_adopted_schemes(client, register):
    SchemeFactory(status=SchemeStatus.ARCHIVED, title="Ancien schéma")
    response = client.get("/public/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert f"/public/{register.scheme.slug}/" in html
    assert "Ancien schéma" not in html
