"""Inclusive-supplier lists: which suppliers get the SIAE / EA / ESAT flag, and which rows are refused."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from spaser.suppliers.models import InclusiveSupplier, Supplier
from spaser.suppliers.services import import_inclusive_list

from .helpers import CDRP, FIXTURES, SAGA, SPIE, supplier

pytestmark = pytest.mark.django_db
SIAE = FIXTURES / "siae_conventions_extrait.csv"
EA_ESAT = FIXTURES / "ea_esat.csv"


def test_siae_list_flags_suppliers_by_siret_then_by_siren():
    same_siret = supplier("30772177900238", "Entreprise d'insertion")
    other_establishment = supplier("30772177900188")  # same SIREN 307721779, another establishment
    unrelated = supplier(SPIE)

    summary = import_inclusive_list(path=SIAE, source="ASP 2020", list_date=date(2020, 12, 18))

    assert (summary.rows, summary.imported, summary.inactive) == (18, 15, 1)
    assert [line for line, _reason in summary.refused] == [17, 18]
    assert "SIRET « 1234567890123 » invalide" in summary.refused[0][1]
    assert "GEIQ" in summary.refused[1][1]
    same_siret.refresh_from_db()
    other_establishment.refresh_from_db()
    unrelated.refresh_from_db()
    assert (same_siret.inclusive_kind, same_siret.inclusive_source) == ("EI", "ASP 2020 (par SIRET)")
    assert same_siret.inclusive_list_date == date(2020, 12, 18)
    assert (other_establishment.inclusive_kind, other_establishment.inclusive_source) == (
        "EI",
        "ASP 2020 (par SIREN)",
    )
    assert unrelated.inclusive_kind == ""
    assert Supplier.objects.siae().count() == 2


def test_simple_ea_esat_layout_with_forced_kind_and_spaces_in_sirets():
    cdrp, saga = supplier(CDRP), supplier(SAGA)
    summary = import_inclusive_list(path=EA_ESAT, kind="auto", source="DREETS IDF")
    cdrp.refresh_from_db()
    saga.refresh_from_db()
    assert (cdrp.inclusive_kind, saga.inclusive_kind) == ("EA", "ESAT")
    assert summary.refused == [(4, "SIRET « 55206982500025 » invalide (14 chiffres, clé de contrôle)")]

    forced = import_inclusive_list(path=EA_ESAT, kind="EA", source="EA seulement")
    assert forced.refused[0] == (3, "type « ESAT » contraire au type demandé (EA)")


def test_a_new_version_of_a_list_replaces_the_old_one_and_removes_flags(tmp_path):
    cdrp = supplier(CDRP)
    import_inclusive_list(path=EA_ESAT, source="DREETS IDF")
    newer = tmp_path / "ea_2025.csv"
    newer.write_text("SIRET;Type\n45388717600049;ESAT\n", encoding="utf-8")

    summary = import_inclusive_list(path=newer, source="DREETS IDF")

    assert summary.removed == 1
    cdrp.refresh_from_db()
    assert cdrp.inclusive_kind == ""
    assert cdrp.inclusive_source == ""
    assert InclusiveSupplier.objects.filter(source="DREETS IDF").count() == 1


def test_command_lists_refused_rows_and_rejects_a_file_without_siret(tmp_path, capsys):
    call_command("import_inclusive_list", str(SIAE), "--kind", "SIAE", "--date", "2020-12-18")
    out = capsys.readouterr().out
    assert "15 structure(s) importée(s), 1 inactive(s) ignorée(s), 2 ligne(s) refusée(s)" in out
    assert "ligne 17 : SIRET « 1234567890123 » invalide" in out

    no_siret = tmp_path / "liste.csv"
    no_siret.write_text("nom;type\nAtelier;EA\n", encoding="utf-8")
    with pytest.raises(CommandError, match="colonne « siret » absente"):
        call_command("import_inclusive_list", str(no_siret))
    with pytest.raises(CommandError, match="Date « 2020-13-01 » invalide"):
        call_command("import_inclusive_list", str(SIAE), "--date", "2020-13-01")
