"""The benchmark gate: a run of benchmarks/run.py fails when an answer or its speed regressed.

Against the published optimum of a case (registry.Case.known) and a committed baseline
(benchmarks/baseline-<mode>.json, written by `python -m benchmarks.run --write-baseline`):
- a case with a known optimum must be proven optimal at that value (within its proven gap);
- a case that was proven optimal in the baseline must still be, at the same objective;
- speed is compared as a ratio measured in the same run, so the gate holds on another machine and
  under another load: each case's total seconds divided by the calibration (a fixed plain-HiGHS
  solve, `calibrate()`) of its own run. A case fails when that ratio grew by more than `slowdown`
  against the baseline's; cases faster than `min_seconds` in both runs are too noisy to compare.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REL_TOL = 1e-6
SLOWDOWN = 1.5
MIN_SECONDS = 1.0


def calibrate(repeat: int = 3) -> float:
    """Median seconds of one fixed MILP in plain HiGHS (one thread): a seeded p-median (40 sites,
    200 clients, p = 6; x_ij <= y_j links), built as arrays and passed in one call. It exercises what
    the cases do (LP, cuts, branch and bound) and uses none of siting's models (only run_highs, which
    sizes HiGHS's process-wide scheduler), so a change in siting does not move it."""
    import highspy
    from scipy.sparse import coo_array, csc_array, eye_array, hstack, kron, vstack

    from siting.formulation.emit import run_highs

    rng = np.random.default_rng(20261201)
    n_sites, n_clients, p = 40, 200, 6
    sites, clients = rng.uniform(0, 100, (n_sites, 2)), rng.uniform(0, 100, (n_clients, 2))
    cost = np.linalg.norm(clients[:, None, :] - sites[None, :, :], axis=2).ravel()  # x[i, j] row-major, then y[j]
    n_x = n_clients * n_sites
    assign = hstack([kron(eye_array(n_clients), np.ones((1, n_sites))), coo_array((n_clients, n_sites))])
    link = hstack([eye_array(n_x), -kron(np.ones((n_clients, 1)), eye_array(n_sites))])
    count = hstack([coo_array((1, n_x)), np.ones((1, n_sites))])
    a = csc_array(vstack([assign, link, count]))
    row_lower = np.concatenate([np.ones(n_clients), np.full(n_x, -np.inf), [p]])
    row_upper = np.concatenate([np.ones(n_clients), np.zeros(n_x), [p]])
    integer = np.concatenate([np.zeros(n_x), np.ones(n_sites)]).astype(np.int32)
    seconds = []
    for _ in range(repeat):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        t = time.perf_counter()
        h.passModel(a.shape[1], a.shape[0], int(a.nnz), int(highspy.MatrixFormat.kColwise),
                    int(highspy.ObjSense.kMinimize), 0.0, np.concatenate([cost, np.zeros(n_sites)]),
                    np.zeros(a.shape[1]), np.ones(a.shape[1]), row_lower, row_upper, a.indptr.astype(np.int32),
                    a.indices.astype(np.int32), a.data.astype(np.float64), integer)
        run_highs(h)  # a run asking another thread count than the process's scheduler ends at once
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(h.getModelStatus())
        seconds.append(time.perf_counter() - t)
    return statistics.median(seconds)


@dataclass(frozen=True)
class Failure:
    case: str
    what: str

    def __str__(self) -> str:
        return f"{self.case}: {self.what}"


def _within(value: float | None, lo: float | None, hi: float | None) -> bool:
    """value in [lo, hi], up to REL_TOL (hi = lo for an exact answer)."""
    if value is None or lo is None:
        return False
    lo, hi = sorted((lo, lo if hi is None else hi))
    tol = REL_TOL * max(1.0, abs(value))
    return lo - tol <= value <= hi + tol


def check(results: dict, baseline: dict | None, *, slowdown: float = SLOWDOWN,
          min_seconds: float = MIN_SECONDS) -> list[Failure]:
    """Every regression of `results` (benchmarks/run.py's JSON) against the published optima and `baseline`.

    An optimum is met when it lies between the run's bound and objective: exactly equal under the
    exact profile, within the proven gap under a profile with a gap tolerance (the default's 1e-4
    may stop at 11 332 on Holmberg p30, whose optimum 11 331 its bound reaches). A bound beyond
    the published optimum is a wrong proof and fails like a wrong objective."""
    failures = []
    calibration = results.get("calibration_s")
    base_cases = (baseline or {}).get("cases", {})
    base_calibration = (baseline or {}).get("calibration_s")
    for name, entry in results["cases"].items():
        ours = entry["siting"]
        known = entry.get("known")
        answer = f"objective {ours['objective']}, bound {ours.get('bound')}, gap {ours.get('gap')}"
        if known is not None:
            if ours["status"] != "optimal":
                failures.append(Failure(name, f"published optimum {known:g} not proven: status {ours['status']}, "
                                              f"{answer}"))
            elif not _within(known, ours.get("bound"), ours["objective"]):
                failures.append(Failure(name, f"misses the published optimum {known:g}: {answer}"))
        before = base_cases.get(name)
        if before is None:
            continue
        if before["status"] == "optimal" and ours["status"] != "optimal":
            failures.append(Failure(name, f"was proven optimal in the baseline, now {ours['status']} "
                                          f"(gap {ours['gap']})"))
        elif before["status"] == "optimal" and not _same_optimum(ours, before):
            failures.append(Failure(name, f"optimum changed: {ours['objective']} (baseline {before['objective']})"))
        now_s, then_s = ours["total"]["median"], before["total_s"]
        if calibration and base_calibration and max(now_s, then_s) >= min_seconds:
            ratio, base_ratio = now_s / calibration, then_s / base_calibration
            if ratio > slowdown * base_ratio:
                failures.append(Failure(name, f"slower: {ratio:.2f}× the calibration solve, baseline "
                                              f"{base_ratio:.2f}× ({ratio / base_ratio:.2f}× slower; limit "
                                              f"{slowdown:g}×; {now_s:.2f} s now)"))
    return failures


def _same_optimum(ours: dict, before: dict) -> bool:
    """Two proven answers agree when each objective lies within the other's proven range."""
    if ours["objective"] is None or before["objective"] is None:
        return False
    a, b = ours["objective"], before["objective"]
    gap = max(ours.get("gap") or 0.0, before.get("gap") or 0.0)  # relative to the incumbent
    return abs(a - b) <= gap * max(abs(a), abs(b)) + REL_TOL * max(1.0, abs(b))


def baseline_of(results: dict) -> dict:
    """What a baseline keeps of a run: per case status, objective and total seconds, and the calibration."""
    return {"date": results["date"], "machine": results["machine"], "cpu": results["cpu"],
            "versions": results["versions"], "calibration_s": results["calibration_s"],
            "cases": {name: {"status": e["siting"]["status"], "objective": e["siting"]["objective"],
                             "gap": e["siting"].get("gap"), "total_s": e["siting"]["total"]["median"]}
                      for name, e in results["cases"].items()}}


def read_baseline(path: Path) -> dict:
    return json.loads(Path(path).read_text())
