"""Profile the load test's pages one by one on the load database: time, number of queries and the slowest
queries of each (with `--explain`, their EXPLAIN ANALYZE). Used to find what a page misses the goal on.

    DATABASE_URL=postgres://postgres@127.0.0.1:55433/spaser_load SPASER_DATA_DIR=var/load \\
        .venv/bin/python bench/load/profile_pages.py [--user pilote] [--explain] [--cold] [--repeat N] [PATH…]
"""

from __future__ import annotations

import argparse
import os
import time

PAGES = [
    "/tableau-de-bord/",
    "/tableau-de-bord/axes/{axis}/",
    "/tableau-de-bord/engagements/{commitment}/",
    "/tableau-de-bord/indicateurs/S1/",
    "/marches/{contract}/",
    "/marches/",
    "/marches/?page=40",
    "/marches/?tri=montant",
    "/marches/?annee=2024&sociale=oui",
    "/marches/?q=nettoyage",
    "/renouvellements/",
    "/projets/",
    "/observatoire/",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--user", default="pilote")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--top", type=int, default=4)
    parser.add_argument("--cold", action="store_true", help="without the pages' memos (data_stamp.py)")
    parser.add_argument("--repeat", type=int, default=1, help="mean time and CPU of this many requests")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spaser.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from spaser.contracts.models import Contract
    from spaser.organisations import data_stamp
    from spaser.schemes.models import Axis, Commitment

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=args.user))
    ids = {
        "axis": Axis.objects.order_by("pk").values_list("pk", flat=True).first(),
        "commitment": Commitment.objects.order_by("pk").values_list("pk", flat=True).first(),
        "contract": Contract.objects.order_by("pk").values_list("pk", flat=True).first(),
    }
    for path in args.paths or [page.format(**ids) for page in PAGES]:
        client.get(path)  # caches
        seconds = cpu = 0.0
        for _ in range(args.repeat):
            if args.cold:
                data_stamp.forget_all()
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                seconds += time.perf_counter() - started
                cpu += time.process_time() - cpu_started
        seconds, cpu = seconds / args.repeat, cpu / args.repeat
        queries = captured.captured_queries
        sql_seconds = sum(float(q["time"]) for q in queries)
        print(
            f"{path}: {response.status_code}, {seconds * 1000:.0f} ms ({cpu * 1000:.0f} ms of CPU), "
            f"{len(queries)} queries ({sql_seconds * 1000:.0f} ms in SQL)"
        )
        for query in sorted(queries, key=lambda q: -float(q["time"]))[: args.top]:
            print(f"   {float(query['time']) * 1000:7.0f} ms  {query['sql'][:300]}")
            if args.explain and float(query["time"]) > 0.05:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                    print("\n".join("        " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
