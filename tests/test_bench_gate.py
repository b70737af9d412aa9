"""`make bench` fails on a regression: a missed published optimum, a lost proof, a changed optimum,
or a slowdown measured against the calibration solve of the same run (benchmarks/gate.py).
The timings here are planted numbers, not measurements: no wall clock is asserted."""

from __future__ import annotations

import copy
import json

import pytest
from benchmarks import gate
from benchmarks.run import main


def _results(status="optimal", objective=429.0, total=2.0, calibration=1.0, known=429.0, bound=None) -> dict:
    bound = objective if bound is None else bound
    gap = abs(objective - bound) / abs(objective)
    return {"date": "2026-12-01 00:00:00", "machine": "vm", "cpu": "cpu", "versions": {}, "calibration_s": calibration,
            "cases": {"scp41": {"known": known, "peers": {},
                                "siting": {"status": status, "objective": objective, "bound": bound, "gap": gap,
                                           "total": {"median": total, "min": total, "max": total}}}}}


BASELINE = gate.baseline_of(_results())


def test_an_unchanged_run_passes():
    assert gate.check(_results(), BASELINE) == []


def test_the_same_slowdown_on_a_slower_machine_passes():
    # twice the seconds with a calibration that also took twice as long: the same speed
    assert gate.check(_results(total=4.0, calibration=2.0), BASELINE) == []


@pytest.mark.parametrize(("run", "message"), [
    (dict(objective=430.0), "misses the published optimum 429: objective 430.0, bound 430.0"),
    (dict(objective=428.0, bound=428.0), "misses the published optimum 429"),  # a plan below the optimum
    (dict(objective=430.0, bound=429.5), "misses the published optimum 429"),  # a bound beyond it: wrong proof
    (dict(status="time_limit", objective=430.0), "published optimum 429 not proven: status time_limit"),
    (dict(total=3.5), "slower: 3.50× the calibration solve, baseline 2.00×"),
    (dict(status="time_limit", known=None), "was proven optimal in the baseline, now time_limit"),
    (dict(objective=428.0, known=None), "optimum changed: 428.0 (baseline 429.0)"),
])
def test_a_planted_regression_is_named(run, message):
    failures = gate.check(_results(**run), BASELINE)
    assert [f.case for f in failures] and all(f.case == "scp41" for f in failures)
    assert any(message in str(f) for f in failures), failures


def test_an_optimum_within_the_proven_gap_passes():
    # the default profile's 1e-4 gap: Holmberg p30 stops at 11 332 with its bound at the optimum 11 331
    results = _results(objective=11332.0, bound=11331.0, known=11331.0)
    assert gate.check(results, gate.baseline_of(_results(objective=11331.0, known=11331.0))) == []


def test_fast_cases_are_too_noisy_for_the_speed_check():
    fast = gate.baseline_of(_results(total=0.2))
    assert gate.check(_results(total=0.6), fast) == []  # 3x, but under MIN_SECONDS in both runs


@pytest.mark.solver
def test_bench_exits_nonzero_on_a_planted_regression(tmp_path, capsys):
    """The real runner on one smoke case, against a baseline whose optimum was planted 1 lower."""
    results = main(["--mode", "smoke", "--case", "scp41", "--repeat", "1", "--out", str(tmp_path / "a"),
                    "--write-baseline", str(tmp_path / "baseline.json")])
    baseline = json.loads((tmp_path / "baseline.json").read_text())
    assert baseline["cases"]["scp41"]["status"] == "optimal" and baseline["calibration_s"] > 0
    assert json.loads(results.read_text())["cases"]["scp41"]["known"] == 429
    planted = copy.deepcopy(baseline)
    planted["cases"]["scp41"]["objective"] = 428.0
    (tmp_path / "planted.json").write_text(json.dumps(planted))
    # speed is not compared here (--slowdown inf): this is a test, not a timing
    main(["--mode", "smoke", "--case", "scp41", "--repeat", "1", "--out", str(tmp_path / "b"),
          "--check", str(tmp_path / "baseline.json"), "--slowdown", "inf"])
    with pytest.raises(SystemExit) as stop:
        main(["--mode", "smoke", "--case", "scp41", "--repeat", "1", "--out", str(tmp_path / "c"),
              "--check", str(tmp_path / "planted.json"), "--slowdown", "inf"])
    assert stop.value.code == 1
    out = capsys.readouterr().out
    assert "REGRESSION scp41: optimum changed: 429" in out and "(baseline 428.0)" in out
    assert "1 regression(s)" in out
