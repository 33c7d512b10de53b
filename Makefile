# Two commands matter: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test quick fuzz lint ingest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot --or-console

ingest: $(STAMP)
	$(BIN)/python -m bot.ingest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# Everything but the tests that start processes or run long (marked slow); CI runs `make test`.
quick: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# The fuzz with a longer budget: 300 + 100 sessions of 8 steps (CI runs 20 + 5). FUZZ_SEED=<n> replays a seed.
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} FUZZ_RANDOM_EXAMPLES=$${FUZZ_RANDOM_EXAMPLES:-100} \
		$(BIN)/python -m pytest tests/e2e/test_fuzz.py -s

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/*.db data/*.db-*
