"""Same instance, same options, same seed -> the same summary (apart from times) and the same sites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from siting.api import solve_fast
from siting.io.report import write_results
from siting.solve import SolveOptions

NAL_OOST = Path(__file__).resolve().parents[1] / "instances" / "nal-oost-fast"
VOLATILE = {"times", "seconds"}


def _stable(summary: dict) -> dict:
    out = {k: v for k, v in summary.items() if k not in VOLATILE}
    out["solver"] = {k: v for k, v in summary["solver"].items() if k != "options"}
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
