"""Background work of governance (module named `tasks` so that `spaser run_huey` discovers it)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from .models import Meeting
from .services import ensure_pack_files


@db_task(retries=2, retry_delay=10)  # a busy database (an import writing) is retried
def render_pack_files(meeting_id: int) -> bool:
    """Render and store the PDF and XLSX of a held meeting frozen without them (the demo's meetings)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return False
    ensure_pack_files(meeting)
    return True
