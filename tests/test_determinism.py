"""Same instance, same options, same seed -> the same summary (apart from times) and the same sites."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from siting.fast.api import solve_fast
from siting.fast.report import write_results
from siting.options import SolveOptions

NAL_OOST = Path(__file__).resolve().parents[1] / "instances" / "nal-oost-fast"
VOLATILE = {"times", "seconds", "root_seconds"}


def _stable(summary: dict) -> dict:
    out = {k: v for k, v in summary.items() if k not in VOLATILE}
    out["solver"] = {k: v for k, v in summary["solver"].items() if k != "options"}
    for method in ("benders", "bnb"):  # their phase times are times too
        if method in out["solver"]:
            out["solver"][method] = {k: v for k, v in out["solver"][method].items() if k not in VOLATILE}
    return out


@pytest.mark.solver
@pytest.mark.parametrize("objective", ["capacitated", "mclp", "lscp"])
def test_same_input_same_summary_and_sites(tmp_path, objective):
    summaries, sites = [], []
    for k, threads in enumerate([1, 1, 2]):
        run = solve_fast(NAL_OOST, SolveOptions(threads=threads, seed=7), overrides=[f'fast.objective="{objective}"'])
        summary = write_results(run, tmp_path / f"run{k}")
        summaries.append(json.loads(json.dumps(_stable(summary), default=str)))
        sites.append(sorted(run.instance.site_ids[run.solution.open & ~run.instance.is_existing]))
        assert run.status == "optimal"
    assert summaries[0] == summaries[1]  # same options: identical
    assert sites[0] == sites[1] == sites[2]  # the plan does not depend on the thread count here
    assert summaries[0]["objective"] == pytest.approx(summaries[2]["objective"], rel=1e-9)


def _solve_three_times(tmp_path: Path, model: str, folder: Path, open_sites) -> tuple[list[dict], list[list[str]]]:
    """Solve with threads 1, 1, 2 (seed 7); the stable part of each summary and the open sites."""
    from siting.registry import model_spec

    api = model_spec(model)
    summaries, sites = [], []
    for k, threads in enumerate([1, 1, 2]):
        run = api.solve(api.load(folder, []), SolveOptions(threads=threads, seed=7, profile="exact"))
        run.source = folder
        assert run.status == "optimal", run.result.message
        summary = api.write(run, tmp_path / f"{model}-run{k}", False)
        summaries.append(json.loads(json.dumps(_stable(summary), default=str)))
        sites.append(open_sites(run))
    return summaries, sites


@pytest.mark.solver
def test_corridor_same_input_same_summary_and_sites(tmp_path):
    from siting.importers import convert

    folder = tmp_path / "frlm25"
    folder.mkdir()
    # range 12, p 3: several near-optimal station sets, so a tie broken differently would show
    convert("frlm25", Path(__file__).resolve().parents[1] / "instances" / "reference" / "frlm25", folder,
            range_=12.0, p=3)
    summaries, sites = _solve_three_times(
        tmp_path, "corridor", folder,
        lambda run: sorted(run.instance.site_ids[run.solution.open & ~run.instance.is_existing].tolist()))
    assert summaries[0] == summaries[1]
    assert sites[0] == sites[1] == sites[2]
    assert summaries[0]["objective"] == pytest.approx(summaries[2]["objective"], rel=1e-9)


@pytest.mark.solver
@pytest.mark.parametrize("seed", [1, 4])
def test_park_same_input_same_summary_and_sites(tmp_path, seed):
    from siting.park.synthetic import small_park, write_park_folder

    folder = write_park_folder(tmp_path / f"park-{seed}", *small_park(seed))

    def plan(run):  # open squares with their tier and chargers, and who charges where (rounded shares)
        sol, inst = run.solution, run.instance
        return ([(str(inst.square_ids[s]), int(sol.tier[s]), sol.chargers[s].tolist())
                 for s in np.flatnonzero(sol.open)] + np.round(sol.assign, 6).tolist() + np.round(sol.own, 6).tolist())

    summaries, sites = _solve_three_times(tmp_path, "park", folder, plan)
    assert summaries[0] == summaries[1]
    assert sites[0] == sites[1] == sites[2]
    assert summaries[0]["objective"] == pytest.approx(summaries[2]["objective"], rel=1e-9)
