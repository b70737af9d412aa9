"""The CFLP MIP start (siting.park.heuristics): a feasible plan of the model that is built, never
better than the proven optimum, and used only where the park model is a plain CFLP."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.importers import convert
from siting.options import SolveOptions
from siting.park.api import park_model, solve_park
from siting.park.heuristics import cflp_start, is_cflp
from siting.park.load import load_park
from siting.park.synthetic import small_park, write_park_folder

REFERENCE = Path(__file__).resolve().parents[2] / "instances" / "reference"
CASES = [("orlib-cap", "orlib-cap/cap41.txt"), ("orlib-cap", "orlib-cap/cap111.txt"),
         ("holmberg", "holmberg-sscflp/p1"), ("holmberg", "holmberg-sscflp/p41"),
         ("orlib-pmedcap", "orlib-pmedcap/pmedcap01.txt")]


@pytest.mark.solver
@pytest.mark.parametrize("fmt, name", CASES, ids=[c[1].split("/")[1] for c in CASES])
def test_start_is_feasible_and_not_below_the_optimum(tmp_path, fmt: str, name: str) -> None:
    convert(fmt, REFERENCE / name, tmp_path)
    inst = load_park(tmp_path)
    assert is_cflp(inst)
    form, idx, warm, info = park_model(inst, SolveOptions(profile="exact"))
    assert warm is not None and info["used"], info
    violation, where = form.max_violation(warm)
    assert violation <= 1e-6, where
    if inst.params.max_squares is not None:
        assert info["squares_open"] <= inst.params.max_squares
    run = solve_park(inst, SolveOptions(profile="exact"))
    assert run.status == "optimal" and run.warm_start["used"]
    assert info["objective"] >= run.objective - 1e-6 * abs(run.objective)
    assert run.certificate.violations == []


def test_not_a_cflp_gets_no_start(tmp_path) -> None:
    inst = load_park(write_park_folder(tmp_path, *small_park(0)))
    assert not is_cflp(inst)
    form, idx, warm, info = park_model(inst, SolveOptions(profile="exact"))
    assert warm is None and not info["used"]
    assert cflp_start(form, inst, idx)[0] is None


def test_no_start_when_warm_start_is_off(tmp_path) -> None:
    convert("orlib-cap", REFERENCE / "orlib-cap/cap41.txt", tmp_path)
    _, _, warm, info = park_model(load_park(tmp_path), SolveOptions(profile="exact", warm_start=False))
    assert warm is None and not info["used"]


@pytest.mark.solver
def test_json_stdout_stays_json_when_the_start_runs(tmp_path) -> None:
    """The start's LP is the first HiGHS object of a fresh process: its banner must not reach stdout,
    which --json promises to be summary.json alone."""
    import json
    import subprocess
    import sys

    (tmp_path / "cap41").mkdir()
    convert("orlib-cap", REFERENCE / "orlib-cap/cap41.txt", tmp_path / "cap41")
    exe = Path(sys.executable).parent / "siting"
    proc = subprocess.run([str(exe), "solve", str(tmp_path / "cap41"), "--out", str(tmp_path / "out"), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["warm_start"]["used"] and summary["status"] == "optimal"
