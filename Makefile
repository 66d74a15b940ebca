.PHONY: demo test lint format ci bench bench-observatory

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
