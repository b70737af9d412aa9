"""Stopped by a limit, every model reports honestly and writes complete result files.

With an incumbent: status `time_limit`, the incumbent's objective, the best bound and the gap in
summary.json and summary.md, and the same files as a solved run (sites.gpkg, pictures, summaries),
exit code 0. The incumbent cases stop HiGHS at its first improving solution
(`mip_max_improving_sols = 1`, a limit like the time limit but independent of the machine's speed;
HiGHS reports it as a solution limit, which siting maps to `time_limit`); small seeded instances
from `siting generate` where that solution is not yet proven optimal. One case per model uses a
real `--time-limit`: fast with its greedy warm start (an incumbent from the start), and all three
with 0.01 s on a real-size instance and no warm start, so that no plan exists yet: status
`time_limit`, a clear message with the bound, summary.json and summary.md only, exit code 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from siting.cli.main import cli
from siting.options import SolveOptions
from siting.registry import model_spec
from siting.solve import relative_gap

REPO = Path(__file__).resolve().parents[2]
PICTURES = {"fast": {"map.png"}, "corridor": {"map.png"}, "park": {"map.png", "load_per_slot.png"}}
# small instances whose first improving solution is not yet optimal (checked: gap 1-5 %)
GENERATED = {
    "fast": (["fast", "--demand", "3000", "--candidates", "300", "--objective", "capacitated", "--p", "15",
              "--seed", "1"], {}),
    "corridor": (["corridor", "--nodes", "400", "--od-pairs", "150", "--candidates", "80", "--p", "6", "--seed", "1"],
                 {"presolve": "off"}),  # with presolve HiGHS proves this one optimal at once
    "park": (["park", "--companies", "30", "--squares", "5", "--slots", "24", "--seed", "1"], {}),
}


def generated(tmp_path: Path, model: str) -> Path:
    folder = tmp_path / f"gen-{model}"
    result = CliRunner().invoke(cli, ["generate", *GENERATED[model][0], "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.solver
@pytest.mark.parametrize("model", ["fast", "corridor", "park"])
def test_limit_with_incumbent_reports_bound_gap_and_writes_everything(tmp_path: Path, model: str) -> None:
    folder = generated(tmp_path, model)
    api = model_spec(model)
    highs = {"mip_max_improving_sols": 1, **GENERATED[model][1]}
    run = api.solve(api.load(folder, []), SolveOptions(profile="exact", threads=1, warm_start=False, highs=highs))
    run.source = folder
    out = tmp_path / "out"
    summary = api.write(run, out, False)
    assert summary["status"] == "time_limit"
    assert summary["objective"] is not None and summary["best_bound"] is not None
    assert summary["gap"] == pytest.approx(relative_gap(summary["objective"], summary["best_bound"]))
    assert summary["gap"] > 1e-6  # not proven optimal, and it says by how much
    assert summary["verified"]["feasible"] is True  # the incumbent passes the independent check
    assert {p.name for p in out.iterdir()} == {"sites.gpkg", "summary.json", "summary.md", "report.html"} | PICTURES[model]
    assert json.loads((out / "summary.json").read_text())["best_bound"] == summary["best_bound"]
    text = (out / "summary.md").read_text()
    assert "time limit" in text or "time_limit" in text
    import pyogrio

    layers = pyogrio.list_layers(out / "sites.gpkg")
    assert len(layers) >= 2  # the plan's layers, not an empty GeoPackage


@pytest.mark.solver
def test_real_time_limit_keeps_the_warm_start(tmp_path: Path) -> None:
    """fast: the greedy plan is an incumbent before HiGHS starts; 1 s on pmed22 (minutes to prove)."""
    instance = tmp_path / "pmed22"
    runner = CliRunner()
    assert runner.invoke(cli, ["import", "orlib-pmed", str(REPO / "instances/reference/orlib-pmed/pmed22.txt"),
                               "--out", str(instance)]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(cli, ["solve", str(instance), "--out", str(out), "--time-limit", "1", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "time_limit" and summary["objective"] is not None
    assert "best_bound" in summary and "gap" in summary  # None while HiGHS has no bound yet: never invented
    assert summary["verified"]["feasible"] is True
    assert {p.name for p in out.iterdir()} == {"sites.gpkg", "summary.json", "summary.md", "report.html"}  # no map.png


NO_PLAN = {  # instances where 0.01 s is spent before HiGHS has any plan
    "fast": ("pmed22", ["--no-warm-start"]),
    # generated: HiGHS solved the bundled nal-oost-corridor within 0.01 s on a quiet machine
    "corridor": ("corridor-2k", []),
    "park": (REPO / "instances" / "rijssen-holten-park", []),
}


@pytest.mark.solver
@pytest.mark.parametrize("model", ["fast", "corridor", "park"])
def test_time_limit_without_incumbent(tmp_path: Path, model: str) -> None:
    runner = CliRunner()
    instance, extra = NO_PLAN[model]
    if instance == "pmed22":
        instance = tmp_path / "pmed22"
        assert runner.invoke(cli, ["import", "orlib-pmed", str(REPO / "instances/reference/orlib-pmed/pmed22.txt"),
                                   "--out", str(instance)]).exit_code == 0
    elif instance == "corridor-2k":
        instance = tmp_path / "corridor-2k"
        assert runner.invoke(cli, ["generate", "corridor", "--nodes", "2000", "--od-pairs", "500", "--seed", "1",
                                   "--out", str(instance)]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(cli, ["solve", str(instance), "--out", str(out), "--time-limit", "0.01", *extra])
    assert result.exit_code == 1, result.output  # no plan to act on (README: exit codes)
    assert "Traceback" not in result.output
    stderr = result.stderr.strip().splitlines()
    assert stderr[-1].startswith("No plan: the solver stopped at its limit")
    assert "best bound" in stderr[-1] and "--time-limit" in stderr[-1]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "time_limit" and summary["objective"] is None
    assert "best_bound" in summary and "gap" in summary
    assert "before it found any feasible plan" in summary["message"]
    assert "before it found any feasible plan" in (out / "summary.md").read_text()
    assert {p.name for p in out.iterdir()} == {"summary.json", "summary.md", "report.html"}  # no empty plan files
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
