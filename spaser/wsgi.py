"""The WSGI application (gunicorn, runserver), with the garbage collector tuned for a long-lived web process.

Python's cyclic collector walks every tracked object of the process at each full collection: with Django,
polars and the pages' memos loaded, that was 150 ms pauses inside random requests (measured on the load data,
bench/load/NOTES.md). The objects alive after start-up (modules, URL patterns, views) live as long as the
process: `gc.freeze()` leaves them out of every collection. A request allocates hundreds of thousands of
objects: collecting the young generation every 10 000 allocations instead of 700 spares most of the small
collections; a full one then runs after 20 × 20 of those.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spaser.settings")
application = get_wsgi_application()

GC_THRESHOLDS = (10_000, 20, 20)


def _settle_garbage_collector() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports every view now, so that they are frozen too
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


_settle_garbage_collector()
