# One entry point for everything that runs offline. `make test` is the command CI runs.
#
# Python: any CPython 3.11, 3.12 or 3.13 (pyproject.toml `requires-python`). `python3` by
# default (pyenv and uv take .python-version: 3.11 first); PYTHON=python3.13 picks another, and
# ./venv is rebuilt for it when it was built from a different one.
PYTHON ?= python3
VENV ?= venv
PY := $(VENV)/bin/python
PYTHON_MIN := 3.11
PYTHON_MAX := 3.13

.PHONY: test lint check-python clean

# `<version> <path>` of the interpreter PYTHON names; empty when there is none.
PYTHON_ID := $(shell $(PYTHON) -c 'import sys; print(sys.version.split()[0], sys.executable)' 2>/dev/null)
ifneq ($(filter command line environment,$(origin PYTHON)),)
ifneq ($(shell cat $(VENV)/.installed 2>/dev/null),$(PYTHON_ID))
.PHONY: $(VENV)/.installed
endif
endif

# The virtualenv is rebuilt whenever a requirements file changes. pip installs only uv (pinned
# in requirements-setup.txt); uv installs the pinned set in a few seconds where pip takes a
# minute (docs/benchmarks.md#setting-up). `python -m venv` keeps pip in ./venv: Pulumi's pip
# toolchain lists the program's packages with it (see Pulumi.yaml).
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-setup.txt
	@$(MAKE) --no-print-directory check-python
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-setup.txt
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt
	@echo '$(PYTHON_ID)' > $@

check-python:
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(not (sys.implementation.name == "cpython" and ($(subst .,$(comma),$(PYTHON_MIN))) <= v <= ($(subst .,$(comma),$(PYTHON_MAX)))))' 2>/dev/null || { \
	  found=$$($(PYTHON) -c 'import platform; print(platform.python_implementation(), platform.python_version())' 2>/dev/null || echo "not found"); \
	  echo "error: $(PYTHON) is $$found, but aks-cilium needs CPython $(PYTHON_MIN) to $(PYTHON_MAX);" \
	       "install one (pyenv install $(PYTHON_MAX), uv python install $(PYTHON_MAX), or your OS's package) and pass PYTHON=/path/to/it" >&2; \
	  exit 1; \
	}

comma := ,

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

.PHONY: plan plan-fleet schemas bench

plan: $(VENV)/.installed
	@$(PY) -m offline.plan $(STACK) $(if $(AGAINST),--against '$(AGAINST)') $(if $(PRINCIPAL),--principal '$(PRINCIPAL)') $(PLAN_ARGS)

# `make plan-fleet FLEET=mesh`: plans every stack whose aks-cilium:mesh.fleet is FLEET into
# plan-out/fleet-<FLEET>/<stack> and checks the rules across them (docs/fleet.md).
FLEET ?=

plan-fleet: $(VENV)/.installed
	@$(if $(FLEET),,echo "usage: make plan-fleet FLEET=<name> (aks-cilium:mesh.fleet of its members)" >&2; exit 2;)
	@$(PY) -m offline.fleet '$(FLEET)' $(PLAN_ARGS)

# `make schemas`: Cilium's CRDs and Helm values schema for every Cilium version a stack pins,
# from Cilium's repository at that release's tag, into .schemas/cilium (git-ignored), where the
# plan and the tests look first. SCHEMAS_DIR=DIR writes elsewhere; SCHEMA_ARGS passes options,
# e.g. SCHEMA_ARGS='--force' or SCHEMA_ARGS='--version 1.19.6'.
SCHEMAS_DIR ?=
SCHEMA_ARGS ?=

schemas: $(VENV)/.installed
	@$(PY) -m offline.schemas.fetch $(if $(SCHEMAS_DIR),--dest $(SCHEMAS_DIR)) $(SCHEMA_ARGS)

# Timing figures for docs/benchmarks.md (not a test: nothing is asserted).
bench: $(VENV)/.installed
	$(PY) benchmarks/plan_bench.py
	$(PY) benchmarks/service_tags_bench.py

# --- verify on the cluster (docs/verify.md) -------------------------------------------------
# `make verify STACK=prod`: after `pulumi up`, check on the live cluster (with your kubectl and
# KUBECONFIG) what the stack promises. REPLAY=DIR reads every command's output from DIR instead
# (tests/fixtures/verify/*); AGAINST=FILE checks what a `pulumi stack export` says is deployed.
# VERIFY_ARGS passes options, e.g. VERIFY_ARGS='--probes --junit verify.xml'.
STACK ?= dev
AGAINST ?=
REPLAY ?=
VERIFY_ARGS ?=

.PHONY: verify

verify: $(VENV)/.installed
	@$(PY) -m verify $(STACK) $(if $(AGAINST),--against '$(AGAINST)') $(if $(REPLAY),--replay '$(REPLAY)') $(VERIFY_ARGS)
