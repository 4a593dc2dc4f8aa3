# Every target installs what it needs first, so `make site` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# npm ci empties node_modules/ first, so stamps kept inside it never outlive what they stand for
NODE_SITE := node_modules/.installed-site
NODE_ALL := node_modules/.installed-all

.PHONY: site test check serve offline bench lint format clean

SIZES ?= 100,1000
OUT ?= bench-results.json

$(INSTALLED): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	# the package itself, editable: `mkdocs` run by hand finds the hooks' imports
	$(PY) -m pip install --quiet --no-deps -e .
	# compiled once, as pip compiles what it installs (not an editable package): with
	# PYTHONDONTWRITEBYTECODE set, every build would compile it again (0.07 s)
	$(PY) -m compileall -q briefing
	touch $(INSTALLED)

# the site's chart scripts (Vega, vega-embed): package.json's dependencies, pinned in package-lock.json
$(NODE_SITE): package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund
	touch $(NODE_SITE)

# everything in package-lock.json: the chart scripts and the checkers (Nu HTML Checker, axe-core)
$(NODE_ALL): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_SITE) $(NODE_ALL)

site: $(INSTALLED) $(NODE_SITE)  ## install, then build the site into site/
	$(PY) scripts/build.py

check: $(INSTALLED)  ## validate data/ without building
	$(PY) scripts/build.py --check

serve: $(INSTALLED) $(NODE_SITE)  ## preview at http://127.0.0.1:8000/, showing each edit of data/ or templates/ within a second
	$(PY) scripts/build.py --serve --dev-addr 127.0.0.1:8000

offline: $(INSTALLED) $(NODE_SITE)  ## a copy browsable from file://, zipped as briefing-offline.zip
	BRIEFING_DIRECTORY_URLS=false BRIEFING_SEARCH=false $(PY) scripts/build.py --site-dir site-offline
	rm -f briefing-offline.zip site-offline/404.html  # its root-absolute links cannot work from disk
	cd site-offline && ../$(PY) -m zipfile -c ../briefing-offline.zip .

bench: $(INSTALLED) $(NODE_ALL)  ## time the build on synthetic datasets: make bench SIZES=100,1000 OUT=results.json
	$(PY) scripts/bench.py --sizes $(SIZES) --out $(OUT)

test: $(INSTALLED) $(NODE_ALL)  ## install, then run every test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: $(INSTALLED)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf site site-offline briefing-offline.zip .cache
