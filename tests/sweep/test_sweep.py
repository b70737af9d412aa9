"""`siting sweep` on a real Dask LocalCluster (2 worker processes, one thread each).

One cluster serves the whole module (and one pytest-xdist worker runs it): starting one takes a
few seconds. A small synthetic instance (about 2 000 demand cells, 40 candidates) keeps each
solve well under a second; the sweep is p in {3, 6, 9} x radius in {4 km, 8 km}: six runs and two
shared precomputes.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tests.sweep.small_instance import write_sweep

from siting.cli.main import cli
from siting.errors import InstanceError
from siting.sweep import (
    Progress,
    failure_summary,
    read_sweep,
    run_sweep,
    run_task,
    write_run_folder,
)

pytestmark = pytest.mark.xdist_group("sweep")

SWEEP = """
name = "small"
instance = "instance"
[solve]
profile = "exact"
threads = 1
[grid]
"fast.p" = [3, 6, 9]
"fast.radius" = [4000.0, 8000.0]
"""
NAMES = [f"p={p}_radius={r}" for p in (3, 6, 9) for r in (4000, 8000)]


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("sweep"), "small", SWEEP, demand=2000, candidates=40, grid_areas=5,
                       seed=7)


@pytest.fixture(scope="module")
def client():
    import dask
    from distributed import Client, LocalCluster

    from siting.cluster import LOCAL_CONFIG

    # a run that kills its worker twice is given up (KilledWorker) instead of after four times
    with dask.config.set({**LOCAL_CONFIG, "distributed.scheduler.allowed-failures": 1}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.ERROR)
    with cluster, Client(cluster) as c:
        c.wait_for_workers(2, timeout=120)
        yield c


def _sites(folder: Path) -> list[str]:
    import pyogrio

    sites = pyogrio.read_dataframe(folder / "sites.gpkg", layer="sites")
    return sorted(sites.loc[sites["status"] == "new", "id"])


# -- the sweep file -------------------------------------------------------------------------------
def test_read_sweep_expands_the_grid(sweep_file):
    sweep = read_sweep(sweep_file)
    assert [r.name for r in sweep.runs] == NAMES
    assert sweep.axes == ("fast.p", "fast.radius")
    assert sweep.runs[0].overrides == ("fast.p=3", "fast.radius=4000.0")
    assert sweep.options.threads == 1 and sweep.options.profile == "exact"
    # runs that differ only in p share the pairs: one group per radius
    assert [r.group for r in sweep.runs] == [0, 1, 0, 1, 0, 1]


def test_runs_scenarios_and_grid_multiply(sweep_file, tmp_path):
    (tmp_path / "wide.toml").write_text('name = "wide"\nset = { "fast.radius" = 9000.0 }\n')
    path = tmp_path / "s.toml"
    path.write_text(f'instance = "{sweep_file.parent / "instance"}"\nscenarios = ["wide.toml"]\n'
                    '[[runs]]\nname = "pmed"\nset = { fast = { objective = "pmedian" } }\n'
                    '[[runs]]\nname = "mclp"\n[grid]\nfast.p = [2, 4]\n')
    sweep = read_sweep(path)
    assert [r.name for r in sweep.runs] == ["pmed_wide_p=2", "pmed_wide_p=4", "mclp_wide_p=2", "mclp_wide_p=4"]
    assert sweep.axes == ("run", "scenario", "fast.p")
    assert sweep.runs[0].overrides == ('fast.radius=9000.0', 'fast.objective="pmedian"', "fast.p=2")
    assert sweep.runs[0].values == {"run": "pmed", "scenario": "wide", "fast.p": 2}


@pytest.mark.parametrize("text, field, message", [
    ('gird = {}', "gird", "did you mean 'grid'"),
    ('[solve]\ntime_limt = 5', "solve.time_limt", "did you mean 'time_limit'"),
    ('[grid]\n"fast.pp" = [1, 2]', 'grid."fast.pp"', "did you mean 'p'"),
    ('[grid]\n"fast.p" = [1, -1]', 'grid."fast.p"', "greater than or equal to 0"),
    ('[grid]\n"fast.p" = []', "grid", "has no values"),
    ('[[runs]]\nname = "a b"', "runs.0.name", "folder name"),
    ('[[runs]]\nname = "a"\nset = { "fast.p" = 2 }\n[grid]\n"fast.p" = [1, 2]', "fast.p", "more than one axis"),
])
def test_bad_sweep_file_names_file_and_key(sweep_file, tmp_path, text, field, message):
    path = tmp_path / "bad.toml"
    path.write_text(f'instance = "{sweep_file.parent / "instance"}"\n{text}\n')
    with pytest.raises(InstanceError) as err:
        read_sweep(path)
    problem = err.value.problems[0]
    assert problem.file == str(path)
    assert problem.field == field
    assert message in problem.message
    result = CliRunner().invoke(cli, ["sweep", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.output


# -- running on the cluster -----------------------------------------------------------------------
@pytest.mark.solver
def test_sweep_equals_solving_one_by_one(sweep_file, client, tmp_path):
    from siting.fast.api import solve_fast

    sweep = read_sweep(sweep_file)
    out = tmp_path / "out"
    report = run_sweep(sweep, client, out)
    assert sorted(report.ran) == sorted(NAMES) and not report.failed
    for spec in sweep.runs:
        alone = solve_fast(sweep.instance, sweep.options, list(spec.overrides))
        summary = json.loads((out / spec.name / "summary.json").read_text())
        assert summary["status"] == alone.status == "optimal"
        assert summary["objective"] == pytest.approx(alone.objective, rel=1e-9)
        assert summary["kpis"] == pytest.approx(alone.certificate.kpis)
        assert summary["verified"]["feasible"]
        new = alone.instance.site_ids[alone.solution.open & ~alone.instance.is_existing]
        assert _sites(out / spec.name) == sorted(new)
    # the pairs were computed once per radius: every run of a group got the same computation
    shared = {}
    for spec in sweep.runs:
        summary = json.loads((out / spec.name / "summary.json").read_text())
        shared.setdefault(spec.group, set()).add(summary["times"]["precompute_shared"])
    assert all(len(seconds) == 1 for seconds in shared.values()) and len(shared) == 2
    # the table and the plots
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["run"]) == NAMES and set(table["status"]) == {"optimal"}
    assert {"fast.p", "fast.radius", "objective", "gap", "covered_demand_pct", "seconds"} <= set(table.columns)
    assert (table["objective"].diff()[1::2] > 0).all()  # a wider radius covers more, for each p
    assert (out / "plots" / "fast.p.png").stat().st_size > 0 and (out / "plots" / "fast.radius.png").exists()
    assert "| p=3_radius=4000 | 3 | 4,000 | optimal |" in (out / "sweep.md").read_text()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folder left


def crashing_task(marker: str, always: str, once: str, *args):
    """A run task that kills its worker process: always for run `always`, the first time for `once`."""
    spec = args[2]
    if spec.name == always:
        os._exit(1)
    if spec.name == once and not Path(marker).exists():
        Path(marker).touch()
        os._exit(1)
    return run_task(*args)


@pytest.mark.solver
def test_a_killed_worker_does_not_stop_the_sweep(sweep_file, client, tmp_path):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/
    sweep = read_sweep(sweep_file)
    marker = tmp_path / "crashed-once"

    # a worker dies once during a run: Dask runs it again on another worker and it finishes
    task = functools.partial(crashing_task, str(marker), "", NAMES[4])
    report = run_sweep(sweep, client, tmp_path / "once", task=task)
    assert marker.exists()
    assert sorted(report.summaries) == sorted(NAMES) and not report.failed
    assert json.loads((tmp_path / "once" / NAMES[4] / "summary.json").read_text())["status"] == "optimal"
    client.wait_for_workers(2, timeout=120)  # the nanny restarts the killed worker

    # a run kills every worker it is given: it is recorded as failed, the others finish
    task = functools.partial(crashing_task, str(marker), NAMES[1], "")
    out = tmp_path / "always"
    report = run_sweep(sweep, client, out, task=task)
    assert sorted(report.summaries) == sorted(NAMES)  # every run accounted for
    assert report.failed == [NAMES[1]]
    failed = json.loads((out / NAMES[1] / "summary.json").read_text())
    assert failed["status"] == "failed" and failed["error"]["kind"] == "KilledWorker"
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["status"]) == ["optimal", "failed"] + ["optimal"] * 4, table.to_string()
    assert "KilledWorker" in table["message"][1]
    client.wait_for_workers(2, timeout=120)


class StopAfter(Progress):
    """Ctrl-C after `n` runs have finished."""

    def __init__(self, n: int):
        self.n, self.seen = n, 0

    def finished(self, name: str, summary: dict) -> None:
        self.seen += 1
        if self.seen == self.n:
            raise KeyboardInterrupt


@pytest.mark.solver
def test_resume_runs_only_the_missing_runs(sweep_file, client, tmp_path):
    sweep = read_sweep(sweep_file)
    out = tmp_path / "out"
    first = run_sweep(sweep, client, out, progress=StopAfter(2))
    assert first.interrupted and len(first.ran) == 2
    table = pd.read_csv(out / "sweep.csv")
    assert (table["status"] == "not run").sum() == 4
    kept = {name: (out / name / "summary.json").stat().st_mtime_ns for name in first.ran}

    second = run_sweep(sweep, client, out, resume=True)
    assert sorted(second.skipped) == sorted(first.ran)
    assert sorted(second.ran) == sorted(set(NAMES) - set(first.ran))
    assert {name: (out / name / "summary.json").stat().st_mtime_ns for name in first.ran} == kept
    table = pd.read_csv(out / "sweep.csv")
    assert set(table["status"]) == {"optimal"} and len(table) == 6
    # a run recorded as failed (a crash, a killed worker) is run again by --resume
    spec = sweep.runs[0]
    write_run_folder(out, spec.name, failure_summary(spec, "KilledWorker", "test"))
    third = run_sweep(sweep, client, out, resume=True)
    assert third.ran == [spec.name] and len(third.skipped) == 5
    assert json.loads((out / spec.name / "summary.json").read_text())["status"] == "optimal"


@pytest.mark.solver
def test_cli_sweep_on_an_existing_scheduler(sweep_file, client, tmp_path):
    out = tmp_path / "cli"
    address = client.scheduler.address
    runner = CliRunner()
    result = runner.invoke(cli, ["sweep", str(sweep_file), "--scheduler", address, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "6 run(s)" in result.output and "6 optimal" in result.output
    assert len(pd.read_csv(out / "sweep.csv")) == 6
    again = runner.invoke(cli, ["sweep", str(sweep_file), "--scheduler", address, "--out", str(out)])
    assert again.exit_code == 2 and "--resume" in again.output
    resumed = runner.invoke(cli, ["sweep", str(sweep_file), "--scheduler", address, "--out", str(out), "--resume"])
    assert resumed.exit_code == 0 and "0 run(s)" in resumed.output and "6 kept" in resumed.output
    objectives = pd.read_csv(out / "sweep.csv")["objective"].to_numpy()
    assert np.all(np.isfinite(objectives))


@pytest.mark.solver
def test_corridor_scenario_files_are_applied_in_sweep_runs():
    """A corridor scenario's search-area and grid parts (not only its `set`) reach the run."""
    from siting.corridor.api import solve_corridor
    from siting.corridor.scenario import apply_scenario, load_scenario
    from siting.sweep import read_sweep, run_task

    folder = Path(__file__).resolve().parents[2] / "instances" / "nal-oost-corridor"
    sweep = read_sweep(folder / "sweeps" / "options-and-consumption.toml")
    assert len(sweep.runs) == 4 and all(r.scenario_file for r in sweep.runs)
    spec = next(r for r in sweep.runs if r.values["scenario"] == "Culemborg-10-MW" or "ulemborg" in r.name)
    got = run_task(sweep.model, str(sweep.instance), spec, sweep.options)["summary"]
    scenario = load_scenario(spec.scenario_file)
    from siting.corridor.load import load_corridor

    direct = solve_corridor(apply_scenario(load_corridor(folder, list(spec.overrides)), scenario), sweep.options)
    assert got["status"] == direct.status == "optimal"
    assert got["objective"] == pytest.approx(direct.objective, rel=1e-9)


def test_shared_data_lost_with_its_workers_is_computed_by_the_run(monkeypatch):
    """The data of a group whose holders a run of the same group killed more often than Dask
    allows (KilledWorker on the precompute, seen in CI): the run computes it itself."""
    import contextlib

    import distributed
    from distributed.scheduler import KilledWorker

    from siting.sweep import tasks

    class LostDataset:
        def get_dataset(self, name):
            class Future:
                def result(self):
                    raise KilledWorker("siting-precompute-1", None, 1)
            return Future()

    monkeypatch.setattr(distributed, "worker_client", lambda: contextlib.nullcontext(LostDataset()))
    monkeypatch.setattr(tasks, "_SHARED_CACHE", {})
    computed = []
    data = tasks.shared_data("siting-shared-1-x", lambda: computed.append(1) or ("pairs", 0.5))
    assert data == ("pairs", 0.5) and computed == [1]
    assert tasks.shared_data("siting-shared-1-x", lambda: computed.append(1)) == ("pairs", 0.5)
    assert computed == [1]  # kept for the next run of the group
