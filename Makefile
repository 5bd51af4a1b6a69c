# One entry point for everything that runs offline. `make test` is the command CI runs.
PYTHON ?= python3
VENV ?= venv
PY := $(VENV)/bin/python
PYTHON_PIN := $(shell cat .python-version)

.PHONY: test lint check-python clean

# The virtualenv is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt .python-version
	@$(MAKE) --no-print-directory check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

check-python:
	@actual=$$($(PYTHON) -c 'import platform; print(platform.python_version())'); \
	if [ "$$actual" != "$(PYTHON_PIN)" ]; then \
	  echo "error: $(PYTHON) is Python $$actual but .python-version pins $(PYTHON_PIN);" \
	       "install it (e.g. pyenv install $(PYTHON_PIN)) or pass PYTHON=/path/to/python$(PYTHON_PIN)" >&2; \
	  exit 1; \
	fi

test: lint
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# --- offline plan (docs/offline-plan.md) ----------------------------------------------------
# `make plan STACK=prod`: what a stack would deploy, validated against Cilium's schemas;
# files land in plan-out/<stack>. PLAN_ARGS passes options, e.g. PLAN_ARGS='--schemas DIR'.
# AGAINST=FILE previews the changes against a deployed state (`pulumi stack export` output or a
# previous plan's state.json); PRINCIPAL=OBJECT_ID plans as that identity running `pulumi up`.
STACK ?= dev
PLAN_ARGS ?=
AGAINST ?=
PRINCIPAL ?=

.PHONY: plan bench

plan: $(VENV)/.installed
	@$(PY) -m offline.plan $(STACK) $(if $(AGAINST),--against '$(AGAINST)') $(if $(PRINCIPAL),--principal '$(PRINCIPAL)') $(PLAN_ARGS)

# Timing figures for docs/benchmarks.md (not a test: nothing is asserted).
bench: $(VENV)/.installed
	$(PY) benchmarks/plan_bench.py
	$(PY) benchmarks/service_tags_bench.py
