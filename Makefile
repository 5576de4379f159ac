# Each target sets itself up on a fresh machine: .venv is created and the project installed on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench serve clean catalogs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tsunagari demo --port 8000

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

serve: $(STAMP)
	$(BIN)/tsunagari serve

# List resident-facing strings that still lack an English or やさしい日本語 translation.
catalogs: $(STAMP)
	$(BIN)/python -m content.i18n_tools

clean:
	rm -rf $(VENV) instance .pytest_cache
