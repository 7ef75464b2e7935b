# Commons — `make run` serves the forum, `make test` runs the whole suite. Both set themselves up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py
PYTEST_ARGS ?= -n 2

.PHONY: run test lint venv migrate seed clean

venv: $(STAMP)

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

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
