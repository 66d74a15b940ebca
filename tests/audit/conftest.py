"""The audit tests use the report world (tests/reports/conftest.py): a register with targets, stored values,
committees, meetings and decisions, and one user per role."""

import pytest

from tests.reports.conftest import build_world


@pytest.fixture
def world(db):
    return build_world()
