# 先锋师资库 — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
APPS := notifications orgs pool booking evaluation members activity records
HOST ?= 127.0.0.1:8000
TEST_WORKERS ?= 2

.PHONY: run install dev-install migrate seed test test-services fuzz lint messages worker beat bench bench-load clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Install, migrate, seed the demo province and serve it on SQLite with Celery in eager mode.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@echo ""
	@echo "先锋师资库 is starting on http://$(HOST)/  (demo log-ins above, password demo12345)"
	$(PY) manage.py runserver $(HOST)

## The whole test suite on SQLite (tests marked `services` need PostgreSQL/Redis and are skipped).
test: install
	$(PY) -m pytest -p no:cacheprovider -q -n $(TEST_WORKERS)

## The suite against PostgreSQL, Redis and a live Celery worker.
test-services: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	REQUIRE_SERVICES=1 $(PY) -m pytest -p no:cacheprovider -q -n $(TEST_WORKERS) -m "not fuzz and not services"
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	REQUIRE_SERVICES=1 $(PY) -m pytest -p no:cacheprovider -q -m services

## Schemathesis against the API schema on SQLite (set DATABASE_URL for PostgreSQL); FUZZ_EXAMPLES=100 by default.
fuzz: install
	$(PY) -m pytest -p no:cacheprovider -q -m fuzz -n 2 tests/test_openapi_fuzz.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Refresh the zh_Hans catalogues of every app and of templates/, then compile them.
messages: install
	@for app in $(APPS); do (cd $$app && mkdir -p locale && ../$(VENV)/bin/django-admin makemessages -l zh_Hans --no-obsolete --no-location -i 'migrations/*' >/dev/null); done
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location $(foreach a,$(APPS),-i '$(a)/*') -i '.venv/*' -i 'tests/*' -i 'bench/*' -i 'staticfiles/*' >/dev/null
	$(PY) manage.py compilemessages --ignore '.venv' >/dev/null

## Services mode: a Celery worker and beat (set DATABASE_URL and CELERY_BROKER_URL first).
worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=/tmp/xianfeng-celerybeat-schedule

## Every benchmark in bench/ but the load test.
bench: install
	@for f in $(filter-out bench/load.py,$(wildcard bench/*.py)); do echo "== $$f"; $(PY) $$f || exit 1; done

## Load test: gunicorn + PostgreSQL + Redis on loopback, 20 users (docs/operations.md, section 8).
## Needs PostgreSQL on 127.0.0.1 (DATABASE_URL, default .../loadbench) and Redis (REDIS_URL, default db 4).
bench-load: install
	$(PY) bench/load.py $(BENCH_LOAD_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
