# The two commands a newcomer needs: `make demo` and `make test`. Each builds its own
# virtual environment from pyproject.toml with nothing but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Python keeps the bytecode of what it imports in __pycache__ (ignored by git): where the
# environment says not to (PYTHONDONTWRITEBYTECODE, set in some images), each process the suite
# starts (xdist workers, Celery workers, manage.py) compiles Django and the project anew, ~5 s.
unexport PYTHONDONTWRITEBYTECODE

# Postgres and Redis on this machine unless the caller says otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/donation_hub
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

# One pytest-xdist worker per core; TEST_WORKERS=0 runs the suite in this one process.
TEST_WORKERS ?= auto

# Benchmarks make (and drop) their own databases <name>_small, _large and _load on this server.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dh_bench

.PHONY: demo test test-fast bench load lint format messages language clean

# The environment with what the app needs (.installed), or with the test and lint tools too
# (.installed-dev, which counts as both): one install either way. uv (a package of the index
# like any other, put in the environment by its own pip) installs from pyproject.toml in ~2 s
# with a warm cache, where pip's resolver and pip's own upgrade took ~15 s; pip does it where uv
# cannot be had. Neither compiles bytecode up front: Python compiles what is imported when it is
# first imported.
define venv_install
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 not found)." >&2; exit 1; }
	test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): on" \
		"Debian or Ubuntu, apt-get install python3.11-venv" >&2; rm -rf $(VENV); exit 1; }
	if $(BIN)/pip install --quiet --disable-pip-version-check uv; then \
		$(BIN)/uv pip install --quiet --python $(BIN)/python -e "$(1)"; \
	else \
		$(BIN)/pip install --quiet --upgrade pip && \
		$(BIN)/pip install --quiet --no-compile -e "$(1)"; \
	fi
endef

$(BIN)/.installed: pyproject.toml
	$(call venv_install,.)
	touch $@

$(BIN)/.installed-dev: pyproject.toml
	$(call venv_install,.[dev])
	touch $(BIN)/.installed $@

## make messages: compile every language's catalogue (locale/, and locale_django/ for Django's
## own messages in languages Django does not ship); a fuzzy entry counts as untranslated
messages: $(BIN)/.installed
	$(BIN)/pybabel compile --domain django --directory locale --statistics
	$(BIN)/pybabel compile --domain django --directory locale_django --statistics

## make language CODE=hy: start a new language's catalogue and glossary under locale/
language: $(BIN)/.installed
	@test -n "$(CODE)" || { echo "usage: make language CODE=hy" >&2; exit 1; }
	$(BIN)/python scripts/new-language $(CODE)

## make demo: a working hub with demo data on SQLite, no Redis, at http://127.0.0.1:8000
demo: messages
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make lint: the static checks, no database needed: ruff's lint and format check, mypy's
## type check, and that the models have no change without its migration
lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=lint-only $(BIN)/mypy
	DATABASE_URL=sqlite://:memory: SECRET_KEY=lint-only \
		$(BIN)/python manage.py makemigrations --check --dry-run

## make test: lint, then the whole suite against Postgres and Redis (started if down)
test: lint messages test-services
	$(PYTEST_ENV) $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## make test-fast: the suite without the browser and Celery worker tests, for the inner loop
test-fast: $(BIN)/.installed-dev messages
	scripts/ensure-services
	$(PYTEST_ENV) $(BIN)/pytest -n $(TEST_WORKERS) -m "not browser and not worker" $(PYTEST_ARGS)

PYTEST_ENV = DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=test-only \
	SECURE_COOKIES=false

.PHONY: test-services
test-services:
	scripts/ensure-services
	scripts/ensure-chromium
	scripts/ensure-axe >/dev/null

## make bench: speed and scale against the floor of this machine, printed as one table
bench: $(BIN)/.installed messages
	scripts/ensure-services
	$(BIN)/python -m bench.run --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

## make load: 32 clients for 60 s writing at once; then lost writes and ledger consistency
load: $(BIN)/.installed messages
	scripts/ensure-services
	$(BIN)/python -m bench.load --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

format: $(BIN)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
