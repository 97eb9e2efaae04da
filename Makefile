# The two commands of the README: `make run` and `make test`. Nothing else needs installing by hand.
# The venv is made from the distribution's Python 3.11 where it has one with venv (Debian and Ubuntu
# build it with PGO and LTO: the PDF documents lay out a quarter faster than on a plain source build,
# README "Printable documents"), else from the first `python3` on the PATH. `make install PYTHON=…`
# chooses another.
DISTRIBUTION_PYTHON := $(shell /usr/bin/python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 && echo /usr/bin/python3.11)
PYTHON ?= $(or $(DISTRIBUTION_PYTHON),python3)
VENV ?= .venv
PORT ?= 8000
HOST ?= 127.0.0.1
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# `make worker`: the background worker alone (when the web server runs elsewhere, e.g. gunicorn).
.PHONY: run worker test install install-dev migrate demo lint format messages compile-messages backup restore bench clean

$(VENV)/bin/activate:
	@echo "==> Creating the Python environment in $(VENV)/"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	@echo "==> Installing the packages of requirements.txt (about a minute the first time, quiet while it works)"
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	@echo "==> Installing the test and lint tools of requirements-dev.txt"
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

compile-messages: $(VENV)/.installed
	@echo "==> Compiling the Vietnamese translations"
	$(PY) manage.py compile_translations

migrate: compile-messages
	@echo "==> Creating or updating the database tables (migrate)"
	$(PY) manage.py migrate --noinput

demo: migrate
	@echo "==> Loading the demo data and accounts (about a minute the first time; skipped when present)"
	$(PY) manage.py load_demo

# The background worker (imports, large exports) runs beside the web server and stops with it.
run: demo
	@echo ""
	@echo "Serving http://$(HOST):$(PORT)/ with a background worker  (Ctrl+C to stop)"
	@$(PY) manage.py db_worker --no-reload --verbosity 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: migrate
	$(PY) manage.py db_worker --no-reload

test: $(VENV)/.installed-dev compile-messages
	$(VENV)/bin/pytest -n auto $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Developers only: needs GNU gettext (apt-get install gettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale vi --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py makemessages --locale vi --domain djangojs --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*' || true

# Backups: pg_dump on PostgreSQL, a consistent copy on SQLite, written to backups/.
backup: $(VENV)/.installed
	$(PY) manage.py backup_db

# make restore FILE=backups/sonla-YYYYmmdd-HHMMSS.dump   (asks before replacing the data)
restore: $(VENV)/.installed
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/<file>" && exit 2)
	$(PY) manage.py restore_db $(FILE)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
