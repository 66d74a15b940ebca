"""Background work of the annual reports (module named `tasks` so that `spaser run_huey` discovers it)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from .models import AnnualReport
from .services import ensure_report_pdf


@db_task(retries=2, retry_delay=10)  # a busy database (an import writing) is retried
def render_report_pdf(report_id: int) -> bool:
    """Render and store the PDF of a published report (queued when it is published)."""
    report = AnnualReport.objects.filter(pk=report_id).first()
    if report is None:
        return False
    ensure_report_pdf(report)
    return True
