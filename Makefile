# Knowledge Donors — `make run` serves the site, `make test` runs the suite. Both set up .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_ENV := DEBUG=true SECRET_KEY=$${SECRET_KEY:-dev-only-insecure-key} PORT=$(PORT)

.PHONY: run test mutate bench worker migrate seed lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	@mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@if [ -n "$$DATABASE_URL$$REDIS_URL" ]; then \
		echo "DATABASE_URL/REDIS_URL are set: start a Celery worker and beat too: make worker"; fi
	@echo ""
	@echo "  Knowledge Donors is at http://localhost:$(PORT)/"
	@echo "  Demo volunteer: volunteer1@example.org / demo-password-1"
	@echo "  Demo organizer: organizer1@example.org … organizer6@example.org / demo-password-1"
	@echo "  Demo staff:     staff@example.org / demo-password-1   (admin: http://localhost:$(PORT)/admin/)"
	@echo "  Emails (verification links) are printed below in this terminal."
	@echo ""
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

worker: $(VENV)/.runtime
	@mkdir -p var
	@test -n "$$REDIS_URL" || { echo "make worker needs REDIS_URL (without it tasks run inline)"; exit 2; }
	$(BIN)/celery -A config beat --loglevel=info --schedule=var/celerybeat-schedule & \
	  BEAT=$$!; trap 'kill $$BEAT 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/celery -A config worker --loglevel=info

test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Mutation testing of the business logic ([tool.mutmut] in pyproject.toml): SQLite, no services,
# each mutant against the tests that cover it. Starts from a clean mutants/ because mutmut keeps
# earlier verdicts even when the tests changed. MUTATE_CHILDREN: parallel workers.
MUTATE_CHILDREN ?= 2
MUTATE_ENV := env -u DATABASE_URL -u REDIS_URL -u CI MUTATE_CHILDREN=$(MUTATE_CHILDREN)
mutate: $(VENV)/.dev
	@mkdir -p var
	rm -rf mutants
	$(MUTATE_ENV) $(BIN)/mutmut run --max-children $(MUTATE_CHILDREN) \
	  > var/mutmut-run.log 2>&1 || { tail -n 40 var/mutmut-run.log; exit 1; }
	$(MUTATE_ENV) $(BIN)/python tests/mutation/report.py

# Matching speed at scale (needs DATABASE_URL for PostgreSQL; BENCH_ARGS="--donors 20000" for less).
# BENCH_ARGS=--keep keeps the pool's database for the next run (and tests/benchmarks/candidate_page.py).
bench: $(VENV)/.dev
	$(BIN)/python tests/benchmarks/rank_candidates.py $(BENCH_ARGS)
	$(BIN)/python tests/benchmarks/candidate_page.py $(BENCH_ARGS)
	@if [ -n "$$DATABASE_URL" ]; then $(BIN)/python tests/benchmarks/pages.py $(PAGES_BENCH_ARGS); \
	  else echo "tests/benchmarks/pages.py skipped: it needs DATABASE_URL (PostgreSQL)"; fi
	$(BIN)/python tests/benchmarks/registrations.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var mutants
