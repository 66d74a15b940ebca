"""A refused scheme file: every error named with its line and field in French, and nothing written."""

from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from spaser.organisations.models import Buyer, Direction, Membership, Organisation, OrganisationKind, Role
from spaser.schemes.models import Scheme
from spaser.schemes.scheme_file import SchemeFileError
from spaser.schemes.scheme_file_sync import Sync
from spaser.schemes.services import load_scheme_file, scheme_file_export, scheme_file_import

DEMO = Path(__file__).resolve().parents[2] / "spaser" / "demo" / "data" / "seine-saint-denis-2024-2028.yaml"
DEMO_TEXT = DEMO.read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, snippet: str) -> int:
    return text[: text.index(snippet)].count("\n") + 1


def refusal(tmp_path, text: str) -> str:
    path = tmp_path / "schema.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_scheme", str(path))
    return str(excinfo.value)


def snapshot() -> dict[str, int]:
    """Row counts of every register table and its history table."""
    counts = {}
    for label in ("organisations", "schemes", "indicators"):
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model._default_manager.count()
    return counts


@pytest.mark.django_db
def test_all_errors_are_reported_with_line_and_field(tmp_path):
    text = DEMO_TEXT
    text = edit(text, "siren: '229300082'", "siren: '22930008'")
    text = edit(text, "  statut: adopte\n", "  statut: adopté\n  couleur: bleue\n")
    text = edit(text, "direction: voirie", "direction: routes")
    text = edit(text, "avancement: 60", "avancement: 160")
    text = edit(text, "2027: 27, 2028: 30}", "2027: 27, 2031: 30}")
    text = edit(text, "{measure: amount, condition: has_social}", "{measure: amount, condition: sociale}")
    text = edit(text, "- code: S3b", "- code: S3a")
    text = edit(text, "echeance: 2025-06-30", "echeance: 2025-06-31")
    text = edit(text, "unite: heures", "unite: heure")
    text = edit(text, "    titre: Des achats écologiquement responsables\n", "")

    message = refusal(tmp_path, text)

    expected = [
        (
            line_of(text, "siren:"),
            "organisation.siren",
            "le SIREN « 22930008 » doit comporter exactement 9 chiffres",
        ),
        (line_of(text, "statut: adopté"), "schema.statut", "« adopté » n'est pas une valeur possible"),
        (line_of(text, "couleur:"), "schema.couleur", "clé inconnue « couleur »"),
        (
            line_of(text, "avancement: 160"),
            "axes[0].engagements[0].actions[1].avancement",
            "160 est supérieur au maximum 100",
        ),
        (
            line_of(text, "direction: routes"),
            "axes[0].engagements[0].actions[2].direction",
            "direction « routes » inconnue",
        ),
        (
            line_of(text, "2031: 30"),
            "axes[0].engagements[0].indicateurs[0].cibles.2031",
            "l'année 2031 est hors de la période 2024-2028",
        ),
        (
            line_of(text, "condition: sociale"),
            "axes[0].engagements[0].indicateurs[1].parametres",
            "« condition » doit être l'une de",
        ),
        (
            line_of(text, "- code: S3a\n            nom: Part des marchés comportant un critère"),
            "axes[0].engagements[0].indicateurs[3].code",
            "« S3a » est déjà utilisé dans le schéma",
        ),
        (line_of(text, "unite: heure\n"), "axes[0].engagements[0].indicateurs[4].unite", "« heure »"),
        (
            line_of(text, "echeance: 2025-06-31"),
            "axes[0].engagements[1].actions[1].echeance",
            "la date « 2025-06-31 » n'existe pas",
        ),
        (line_of(text, "  - code: II\n"), "axes[1].titre", "champ obligatoire manquant"),
    ]
    assert "refusé, 11 erreurs ; rien n'a été modifié" in message
    for line, path, fragment in expected:
        assert f"ligne {line}, {path} : {fragment}" in message, (line, path, message)
    # A wrong unit must not be taken for a percentage: no spurious "more than 100 %" errors.
    assert "pourcentage ne peut dépasser" not in message


@pytest.mark.parametrize(
    ("old", "new", "path", "fragment"),
    [
        (
            "  edition: 2\n",
            "  edition: 2\n  edition: 3\n",
            "schema.edition",
            "la clé « edition » apparaît deux fois",
        ),
        (
            "periode: {debut: 2024, fin: 2028}",
            "periode: {debut: 2024, fin: 2020}",
            "schema.periode.fin",
            "précède",
        ),
        ("mutualise: false", "mutualise: peut-être", "schema.mutualise", "n'est pas une valeur oui/non"),
        ("date_adoption: 2024-06-27", "date_adoption: 27/06/2024", "schema.date_adoption", "AAAA-MM-JJ"),
        (
            "identifiant: '22930008201453'",
            "identifiant: '22930008201454'",
            "organisation.acheteurs[0]",
            "SIRET",
        ),
        (
            "identifiant: '22930008201453'",
            "identifiant: '21750001600019'",
            "organisation.acheteurs[0]",
            "mutualisé",
        ),
        (
            "- identifiant: nature",
            "- identifiant: voirie",
            "organisation.directions[8].identifiant",
            "déjà utilisé",
        ),
        (
            "type: prescriptrice",
            "type: operationnelle",
            "organisation.directions[3].type",
            "prescriptrice, ressource",
        ),
        (
            "methode: share",
            "methode: ratio",
            "indicateurs[0].methode",
            "méthode de calcul inconnue « ratio »",
        ),
        (
            "methode: manual\n",
            "methode: manual\n            parametres: {measure: count}\n",
            "parametres",
            "manuellement",
        ),
        (
            "valeur: 16}",
            "valeur: 116}",
            "indicateurs[0].reference.valeur",
            "pourcentage ne peut dépasser 100",
        ),
        ("2024: 18, ", "2024: -18, ", "indicateurs[0].cibles.2024", "la valeur -18 est négative"),
        ("2024: 18, ", "2024: 18.123456, ", "indicateurs[0].cibles.2024", "plus de 4 décimales"),
        ("2024: 18, ", "2024: beaucoup, ", "indicateurs[0].cibles.2024", "n'est pas un nombre"),
        ("  - code: I\n", "  - code: II\n", "axes[1].code", "« II » est déjà utilisé"),
        ("axes:\n", "axes: rien\nautres:\n", "axes", "une liste"),
    ],
)
@pytest.mark.django_db
def test_each_kind_of_error_is_refused(old, new, path, fragment):
    text = edit(DEMO_TEXT, old, new)
    with pytest.raises(SchemeFileError) as excinfo:
        scheme_file_import(text=text)
    messages = excinfo.value.messages
    assert any(path in m and fragment in m and m.startswith("ligne ") for m in messages), messages
    assert Scheme.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "fichier : le fichier est vide"),
        ("organisation:\n  nom: [Département\n", "ligne 3 : le fichier n'est pas un YAML valide"),
        ("- un\n- deux\n", "ligne 1 : une table de clés"),
        ("format: 1\n", "ligne 1, organisation : section obligatoire manquante"),
    ],
)
@pytest.mark.django_db
def test_unreadable_files_are_refused_plainly(text, expected):
    with pytest.raises(SchemeFileError) as excinfo:
        scheme_file_import(text=text)
    assert any(m.startswith(expected) for m in excinfo.value.messages), excinfo.value.messages


@pytest.mark.django_db
def test_refused_file_leaves_the_database_unchanged(tmp_path):
    load_scheme_file(DEMO)
    before, exported = snapshot(), scheme_file_export(scheme=Scheme.objects.get())
    assert before["schemes.HistoricalIndicator"] > 0

    text = edit(DEMO_TEXT, "2024: 18, 2025: 21", "2024: 20, 2025: 21")  # a valid change…
    text = edit(text, "avancement: 60", "avancement: 600")  # …and an error: nothing at all is written
    refusal(tmp_path, text)

    assert snapshot() == before
    assert scheme_file_export(scheme=Scheme.objects.get()) == exported


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_everything_back(monkeypatch):
    load_scheme_file(DEMO)
    before = snapshot()

    def explode(self, indicator, targets):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(Sync, "apply_targets", explode)
    with pytest.raises(RuntimeError):
        scheme_file_import(text=edit(DEMO_TEXT, "titre: Des achats socialement", "titre: Achats socialement"))
    assert snapshot() == before


@pytest.mark.django_db
def test_a_direction_still_in_use_cannot_disappear(tmp_path):
    load_scheme_file(DEMO)
    user = get_user_model().objects.create_user("referente", password="motdepasse-solide")
    organisation = Organisation.objects.get()
    Membership.objects.create(
        user=user,
        organisation=organisation,
        role=Role.PRESCRIBING_REFERENT,
        direction=Direction.objects.get(slug="social"),
    )
    before = snapshot()
    text = edit(
        DEMO_TEXT,
        "    - identifiant: social\n"
        "      nom: Direction de l'action sociale et de la solidarité\n"
        "      sigle: DASS\n"
        "      type: prescriptrice\n",
        "",
    )
    text = text.replace("direction: social", "direction: dieess")
    message = refusal(tmp_path, text)
    line = line_of(text, "    - identifiant: dcap")
    assert (
        f"ligne {line}, organisation.directions : la direction « social » a disparu du fichier "
        "mais sert encore (1 rôle d'un utilisateur)"
    ) in message
    assert snapshot() == before


@pytest.mark.django_db
def test_identifiers_owned_by_another_organisation_are_refused():
    other = Organisation.objects.create(
        name="Ville de Paris", slug="seine-saint-denis", siren="217500016", kind=OrganisationKind.COMMUNE
    )
    Buyer.objects.create(organisation=other, identifier="22930008201453", name="Erreur de saisie")
    Scheme.objects.create(
        organisation=other,
        slug="seine-saint-denis-2024-2028",
        title="Autre",
        period_start=2024,
        period_end=2028,
    )
    with pytest.raises(SchemeFileError) as excinfo:
        scheme_file_import(text=DEMO_TEXT)
    messages = "\n".join(excinfo.value.messages)
    assert (
        "organisation.identifiant : l'identifiant « seine-saint-denis » est déjà pris par Ville de Paris"
        in messages
    )
    assert "organisation.acheteurs[0].identifiant : l'acheteur 22930008201453 appartient déjà" in messages
    assert "schema.identifiant : le schéma « seine-saint-denis-2024-2028 » appartient déjà" in messages
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_dry_run_checks_without_writing(tmp_path):
    path = tmp_path / "schema.yaml"
    path.write_text(DEMO_TEXT, encoding="utf-8")
    out = StringIO()
    call_command("import_scheme", str(path), "--dry-run", stdout=out)
    assert "Le fichier est valide ; rien n'a été modifié" in out.getvalue()
    assert Scheme.objects.count() == 0


def test_status_thresholds_out_of_order_are_refused(tmp_path, db):
    text = edit(
        DEMO_TEXT,
        "  periode: {debut: 2024, fin: 2028}\n",
        "  periode: {debut: 2024, fin: 2028}\n  seuils_statut: {en_bonne_voie: 0.95, a_surveiller: 0.97}\n",
    )
    path = tmp_path / "seuils.yaml"
    path.write_text(text, encoding="utf-8")
    expected = r"schema\.seuils_statut\.a_surveiller : le seuil « à surveiller » \(0\.97\) dépasse"
    with pytest.raises(CommandError, match=expected):
        call_command("import_scheme", str(path))
    assert not Scheme.objects.exists()
