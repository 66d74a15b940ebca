import os

import pytest
from hypothesis import settings

from spaser.organisations import data_stamp

# The hand-computed perimeter is shared by the indicator, dashboard and browser tests; the browser fixtures
# (one Chromium for the whole session) by every browser test, wherever it lives.
pytest_plugins = ["tests.perimeter", "tests.browser.fixtures"]

# CI runs the property tests on a fixed sequence of examples (a red CI must be reproducible) and never fails
# on timing, which depends on the machine; developers explore new random examples on every run.
settings.register_profile("ci", derandomize=True, deadline=None, database=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _fresh_page_memos():
    """Each test starts without the memos an earlier test left in this process (data_stamp.py); a test that
    changes contracts without the signal production writes send calls `renew` itself."""
    data_stamp.forget_all()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Reports and uploads written by a test go to its own folder, never to the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
