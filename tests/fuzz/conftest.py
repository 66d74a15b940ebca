"""Fuzz tests: one hypothesis profile for all of them (deterministic, bounded), and the count of the cases run
per target, printed at the end of the run (the figures of the closing note come from there).

The profile is applied by decorating each test with `fuzz(n)` (tests/fuzz/helpers.py), never loaded
globally: the rest of the suite keeps its own profile."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.fuzz.helpers import CASES, PROFILE

settings.register_profile(
    PROFILE,
    derandomize=True,  # CI runs the same cases every time: a red run can be replayed
    deadline=None,  # timing depends on the machine (2 shared cores in CI)
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # the suite's autouse fixtures; examples share no state
    ],
)


def pytest_terminal_summary(terminalreporter):
    if not CASES:
        return
    terminalreporter.section("cas de fuzz exécutés")
    for target, count in sorted(CASES.items()):
        terminalreporter.write_line(f"{target:<44} {count:>6}")
    terminalreporter.write_line(f"{'total':<44} {sum(CASES.values()):>6}")
