"""Streaming: reading a file four times larger must not need more memory (tracemalloc peaks, not timings)."""

import tracemalloc

from spaser.decp import ContractRecord, open_decp
from tests.decp.generated import write_2022

SMALL = 1_000


def _peak_while_reading(path) -> tuple[int, int]:
    source = open_decp(path, validate_schema=False)
    tracemalloc.start()
    count = 0
    for record in source:
        count += isinstance(record, ContractRecord)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak


def test_peak_memory_does_not_grow_with_the_file(tmp_path):
    small = write_2022(tmp_path / "small.json", SMALL)
    large = write_2022(tmp_path / "large.json", 4 * SMALL)
    assert large.stat().st_size > 3.9 * small.stat().st_size
    small_count, small_peak = _peak_while_reading(small)
    large_count, large_peak = _peak_while_reading(large)
    assert (small_count, large_count) == (SMALL, 4 * SMALL)
    # Holding the records would cost ~4x; streaming holds one 256 KB chunk and one record whatever the size.
    assert large_peak < small_peak * 1.25 + 256 * 1024, (small_peak, large_peak)
