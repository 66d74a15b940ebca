"""`spaser backup` / `spaser restore`: a real round trip on the database the suite runs on (SQLite, or
PostgreSQL through pg_dump/pg_restore on the test database), and the refusals that leave everything as it
was."""

import io
import json
import tarfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from spaser.contracts.models import Contract
from spaser.core import backup
from spaser.core.backup import pg_tools
from spaser.organisations.models import Buyer, Direction, Membership, Organisation
from spaser.schemes.models import Action, Target
from tests.factories import build_register

# Committed data: pg_dump reads the database from another session.
pytestmark = pytest.mark.django_db(transaction=True)

ENGINE = connection.vendor


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def world(settings, data_dir):
    """A register with a historised change, a contract, and files in the media folder and the observatory."""
    world = build_register()
    Buyer.objects.create(organisation=world.organisation, identifier="22930008201453", name="Département")
    Contract.objects.create(
        uid="22930008201453R0001",
        buyer_siret="22930008201453",
        contract_id="R0001",
        object="Nettoyage des collèges",
        cpv="90910000",
        cpv_division="90",
        amount=Decimal("400000.50"),
        notification_date=date(2022, 9, 1),
        notification_year=2022,
        raw={"source": "essai"},
        content_hash="r1",
    )
    world.action.title = "Former tous les acheteurs"
    world.action.save()  # a second history row
    media, observatory = Path(settings.MEDIA_ROOT), data_dir / "observatory"
    write(media / "imports" / "uploads" / "decp-2024.json", b'{"marches": []}')
    write(media / "campaigns" / "1" / "3-justificatif.pdf", bytes(range(256)) * 40)
    write(observatory / "buyers.parquet", b"PAR1 acheteurs")
    write(observatory / "indicators" / "2024.parquet", b"PAR1 indicateurs")
    # Working files, never saved: downloads (fetched again), a lock, an interrupted write.
    write(observatory / "telechargements" / "decp-2025.json", b"gros fichier national")
    write(observatory / ".ingest.lock", b"")
    write(observatory / "indicators" / "2025.parquet.tmp", b"en cours")
    return world


def write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def snapshot(settings) -> dict:
    """What a user would notice: counts, a few values, the history rows, the bytes of every saved file."""
    roots = {"media": Path(settings.MEDIA_ROOT), "observatory": Path(settings.DATA_DIR) / "observatory"}
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Organisation, Direction, Membership, Action, Target, Buyer, Contract)
        },
        "contract": list(Contract.objects.values_list("uid", "object", "amount", "notification_date", "raw")),
        "actions": sorted(Action.objects.values_list("title", "progress")),
        "history": list(
            Action.history.order_by("history_id").values_list("history_id", "history_type", "title")
        ),
        "files": {
            f"{name}/{path.relative_to(root)}": path.read_bytes()
            for name, root in roots.items()
            if root.exists()
            for path in sorted(root.rglob("*"))
            if path.is_file()
        },
    }


def make_archive(tmp_path) -> Path:
    call_command("backup", output=str(tmp_path), stdout=io.StringIO())
    (archive,) = tmp_path.glob("spaser-sauvegarde-*.tar.gz")
    return archive


def rewrite(archive: Path, change) -> Path:
    """A copy of `archive` with `change(name, bytes) -> bytes` applied to every member (manifest included)."""
    with tarfile.open(archive) as source:
        members = [(m.name, source.extractfile(m).read()) for m in source.getmembers()]
    altered = archive.with_name("alteree.tar.gz")
    with tarfile.open(altered, "w:gz") as target:
        for name, content in members:
            content = change(name, content)
            info = tarfile.TarInfo(name)
            info.size = len(content)
            target.addfile(info, io.BytesIO(content))
    return altered


def restore(archive: Path, **options) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out, **options)
    return out.getvalue()


def test_round_trip_gives_back_the_data_the_history_and_the_files(settings, world, tmp_path):
    before = snapshot(settings)
    assert len(before["history"]) >= 2
    archive = make_archive(tmp_path)

    with tarfile.open(archive) as saved:
        names = saved.getnames()
        manifest = json.loads(saved.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert manifest["database"]["engine"] == ENGINE
    assert "organisations.0001_initial" in manifest["migrations"]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(names[1:])
    assert set(listed) == {
        backup.SQLITE_MEMBER if ENGINE == "sqlite" else backup.PG_MEMBER,
        "files/media/imports/uploads/decp-2024.json",
        "files/media/campaigns/1/3-justificatif.pdf",
        "files/observatory/buyers.parquet",
        "files/observatory/indicators/2024.parquet",
    }
    assert listed["files/media/campaigns/1/3-justificatif.pdf"]["size"] == 256 * 40

    # Life goes on: data changed and deleted, files changed, deleted and added.
    Contract.objects.update(object="Objet modifié")
    Target.objects.filter(year=2028).delete()
    world.orphan_action.delete()
    Organisation.objects.filter(pk=world.other_organisation.pk).delete()
    Path(settings.MEDIA_ROOT, "imports", "uploads", "decp-2024.json").write_bytes(b"autre contenu")
    Path(settings.DATA_DIR, "observatory", "buyers.parquet").unlink()
    write(Path(settings.MEDIA_ROOT) / "imports" / "uploads" / "apres.json", b"ajout")
    changed = snapshot(settings)
    assert changed != before

    # A database holding data is not overwritten without --force: nothing changes.
    with pytest.raises(CommandError, match=r"contient déjà des données .*--force"):
        restore(archive)
    assert snapshot(settings) == changed

    said = restore(archive, force=True)
    # Data and files as they were; the working files untouched; the upload added since is gone.
    assert snapshot(settings) == before
    assert "marchés : 1" in said
    assert "4 fichier(s) remis en place" in said
    assert "1 fichier(s) absent(s) de la sauvegarde supprimé(s)" in said
    # Restored data is live data: new rows get new keys (sequences restored too).
    organisation = Organisation.objects.create(name="Nouvelle", slug="nouvelle", siren="200000172")
    older = Organisation.objects.exclude(pk=organisation.pk).values_list("pk", flat=True)
    assert organisation.pk > max(older)


def test_a_damaged_archive_changes_nothing_and_names_the_file(settings, world, tmp_path):
    archive = make_archive(tmp_path)
    Contract.objects.update(object="Après la sauvegarde")
    before = snapshot(settings)

    def flip_a_byte(name, content):
        if name == "files/observatory/buyers.parquet":
            return content[:-1] + b"X"
        return content

    with pytest.raises(CommandError, match=r"« files/observatory/buyers\.parquet » est endommagé"):
        restore(rewrite(archive, flip_a_byte), force=True)
    assert snapshot(settings) == before

    truncated = tmp_path / "tronquee.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match=r"tronquee\.tar\.gz est illisible ou tronquée"):
        restore(truncated, force=True)

    not_ours = tmp_path / "autre.tar.gz"
    with tarfile.open(not_ours, "w:gz") as other:
        other.addfile(tarfile.TarInfo("notes.txt"), io.BytesIO(b""))
    with pytest.raises(CommandError, match=r"n'est pas une sauvegarde Spaser"):
        restore(not_ours, force=True)
    assert snapshot(settings) == before
    assert not list(Path(settings.DATA_DIR).glob(".restauration-*"))  # staging folders cleaned


def test_an_archive_of_the_other_engine_or_a_newer_spaser_is_refused(settings, world, tmp_path):
    archive = make_archive(tmp_path)
    before = snapshot(settings)
    other = "postgresql" if ENGINE == "sqlite" else "sqlite"

    def manifest_change(**changes):
        def change(name, content):
            if name != "manifest.json":
                return content
            manifest = json.loads(content)
            for key, value in changes.items():
                manifest[key] = value(manifest[key])
            return json.dumps(manifest).encode()

        return change

    foreign = rewrite(archive, manifest_change(database=lambda db: {**db, "engine": other}))
    expected = "base PostgreSQL, la base configurée est SQLite" if ENGINE == "sqlite" else "dumpdata"
    with pytest.raises(CommandError, match=expected):
        restore(foreign, force=True)

    newer = rewrite(archive, manifest_change(migrations=lambda ms: [*ms, "contracts.9999_futur"]))
    with pytest.raises(CommandError, match=r"version plus récente de Spaser .*contracts\.9999_futur"):
        restore(newer, force=True)
    assert snapshot(settings) == before


def test_without_postgresql_client_programs_the_error_says_so(settings, world, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(pg_tools, "PG_BIN_GLOB", str(tmp_path / "postgresql" / "*" / "bin"))
    with pytest.raises(backup.BackupError, match=r"Programme « pg_dump » introuvable .*postgresql-client"):
        backup.find_pg_tool("pg_dump")
    output = tmp_path / "sauvegardes"
    output.mkdir()
    if ENGINE == "postgresql":
        with pytest.raises(CommandError, match=r"« pg_dump » introuvable"):
            call_command("backup", output=str(output), stdout=io.StringIO())
        assert not list(output.iterdir())  # not even a partial archive
    else:  # SQLite needs no external program
        call_command("backup", output=str(output), stdout=io.StringIO())
        assert len(list(output.glob("spaser-sauvegarde-*.tar.gz"))) == 1


def test_backup_refuses_to_overwrite_an_existing_file(world, tmp_path):
    existing = tmp_path / "sauvegarde.tar.gz"
    existing.write_bytes(b"ancienne")
    with pytest.raises(CommandError, match=r"existe déjà"):
        call_command("backup", output=str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"ancienne"


def test_restore_into_an_empty_database_needs_no_force(settings, world, tmp_path):
    archive = make_archive(tmp_path)
    before = snapshot(settings)
    call_command("flush", interactive=False, verbosity=0)
    assert Organisation.objects.count() == 0
    restore(archive)
    assert snapshot(settings) == before
