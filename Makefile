# Two commands from a fresh clone: `make demo` (the runtime only) and `make test` (the runtime plus
# the test set). Both bootstrap .venv from the pinned requirements; each stamp re-installs only when
# its requirements change, so `make demo` never pulls in pytest, moto or boto3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
TESTSET := $(VENV)/.test-installed
BENCHSET := $(VENV)/.bench-installed

.PHONY: demo test lint bench clean lock e2e e2e-clean

$(RUNTIME): requirements/runtime.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/runtime.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(RUNTIME)

$(TESTSET): $(RUNTIME) requirements/test.txt
	$(BIN)/python -m pip install --quiet -r requirements/test.txt
	touch $(TESTSET)

# seaborn and pandas: only the benchmark draws with them.
$(BENCHSET): $(TESTSET) requirements/bench.txt
	$(BIN)/python -m pip install --quiet -r requirements/bench.txt
	touch $(BENCHSET)

demo: $(RUNTIME)
	$(BIN)/healthgrid render --demo --out healthgrid-out

# Tests marked slow (real processes measured for memory, a headless browser, long property
# searches) run where CI is set (GitHub Actions and .ci/run set CI=true); `make test CI=true` runs
# everything locally. --dist loadgroup keeps the tests sharing a rendered picture on one worker.
SLOW := $(if $(filter-out false 0,$(CI)),,-m "not slow")
# One worker more than cores: about a fifth of the suite's time is spent waiting on sockets, git and
# child processes, which the extra worker fills (on two cores, ~65 s instead of ~75 s).
WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

# Containers often set PYTHONDONTWRITEBYTECODE; the suite unsets it so pytest keeps its rewritten test
# modules in __pycache__ (git-ignored) and the next run does not rewrite them (~2 s a worker).
test: lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadgroup $(SLOW) $(PYTEST_ARGS)

# pyflakes, pycodestyle, bugbear and isort as configured in pyproject.toml; `ruff check --fix .` sorts imports.
lint: $(TESTSET)
	$(BIN)/ruff check .

bench: $(BENCHSET)
	$(BIN)/python bench/bench.py

# Build the real image and run the workflows through act (root, apt, ~1.6 GB of container storage).
e2e: $(TESTSET)
	bash e2e/run.sh

e2e-clean:
	CONTAINERS_STORAGE_CONF=e2e/storage.conf podman system reset --force
	rm -rf /var/lib/containers/healthgrid-e2e

# Re-pin after editing requirements/*.in (needs pip-tools; not part of the test set).
lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements/runtime.txt requirements/runtime.in
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements/test.txt requirements/test.in
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements/bench.txt requirements/bench.in

clean:
	rm -rf $(VENV) healthgrid-out .mpl-results
