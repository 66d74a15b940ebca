"""Write a realistic 2022-format DECP file of N contracts: streaming, deterministic (same N, same bytes).

Records come from the demo generator (real-shaped: lots, frameworks, suppliers, considerations, placeholder
amounts); ids are made unique per record, and one record in 100 is published again later with a changed
amount, as platforms do, so the duplicate rule is exercised at scale.

    python bench/generate_decp.py OUT.json N [--seed 93]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

import orjson

from spaser.demo.generator import DemoGenerator

REPUBLISHED_EVERY = 100


def write_decp_file(path: Path, count: int, *, seed: int = 93) -> int:
    """Write `count` records (re-publications included) to `path`; returns the bytes written."""
    generator = DemoGenerator(seed=seed)
    rng = random.Random(seed)
    written = 0
    with path.open("wb") as out:
        out.write(b'{"marches": {"marche": [\n')
        sequence = 0
        while written < count:
            sequence += 1
            year = 2024 + sequence % 2
            for record in generator.consultation(year, sequence):
                if written >= count:
                    break
                record["id"] = f"B{sequence:07d}L{record['id'][-1]}"
                out.write(b",\n" if written else b"")
                out.write(orjson.dumps(record))
                written += 1
                if written % REPUBLISHED_EVERY == 0 and written < count:
                    again = dict(record)
                    published = date.fromisoformat(record["datePublicationDonnees"])
                    again["datePublicationDonnees"] = (
                        published + timedelta(days=rng.randint(1, 60))
                    ).isoformat()
                    again["montant"] = round(record["montant"] * 1.1, 2)
                    out.write(b",\n" + orjson.dumps(again))
                    written += 1
        out.write(b'\n], "contrat-concession": []}}\n')
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=93)
    args = parser.parse_args()
    size = write_decp_file(args.out, args.count, seed=args.seed)
    print(f"{args.out}: {args.count} enregistrements, {size / 1e6:.1f} Mo")


if __name__ == "__main__":
    main()
