# govhall — the two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
PYTEST_ARGS ?=
CHROMIUM ?= /usr/bin/chromium
STAMP  := $(VENV)/.installed

.PHONY: install run test test-pg test-all lint format migrate demo browser-deps bench lock clean messages deploy-check

## install: create .venv and install the pinned dependencies (idempotent)
install: $(STAMP)

$(STAMP): requirements/runtime.lock requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	mkdir -p var
	touch $(STAMP)

## browser-deps: Debian's chromium, CJK fonts (browser tests, PDFs), HarfBuzz subsetting
## (WeasyPrint), poppler-utils (pdfsig checks licence PDF signatures) and openssl (SM2 checks)
browser-deps:
	@if [ ! -x "$(CHROMIUM)" ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
		|| ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset \
		|| ! command -v pdfsig >/dev/null || ! command -v openssl >/dev/null; then \
		echo "Installing chromium, fonts-noto-cjk, libharfbuzz-subset0, poppler-utils and openssl from Debian..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk libharfbuzz-subset0 poppler-utils openssl >/dev/null; \
	fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

## run: install, migrate the SQLite database, load the demo data, serve http://$(HOST):$(PORT)
## beside the task worker and the scheduler (periodic jobs); Ctrl-C stops all three.
## Redis on 127.0.0.1:6379 (or REDIS_URL) holds caches and rate limits; without it they stay
## in the server's memory (fine for one process).
run: demo
	@echo "govhall: http://$(HOST):$(PORT)/  (staff: /workbench/login/, admin: /admin/)"
	@echo "background: task worker (var/worker.log) and scheduler (var/scheduler.log); they stop with the server"
	@export REDIS_URL="$${REDIS_URL:-$$($(BIN)/python -m govhall.operations.redis_probe)}"; \
		export GOVHALL_PUBLIC_URL="$${GOVHALL_PUBLIC_URL:-http://$(HOST):$(PORT)}"; \
		echo "licence QR codes and share links point at $$GOVHALL_PUBLIC_URL"; \
		if [ -n "$$REDIS_URL" ]; then echo "shared cache and rate limits: Redis at $$REDIS_URL"; \
		else echo "Redis not reachable on 127.0.0.1:6379: caches and rate limits in process memory (fine for one process)"; fi; \
		$(BIN)/python manage.py db_worker >var/worker.log 2>&1 & worker=$$!; \
		$(BIN)/python manage.py run_scheduler >var/scheduler.log 2>&1 & scheduler=$$!; \
		trap 'kill $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: install and run the whole suite (SQLite unless DATABASE_URL says otherwise)
test: install browser-deps
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || \
		(echo "Model changes without migrations: run manage.py makemigrations" && exit 1)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## test-pg: the same suite on the local PostgreSQL (a throwaway database, dropped after)
test-pg: install browser-deps
	DATABASE_URL=$${PG_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/govhall_ci_$$$$} \
		$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-all: test test-pg

## deploy-check: `check --deploy` and the configuration checks with production settings
## (ENV_FILE=/etc/govhall/govhall.env on a server; default: deploy/govhall.env.example)
deploy-check: install
	$(BIN)/python -m govhall.operations.deploycheck $(ENV_FILE)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var

## bench: performance benchmarks (not part of `make test`)
bench: install
	$(BIN)/python -m bench

## lock: re-resolve requirements/runtime.lock and requirements/dev.lock from pyproject.toml
## (keeps today's pins unless pyproject needs others; `make lock UPGRADE=1` takes the newest)
lock: install
	$(BIN)/python requirements/lock.py $(if $(UPGRADE),--upgrade)

clean:
	rm -rf $(VENV) var/static
