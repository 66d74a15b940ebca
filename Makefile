.PHONY: demo test lint format ci bench

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
