"""The WSGI module tunes the garbage collector of the web process (spaser/wsgi.py): checked in a process of
its own, since the test process must keep Python's defaults."""

import json
import subprocess
import sys


def test_the_web_process_freezes_its_start_up_objects_and_collects_less_often():
    code = (
        "import gc, json; import spaser.wsgi as w; "
        "print(json.dumps([gc.get_threshold(), gc.get_freeze_count(), list(w.GC_THRESHOLDS)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    threshold, frozen, wanted = json.loads(out.strip().splitlines()[-1])
    assert threshold == wanted == [10_000, 20, 20]
    assert frozen > 50_000  # Django, the project's modules and views: left out of every collection
