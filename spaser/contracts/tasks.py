"""Background DECP imports launched from the upload page.

`launch_decp_import` keeps the uploaded file under MEDIA_ROOT/imports/uploads/ (the batch's source stays
available for audit and for a re-run) and enqueues `import_decp_task`, which runs the same importer service
as `spaser import_decp`. Module named `tasks` so that `spaser run_huey` discovers it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from spaser.contracts.models import ImportBatch
from spaser.contracts.services import import_decp_file
from spaser.core.jobs import JobError, JobOutcome, ProgressReporter, enqueue, job_task
from spaser.core.models import Job
from spaser.decp import DecpError

UPLOAD_DIR = Path("imports") / "uploads"
SUMMARY_COUNTS = ("read", "created", "updated", "unchanged", "duplicates", "quarantined", "warnings")


def upload_storage() -> FileSystemStorage:
    # Built on each call: MEDIA_ROOT is read when the file is saved (tests point it to a temporary folder).
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / UPLOAD_DIR)


def launch_decp_import(
    *, upload: UploadedFile, user, organisation, source_label: str = "", dry_run: bool = False
) -> Job:
    """Save the uploaded file and enqueue its import. Returns the Job (finished already in immediate mode)."""
    original = Path(upload.name).name
    stored = upload_storage().save(f"{timezone.localdate():%Y/%m}/{get_valid_filename(original)}", upload)
    title = f"{'Essai à blanc' if dry_run else 'Import'} du fichier « {original} »"
    return enqueue(
        import_decp_task,
        title=title,
        params={
            "path": upload_storage().path(stored),
            "file_name": original,
            "source_label": source_label,
            "dry_run": dry_run,
            "back": {"label": "Imports", "url": reverse("imports:history")},
        },
        user=user,
        organisation=organisation,
    )


@job_task("import_decp")
def import_decp_task(job: Job, progress: ProgressReporter) -> JobOutcome:
    params = job.params
    try:
        summary = import_decp_file(
            path=params["path"],
            user=job.created_by,
            source_label=params.get("source_label", ""),
            dry_run=params.get("dry_run", False),
            progress=progress,
        )
    except DecpError as error:  # a refused file: the reader's French message names the file and the place
        raise JobError(str(error)) from None
    counts = {name: getattr(summary, name) for name in SUMMARY_COUNTS}
    return JobOutcome(
        counts=counts,
        result={
            "batch": summary.batch,
            "links": _links(summary.batch, counts, dry_run=params.get("dry_run")),
        },
        message=(
            "Essai à blanc : le fichier a été lu et contrôlé, rien n'a été enregistré dans la base des "
            "marchés."
            if params.get("dry_run")
            else "Import terminé : chaque enregistrement lu a un sort dans le rapport."
        ),
    )


def _links(batch_id: int, counts: dict[str, int], *, dry_run: bool) -> list[dict[str, str]]:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    links = []
    if batch is not None and batch.report_file:
        links.append(
            {
                "label": "Télécharger le rapport (CSV : un enregistrement par ligne, son sort, ses motifs)",
                "url": reverse("imports:report", args=[batch_id]),
            }
        )
    if batch is not None and counts.get("quarantined") and not dry_run:
        links.append(
            {
                "label": f"Voir les {counts['quarantined']} enregistrement(s) mis en quarantaine",
                "url": f"{reverse('imports:quarantine')}?lot={batch_id}",
            }
        )
    links.append({"label": "Historique des imports", "url": reverse("imports:history")})
    return links
