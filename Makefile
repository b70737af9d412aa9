# Two commands for a fresh clone: `make run` and `make test`. Each creates .venv when missing
# and installs the project into it (again only when pyproject.toml changed).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-slow install clean bench bench-smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run

# Solve the bundled NAL-Oost instance; results/nal-oost-fast/ is make run's own folder and is
# replaced each time (siting itself never overwrites a folder without --overwrite).
run: $(VENV)/.installed-run
	$(BIN)/siting solve instances/nal-oost-fast --out results/nal-oost-fast --overwrite

# The whole suite except the cases marked slow.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist loadgroup --durations=10

# The slow tier (CI runs it after `make test`, .ci/run): the known values marked slow (pmed22, the
# slow Holmberg instances, FRLM p = 4) and the long loader fuzzing.
test-slow: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m slow -n auto --dist loadgroup --durations=15

clean:
	rm -rf $(VENV) results

# Benchmarks (see benchmarks/README.md): the full suite writes benchmarks/results/<date>-<machine>-full.{json,md}
# and exits 1 when a case misses its published optimum, loses its proof or slowed down against the
# committed baseline (benchmarks/gate.py; speed as a ratio to a calibration solve of the same run).
bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run --mode full --repeat 3 --check benchmarks/baseline-full.json

bench-smoke: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run --mode smoke --repeat 1 --check benchmarks/baseline-smoke.json
