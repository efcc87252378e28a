# Two commands on a fresh machine: `make run` and `make test`. Both install from uv.lock into .venv
# (made when missing): `run` the runtime dependencies only, `test` also the test and lint extras.
# uv itself is bootstrapped from PyPI into .tools/ at a pinned version; it uses $(PYTHON), never a
# Python it downloads. After changing dependencies in pyproject.toml, run `make lock` and commit uv.lock
# (`make test` refuses a lock that disagrees with pyproject.toml).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
UV_VERSION := 0.13.9
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
SYNC := $(UV) sync --locked --python $(PYTHON)
LOWEST := /tmp/photonix-lowest

.PHONY: run test lint lock check-lock test-lowest venv venv-test clean

$(UV):
	@# Debian keeps venv in a separate package; install it when a fresh machine lacks it.
	$(PYTHON) -m venv $(TOOLS) || { apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(TOOLS); }
	$(TOOLS)/bin/pip install --quiet 'uv==$(UV_VERSION)'

# Runtime only; --inexact keeps test extras that `make test` installed earlier.
venv: $(UV)
	$(SYNC) --inexact --quiet

venv-test: $(UV)
	$(SYNC) --extra test --extra lint --quiet

run: venv
	$(BIN)/photonix up

test: venv-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The checks of .pre-commit-config.yaml. All three run, so one report shows every finding.
lint: venv-test
	@status=0; \
	$(UV) lock --check --python $(PYTHON) --quiet || status=1; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

# The one command that regenerates uv.lock after pyproject.toml changed (a merge conflict in uv.lock
# is resolved the same way: take either side, then `make lock`).
lock: $(UV)
	$(UV) lock --python $(PYTHON)

check-lock: $(UV)
	$(UV) lock --check --python $(PYTHON)

# The lower bounds in pyproject.toml, tested: the oldest allowed release of every direct dependency
# in a throwaway venv, then the suite without the corpus and browser tests against this checkout.
test-lowest: $(UV)
	rm -rf $(LOWEST)
	$(UV) venv --quiet --python $(PYTHON) $(LOWEST)
	$(UV) pip compile --quiet --python $(PYTHON) --resolution lowest-direct --extra test pyproject.toml \
		-o $(LOWEST)/requirements.txt
	$(UV) pip install --quiet --python $(LOWEST)/bin/python -r $(LOWEST)/requirements.txt
	PYTHONPATH=$(CURDIR) $(LOWEST)/bin/python -m pytest -p no:cacheprovider -m "not corpus and not browser" \
		-x -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) data
