.PHONY: demo test lint bench
demo:
	scripts/demo.sh
test:
	scripts/test.sh
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports
bench:
	.venv/bin/python -m benchmarks
