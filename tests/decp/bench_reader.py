"""Benchmark of the DECP reader alone (not a test): python -m tests.decp.bench_reader [COUNT ...]

For each size, writes a generated 2022-format file, then in child processes (so each peak RSS is its own):
orjson.loads of the whole file (the floor), the reader without and with schema validation. Prints records/s,
the ratio to orjson, and the peak resident memory of each child.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.decp.generated import write_2022

CHILD = """
import json, resource, sys, time
path, mode = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "orjson":
    import orjson
    with open(path, "rb") as file:
        count = len(orjson.loads(file.read())["marches"]["marche"])
else:
    from spaser.decp import open_decp
    count = sum(1 for _ in open_decp(path, validate_schema=(mode == "reader+schema")))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"count": count, "seconds": seconds, "peak": peak}))
"""


def run(path: Path, mode: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output)


def main(counts: list[int]) -> None:
    print(f"{platform.platform()} · Python {platform.python_version()} · {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as folder:
        for count in counts:
            path = write_2022(Path(folder) / f"decp-{count}.json", count)
            size = path.stat().st_size
            floor = run(path, "orjson")
            print(f"\n{count} contracts, {size / 1024**2:.0f} MB")
            for mode in ("orjson", "reader", "reader+schema"):
                result = floor if mode == "orjson" else run(path, mode)
                assert result["count"] == count
                print(
                    f"  {mode:14} {result['seconds']:7.2f} s  {count / result['seconds']:9.0f} records/s  "
                    f"x{result['seconds'] / floor['seconds']:5.2f}  "
                    f"peak RSS {result['peak'] / 1024**2:6.0f} MB"
                )
            path.unlink()


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [50_000, 200_000])
