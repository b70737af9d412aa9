# Two commands for a fresh clone: `make run` and `make test`. Each creates .venv when missing
# and installs the project into it (again only when pyproject.toml changed).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test install clean bench bench-smoke

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

# The whole suite except the cases marked slow (those run in benchmarks/).
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist loadgroup

clean:
	rm -rf $(VENV) results

# Benchmarks (see benchmarks/README.md): the full suite writes benchmarks/results/<date>-<machine>-full.{json,md}.
bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run --mode full --repeat 3

bench-smoke: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run --mode smoke --repeat 1
