# Two commands for a fresh clone: `make run` and `make test`. Each creates .venv when missing
# and installs the project into it (again only when pyproject.toml or the lock changed), with
# every package at the exact version of requirements.lock (the versions CI passed with; `make
# lock` renews it).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock

.PHONY: run test test-slow install clean bench bench-smoke lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test]"
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run

# Solve the bundled NAL-Oost instance; results/nal-oost-fast/ is make run's own folder and is
# replaced each time (siting itself never overwrites a folder without --overwrite).
run: $(VENV)/.installed-run
	$(BIN)/siting solve instances/nal-oost-fast --out results/nal-oost-fast --overwrite

# The whole suite except the cases marked slow.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist loadgroup --durations=10

# The slow tier (CI runs it after `make test`, .ci/run): the known values marked slow (pmed6, 17, 18, 22, the
# slow Holmberg instances, FRLM p = 4) and the long loader fuzzing.
test-slow: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m slow -n auto --dist loadgroup --durations=15

clean:
	rm -rf $(VENV) results

# Renew requirements.lock: the newest versions pyproject.toml allows, resolved in a fresh venv.
# Run `make test` and `.ci/run` on it before committing it (README: updating the lock).
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet ".[test]"
	{ echo "# The exact versions siting's CI passed with (Python $$(.lock-venv/bin/python -c 'import platform; print(platform.python_version())'), $$(uname -sm))."; \
	  echo "# A pip constraints file: make installs with -c $(LOCK). Renew with make lock."; \
	  .lock-venv/bin/python -m pip freeze --all --exclude-editable | grep -v -i -E '^(siting|pip)( @|==)' ; } > $(LOCK)
	rm -rf .lock-venv

# Benchmarks (see benchmarks/README.md): the full suite writes benchmarks/results/<date>-<machine>-full.{json,md}
# and exits 1 when a case misses its published optimum, loses its proof or slowed down against the
# committed baseline (benchmarks/gate.py; speed as a ratio to a calibration solve of the same run).
bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run --mode full --repeat 3 --check benchmarks/baseline-full.json

bench-smoke: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run --mode smoke --repeat 1 --check benchmarks/baseline-smoke.json
