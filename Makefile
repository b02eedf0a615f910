# Two commands on a fresh machine with only Python and pip: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run demo test lint bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[learn]"
	$(BIN)/schedlab warm-up
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[test,learn]"
	touch $(TEST_STAMP)

PORT ?= 8000

# The service with its embedded SQLite store (schedlab-data/), bundled example jobs run on first start.
run: $(STAMP)
	$(BIN)/schedlab serve --examples --port $(PORT)

# The offline demo: one bundled instance of each problem class, written to out/report.html.
demo: $(STAMP)
	$(BIN)/schedlab demo --out-dir out

test: $(TEST_STAMP)
	bash tools/install_system_test_deps.sh
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks tools

bench: $(STAMP)
	$(BIN)/python benchmarks/foundation.py

clean:
	rm -rf $(VENV) out test-artifacts schedlab-data

