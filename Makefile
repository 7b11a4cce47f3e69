# capledger: `make demo` and `make test` are all a fresh clone needs (Python 3.11+ only).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
EXTRAS := dev,postgres,charts,graphs,docs,bench,nats

.PHONY: demo test lint typecheck unit bench soak docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/capledger demo

test: lint typecheck docs unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@complex="$$($(BIN)/radon cc -n D -s events ledger projections relay cli)"; \
	  if [ -n "$$complex" ]; then echo "cyclomatic complexity over 20 (radon grade D or worse):"; \
	  echo "$$complex"; exit 1; fi

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

# Benchmarks: capledger beside the eventsourcing library and the raw limits, on the same data.
BENCH_N ?= 100000,1000000
bench: $(STAMP)
	$(BIN)/python -m tests.bench --sizes $(BENCH_N) --write docs/benchmarks.md

# Reliability: the same adversarial tests as `make test`, with many more trials.
soak: $(STAMP)
	CAPLEDGER_SOAK=1 $(BIN)/python -m pytest tests/reliability -q

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site capledger-demo*
