"""The benchmark suite's smoke mode runs in make test, so the suite cannot rot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks import gate
from benchmarks.run import main


@pytest.mark.solver
def test_smoke_benchmark_runs_and_peers_agree(tmp_path):
    path = main(["--mode", "smoke", "--repeat", "1", "--out", str(tmp_path), "--time-limit", "120"])
    results = json.loads(path.read_text())
    assert results["cases"], "no case ran"
    for name, entry in results["cases"].items():
        ours = entry["siting"]
        assert ours["status"] == "optimal", name
        for phase in ("load", "precompute", "build", "solve", "total"):
            assert ours[phase]["median"] >= 0
        for peer, theirs in entry["peers"].items():
            if theirs["status"] == "optimal":  # both proved optimality: the optima must agree
                assert theirs["objective"] == pytest.approx(ours["objective"], rel=1e-6), (name, peer)
    assert "fast-mclp-synthetic" in results["cases"]
    assert {"corridor-tiny", "park-tiny"} <= set(results["cases"])
    assert {entry["siting"]["model"] for entry in results["cases"].values()} == {"fast", "corridor", "park"}
    assert set(results["cases"]["fast-mclp-synthetic"]["peers"]) == {"spopt", "pyomo"}
    assert path.with_suffix(".md").read_text().startswith("# siting benchmarks")
    # the committed smoke baseline's answers still hold (speed is benchmarks' business, not a test's)
    baseline = gate.read_baseline(Path(__file__).parents[1] / "benchmarks" / "baseline-smoke.json")
    assert set(baseline["cases"]) == set(results["cases"])
    assert gate.check(results, baseline, slowdown=float("inf")) == []
