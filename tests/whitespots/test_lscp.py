"""The white-spot LSCP is the fast model's LSCP: OR-Library set-covering optima through `solve_fill`.

The optima are the rows of tests/fast/known_values.csv (the fast model's manifest), so both tests
read one table; `solve_fill` hands the problem to `siting.fast.api.solve_fast`, which the spy below
confirms, and the independent checker agrees.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import siting.whitespots.lscp as lscp
from siting.importers import convert
from siting.options import SolveOptions
from siting.precompute import Pairs
from siting.whitespots.lscp import FillProblem, fill_instance, solve_fill

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "tests" / "fast" / "known_values.csv"
CASES = ("scp41", "scp51")


def scp_rows() -> dict[str, dict]:
    with open(MANIFEST, newline="", encoding="utf-8") as f:
        return {r["instance"]: r for r in csv.DictReader(f) if r["set"] == "orlib-scp"}


def fill_problem_of(folder: Path) -> FillProblem:
    demand = pd.read_csv(folder / "demand.csv", dtype={"id": str})
    cand = pd.read_csv(folder / "candidates.csv", dtype={"id": str})
    cover = pd.read_csv(folder / "coverage.csv", dtype=str)
    rows = pd.Index(demand["id"]).get_indexer(cover["demand_id"])
    cols = pd.Index(cand["id"]).get_indexer(cover["candidate_id"])
    pairs = Pairs.from_coo(rows, cols, np.zeros(len(cover)), len(demand), len(cand))
    return FillProblem(name=folder.name, cell_ids=demand["id"].to_numpy(object), households=np.ones(len(demand)),
                       location_ids=cand["id"].to_numpy(object), cost=cand["fixed_cost"].to_numpy(float), pairs=pairs)


@pytest.mark.solver
@pytest.mark.parametrize("name", CASES)
def test_orlib_scp_optimum_through_the_whitespots_entry_point(name, tmp_path, monkeypatch):
    row = scp_rows()[name]
    folder = tmp_path / name
    folder.mkdir()
    convert("orlib-scp", ROOT / row["file"], folder)
    calls = []
    real = lscp.solve_fast
    monkeypatch.setattr(lscp, "solve_fast", lambda inst, options: calls.append(inst) or real(inst, options))
    run = solve_fill(fill_problem_of(folder), SolveOptions(profile="exact"))
    assert len(calls) == 1 and calls[0].params.objective == "lscp"
    assert run.status == "optimal"
    assert run.objective == pytest.approx(float(row["expected"]), rel=1e-9)
    assert run.certificate.violations == [] and run.certificate.objective == pytest.approx(run.objective)
    assert run.formulation.name == "fast-lscp" and "cover" in run.formulation.cons


def test_fill_instance_is_an_lscp_of_new_sites():
    problem = FillProblem(name="t", cell_ids=np.array(["c"], object), households=np.array([130.0]),
                          location_ids=np.array(["l1", "l2"], object), cost=np.ones(2), points=2, kw_per_point=11.0,
                          radius=250.0, cell_xy=np.array([[250.0, 250.0]]), location_xy=np.array([[300.0, 250], [0, 0]]))
    inst = fill_instance(problem)
    assert inst.params.objective == "lscp" and inst.params.min_chargers == 2
    assert not inst.is_existing.any() and (inst.max_chargers == 2).all()
