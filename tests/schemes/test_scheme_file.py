"""The scheme file: the demo round-trips exactly, the commands answer in French, edits update in place."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from spaser.organisations.models import Buyer, Direction, Organisation
from spaser.schemes import scheme_file
from spaser.schemes.models import Action, Axis, Commitment, Indicator, Objective, Scheme, Target
from spaser.schemes.scheme_file_values import CONVERTERS
from spaser.schemes.scheme_file_writer import dump_yaml, file_value
from spaser.schemes.services import load_scheme_file, scheme_file_export, scheme_file_import

DEMO = Path(__file__).resolve().parents[2] / "spaser" / "demo" / "data" / "seine-saint-denis-2024-2028.yaml"
DEMO_TEXT = DEMO.read_text(encoding="utf-8")


def export_current() -> str:
    return scheme_file_export(scheme=Scheme.objects.get())


@pytest.mark.django_db
def test_demo_file_round_trips_byte_for_byte():
    load_scheme_file(DEMO)
    first = export_current()
    assert first == DEMO_TEXT

    scheme_file_import(text=first)
    assert export_current() == DEMO_TEXT


@pytest.mark.django_db
def test_demo_scheme_is_the_seine_saint_denis_template():
    result = load_scheme_file(DEMO)
    scheme = result.scheme
    organisation = scheme.organisation
    assert (organisation.siren, organisation.kind, organisation.is_demo) == ("229300082", "departement", True)
    assert (organisation.population_band, organisation.purchase_volume_band) == ("gt200k", "gt200m")
    assert list(organisation.buyers.values_list("identifier", flat=True)) == ["22930008201453"]
    assert set(organisation.directions.resource().values_list("slug", flat=True)) == {
        "dter",
        "dieess",
        "dcap",
    }
    assert set(organisation.directions.prescribing().values_list("slug", flat=True)) == {
        "batiments",
        "voirie",
        "colleges",
        "nature",
        "social",
        "numerique",
    }
    assert (scheme.period_start, scheme.period_end, scheme.edition, scheme.mutualised) == (
        2024,
        2028,
        2,
        False,
    )
    assert (scheme.status, scheme.adoption_date.year) == ("adopted", 2024)
    assert "modèle" in scheme.note
    assert "illustrative" in scheme.note
    assert list(scheme.axes.values_list("code", flat=True)) == ["I", "II", "III", "T"]

    indicators = {indicator.code: indicator for indicator in scheme.indicators()}
    assert indicators["S1"].params == {"measure": "count", "condition": "has_social"}
    assert indicators["S2"].params == {"measure": "amount", "condition": "has_social"}
    assert indicators["E1"].params == {"measure": "count", "condition": "has_environmental"}
    assert indicators["E2"].params == {"measure": "amount", "condition": "has_environmental"}
    assert (indicators["C5"].polarity, indicators["C5"].unit) == ("lower", "days")
    assert indicators["S1"].targets.get(year=2028).value == 30
    assert indicators["E1"].targets.get(year=2028).value == 100
    for indicator in indicators.values():
        assert indicator.targets.exists(), indicator.code
        assert all(2024 <= year <= 2028 for year in indicator.targets.values_list("year", flat=True))
    assert Action.objects.filter(owner_direction__isnull=True).count() == 0


@pytest.mark.django_db
def test_export_command_writes_the_file_and_import_command_summarises(tmp_path):
    out = StringIO()
    call_command("import_scheme", str(DEMO), stdout=out)
    summary = out.getvalue().strip()
    assert summary.startswith("Schéma « SPASER 2024-2028 du Département de la Seine-Saint-Denis » créé")
    assert f"{Axis.objects.count()} axes, {Commitment.objects.count()} engagements" in summary
    assert f"{Indicator.objects.count()} indicateurs, {Target.objects.count()} cibles" in summary

    target = tmp_path / "schema.yaml"
    call_command("export_scheme", str(target), stdout=StringIO())
    assert target.read_text(encoding="utf-8") == DEMO_TEXT

    stdout = StringIO()
    call_command("export_scheme", "-", "--scheme", "seine-saint-denis-2024-2028", stdout=stdout)
    assert stdout.getvalue() == DEMO_TEXT


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing():
    load_scheme_file(DEMO)
    result = scheme_file_import(text=DEMO_TEXT)
    assert not result.created
    assert result.changes == {"created": 0, "updated": 0, "deleted": 0}
    assert "mis à jour" in result.summary()


@pytest.mark.django_db
def test_edited_file_updates_in_place_and_keeps_indicator_keys():
    load_scheme_file(DEMO)
    before = dict(Indicator.objects.values_list("code", "pk"))
    s1 = Indicator.objects.get(code="S1")
    s1_target_pk = s1.targets.get(year=2028).pk

    edited = (
        DEMO_TEXT.replace(
            "cibles: {2024: 18, 2025: 21, 2026: 24, 2027: 27, 2028: 30}",
            "cibles: {2024: 18, 2025: 21, 2026: 24, 2027: 27, 2028: 32.5}",
        )
        .replace("nom: Part des marchés innovants", "nom: Part des marchés innovants (achats innovants)")
        .replace("  - code: T\n", "  - code: X\n", 1)  # the transversal axis gets a new code
    )
    result = scheme_file_import(text=edited)

    assert not result.created
    after = dict(Indicator.objects.values_list("code", "pk"))
    assert after == before  # every indicator, even those of the re-coded axis, keeps its primary key
    s1.refresh_from_db()
    assert s1.targets.get(year=2028).value == Decimal("32.5")
    assert s1.targets.get(year=2028).pk == s1_target_pk
    assert Indicator.objects.get(code="C7").name == "Part des marchés innovants (achats innovants)"
    assert list(Axis.objects.values_list("code", flat=True)) == ["I", "II", "III", "X"]
    assert "2028: 32.5}" in export_current()


@pytest.mark.django_db
def test_things_removed_from_the_file_are_deleted():
    load_scheme_file(DEMO)
    objectives, actions = Objective.objects.count(), Action.objects.count()
    edited = DEMO_TEXT.replace(
        "          - titre: Justifier systématiquement le non-allotissement dans le rapport de présentation\n"
        "            direction: dcap\n"
        "            echeance: 2024-12-31\n"
        "            statut: realisee\n"
        "            avancement: 100\n",
        "",
    )
    assert edited != DEMO_TEXT
    cut = edited.index("          - code: C8\n")
    end = edited.index("      - code: III.2\n")
    edited = edited[:cut] + edited[end:]
    scheme_file_import(text=edited)

    assert Action.objects.count() == actions - 1
    assert Objective.objects.count() == objectives
    assert not Indicator.objects.filter(code="C8").exists()
    assert not Action.objects.filter(title__startswith="Justifier systématiquement").exists()
    assert export_current() == edited


@pytest.mark.django_db
def test_imports_write_history_rows_with_a_reason():
    load_scheme_file(DEMO)
    s1 = Indicator.objects.get(code="S1")
    assert s1.history.count() == 1
    assert s1.history.first().history_type == "+"
    assert s1.history.first().history_change_reason == scheme_file.CHANGE_REASON

    scheme_file_import(text=DEMO_TEXT.replace("2027: 27, 2028: 30}", "2027: 27, 2028: 31}", 1))
    target = s1.targets.get(year=2028)
    assert [h.history_type for h in target.history.order_by("history_id")] == ["+", "~"]
    assert target.history.latest("history_id").value == 31
    assert s1.history.count() == 1  # the indicator itself did not change: no noise in its history

    removed = DEMO_TEXT.replace(
        "cibles: {2024: 18, 2025: 21, 2026: 24, 2027: 27, 2028: 30}", "cibles: {2024: 18}"
    )
    scheme_file_import(text=removed)
    assert Target.history.filter(indicator_id=s1.pk, year=2028).latest("history_id").history_type == "-"


@pytest.mark.django_db
def test_values_keep_their_exact_spelling():
    load_scheme_file(DEMO)
    tricky = DEMO_TEXT.replace("  - code: T\n", "  - code: '1.10'\n", 1).replace("sigle: DVD", "sigle: 'NO'")
    tricky = tricky.replace(
        "    titre: Sobriété et pilotage\n",
        "    titre: Sobriété et pilotage\n    description: |-\n      Première ligne : « citée »\n\n"
        "      # pas un commentaire\n",
        1,
    )
    tricky = tricky.replace(
        "    description: Axe transversal. Acheter le juste besoin, mettre fin aux reconductions "
        "systématiques, et piloter le schéma avec les directions et les directions ressources.\n",
        "",
    )
    scheme_file_import(text=tricky)
    axis = Axis.objects.get(code="1.10")
    assert axis.description == "Première ligne : « citée »\n\n# pas un commentaire"
    assert Direction.objects.get(slug="voirie").short_name == "NO"
    assert export_current() == tricky


def test_the_format_covers_every_register_field():
    """A field added to a model must be added to the file format, or it would not round-trip."""

    def attrs(entity):
        found = set()
        for item in entity.items:
            if isinstance(item, scheme_file.Field):
                found.add(item.attr)
            elif isinstance(item, scheme_file.Group):
                found.update(sub.attr for sub in item.fields)
        return found

    structural = {"id", "position", "organisation", "scheme", "axis", "commitment", "indicator"}
    structural.add("data_stamp")  # the version of an organisation's data (cache key), not register data
    expected = [
        (scheme_file.ORGANISATION, Organisation),
        (scheme_file.BUYER, Buyer),
        (scheme_file.DIRECTION, Direction),
        (scheme_file.SCHEME, Scheme),
        (scheme_file.AXIS, Axis),
        (scheme_file.COMMITMENT, Commitment),
        (scheme_file.OBJECTIVE, Objective),
        (scheme_file.ACTION, Action),
        (scheme_file.INDICATOR, Indicator),
    ]
    for entity, model in expected:
        fields = {f.name for f in model._meta.concrete_fields} - structural
        assert fields <= attrs(entity), (model.__name__, fields - attrs(entity))
    assert {f.name for f in Target._meta.concrete_fields} == {"id", "indicator", "year", "value"}


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_any_text_survives_the_file(text):
    """Whatever a pilot typed in a form comes back unchanged from the file (Windows line ends aside)."""
    for spec in (
        scheme_file.Field("description", "description", "multiline"),
        scheme_file.Field("titre", "title", "text"),
    ):
        if spec.kind == "text" and "\n" in text:
            continue
        dumped = dump_yaml({spec.key: file_value(spec, text)})
        node = yaml.compose(dumped, Loader=yaml.SafeLoader).value[0][1]
        read = CONVERTERS[spec.kind](node.value, spec) if node.tag != "tag:yaml.org,2002:null" else ""
        assert read == text.replace("\r\n", "\n"), dumped


@pytest.mark.django_db
def test_the_documented_example_is_a_valid_file():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "scheme-file.md").read_text(encoding="utf-8")
    example = doc.split("## Extrait\n\n```yaml\n", 1)[1].split("```", 1)[0]
    result = scheme_file_import(text=example)
    assert (result.axes, result.commitments, result.indicators, result.targets) == (1, 1, 1, 5)
