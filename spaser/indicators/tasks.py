"""Background recomputation of indicator values when the data behind them changes.

`contracts_changed` (spaser/contracts/signals.py) enqueues one `recompute_indicators` task per organisation
concerned; the task computes and stores every computed indicator of its current schemes (idempotent: values
that did not change are left untouched). Two runs for one organisation never overlap: a run that finds the
lock taken is retried a little later, so the last change is always counted. Module named `tasks` so that
`spaser run_huey` discovers it.
"""

from __future__ import annotations

import logging

from huey.contrib.djhuey import HUEY, db_task
from huey.exceptions import TaskLockedException

from spaser.organisations.models import Organisation
from spaser.schemes.models import SchemeStatus

from .services import compute_scheme_indicators

logger = logging.getLogger(__name__)


@db_task(retries=20, retry_delay=15)
def recompute_indicators(organisation_id: int) -> dict[str, int]:
    try:
        with HUEY.lock_task(f"indicators-{organisation_id}"):
            return recompute_now(organisation_id)
    except TaskLockedException:
        logger.info(
            "Indicateurs de l'organisation %s déjà en calcul : nouvel essai plus tard.", organisation_id
        )
        raise


def recompute_now(organisation_id: int) -> dict[str, int]:
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    schemes = Organisation.objects.get(pk=organisation_id).schemes.exclude(status=SchemeStatus.ARCHIVED)
    for scheme in schemes:
        for name, count in compute_scheme_indicators(scheme=scheme).items():
            totals[name] += count
    return totals


def schedule_recompute(sender=None, *, organisation_ids=None, **kwargs) -> None:
    """Receiver of `contracts_changed`: one task per organisation with a scheme (all of them when None)."""
    live = [status for status in SchemeStatus.values if status != SchemeStatus.ARCHIVED]
    organisations = Organisation.objects.filter(schemes__status__in=live)
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=organisation_ids)
    for organisation_id in organisations.values_list("pk", flat=True).distinct():
        recompute_indicators(organisation_id)
