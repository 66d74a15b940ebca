.PHONY: demo test lint format ci bench bench-observatory load

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

ci:
	bash .ci/run

bench:
	.venv/bin/python bench/bench_import.py --sizes 50000 200000 --results bench/RESULTS.md

# The national observatory at national scale (1.7 M contracts generated, about 20 minutes).
bench-observatory:
	.venv/bin/python bench/bench_observatory.py --results bench/RESULTS.md

# Load test on demand (not in CI): 50 users, 100 000 contracts on PostgreSQL (127.0.0.1:55433, database
# spaser_load), gunicorn, locust; about 10 minutes with the data setup (LOAD_ARGS=--reuse keeps the data).
load:
	.venv/bin/python bench/load/run.py --results bench/RESULTS.md $(LOAD_ARGS)
