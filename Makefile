# Commons — `make run` serves the forum, `make test` runs the whole suite. Both set themselves up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py
PYTEST_ARGS ?= -n 2

.PHONY: run test chaos lint venv migrate seed clean compile translations bench audit screenshots
# Compiled catalogues (.mo) are build output: made from the committed .po files, never committed.
MO := $(patsubst %.po,%.mo,$(wildcard forum/translations/*/LC_MESSAGES/messages.po))
EXTRACT := -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output \
	--project Commons --copyright-holder "Commons contributors"
AXE := node_modules/axe-core/axe.min.js

venv: $(STAMP) compile

compile: $(MO)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

# Re-extract every marked string and merge it into the six catalogues, sorted by message and
# without source locations so parallel branches rarely conflict (then translate the
# new empty entries; tests/test_i18n_catalogues.py fails until they are).
translations: $(STAMP)
	$(BIN)/pybabel extract $(EXTRACT) -o forum/translations/messages.pot .
	$(BIN)/pybabel update -i forum/translations/messages.pot -d forum/translations --no-fuzzy-matching
	$(MAKE) compile

# An S3 API server for the upload tests (moto's standalone server mode), in a venv of its own:
# its Flask and Werkzeug must never change the app's. Tests find .venv-s3/bin/moto_server.
S3_STAMP := .venv-s3/.installed
$(S3_STAMP): requirements-s3.txt
	test -x .venv-s3/bin/python || $(PYTHON) -m venv .venv-s3
	.venv-s3/bin/pip install --quiet -r requirements-s3.txt
	touch $(S3_STAMP)

# axe-core for the accessibility tests, from package-lock.json (skipped when npm is absent).
$(AXE): package.json package-lock.json
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && touch $@; fi

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

migrate: venv
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask forum seed-demo --if-empty

run: seed
	@echo "Commons on http://127.0.0.1:5000 (Ctrl-C to stop)"
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The fault-injection suite (tests/test_faults.py: kill -9, Redis and PostgreSQL outages) runs
# once, after the rest and alone, so the load of other tests never blurs its timings.
test: venv $(AXE) $(S3_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS) -m "not faults"
	$(BIN)/python -m pytest -rs -m faults

chaos: venv
	$(BIN)/python -m pytest -rs -s -m faults

lint: venv
	$(BIN)/ruff check .

# Benchmarks (docs/benchmarks.md): bench/results/latest.{json,md,png}. BENCH_QUICK=1 for small
# sizes. Needs wrk (apt-get install wrk); PostgreSQL and Redis are used when they answer.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk (or brew install wrk)"; exit 1; }
	$(BIN)/python -m bench.run

# Lighthouse (mobile, logged in) on home, a thread list, a thread page, search, the directory:
# every category must reach 95 (bench/audit.py; figures in docs/benchmarks.md). Lighthouse is
# pinned and installed here, apart from the test tooling of package.json.
LIGHTHOUSE_VERSION := 12.2.3
LIGHTHOUSE := .lighthouse/node_modules/.bin/lighthouse
export CHROME_PATH ?= /usr/bin/chromium

$(LIGHTHOUSE):
	mkdir -p .lighthouse
	npm install --no-audit --no-fund --no-save --prefix .lighthouse lighthouse@$(LIGHTHOUSE_VERSION)

audit: venv $(LIGHTHOUSE)
	$(BIN)/python -m bench.audit

# Screenshots of docs/design.md (desktop, phone, Arabic, dark) from a seeded app: docs/screenshots/.
screenshots: venv
	$(BIN)/python -m bench.screenshots

clean:
	rm -rf $(VENV) .venv-s3 .pytest_cache .ruff_cache
