# Every target installs what it needs first, so `make site` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: site test check serve lint format clean

$(INSTALLED): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(INSTALLED)

site: $(INSTALLED)  ## install, then build the site into site/
	$(PY) scripts/build.py

check: $(INSTALLED)  ## validate data/ without building
	$(PY) scripts/build.py --check

serve: $(INSTALLED)  ## preview at http://127.0.0.1:8000/, re-rendering on edits to data/ or templates/
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

test: $(INSTALLED)  ## install, then run every test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: $(INSTALLED)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf site .cache
