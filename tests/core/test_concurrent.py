"""The race of siting's own MCLP solve against plain HiGHS on the compact MILP (siting.concurrent):
the side that proves first wins and stops the other, the merged result keeps the better plan and
the tighter bound, and a solve that ends within the head start never starts a second process."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from tests.fast.test_branch_and_cut import brute_force, textbook_mclp

from siting import concurrent
from siting.fast.api import solve_fast
from siting.fast.model import build_fast
from siting.fast.pairs import fast_pairs
from siting.fast.reduction import reduce_fast
from siting.options import SolveOptions
from siting.solve import SolveResult

pytestmark = pytest.mark.solver

OPTIONS = SolveOptions(profile="exact", time_limit=120.0)


def result(status, objective, bound, x=None, message="own") -> SolveResult:
    x = np.array([objective]) if x is None and objective is not None else x
    gap = None if objective is None or bound is None else abs(bound - objective) / abs(objective)
    return SolveResult(status=status, x=x, objective=objective, best_bound=bound, gap=gap,
                       solver={"interface": "own"}, seconds=1.0, message=message)


def formulation(seed: int = 3):
    inst = textbook_mclp(seed, n_demand=80, n_sites=16, p=4)
    model_inst, model_pairs, _ = reduce_fast(inst, fast_pairs(inst))
    return inst, build_fast(model_inst, model_pairs)


def test_merge_takes_the_compact_proof_and_the_tighter_bound() -> None:
    mine = result("interrupted", 90.0, 110.0)
    theirs = result("optimal", 100.0, 100.0, message="Optimal")
    merged = concurrent.merge(mine, theirs, None, "max", OPTIONS, "tree", 3.0)
    assert (merged.status, merged.objective, merged.best_bound, merged.gap) == ("optimal", 100.0, 100.0, 0.0)
    assert merged.x[0] == 100.0
    assert merged.solver["concurrent"]["proved_by"] == "compact"
    assert "compact" in merged.solver["interface"] and "proved it first" in merged.message


def test_merge_without_a_proof_keeps_the_better_plan_and_the_tighter_bound() -> None:
    mine = result("time_limit", 95.0, 104.0)
    theirs = result("time_limit", 93.0, 102.0)
    merged = concurrent.merge(mine, theirs, None, "max", OPTIONS, "tree", 3.0)
    assert (merged.status, merged.objective, merged.best_bound) == ("time_limit", 95.0, 102.0)
    assert merged.gap == pytest.approx(7.0 / 95.0)
    assert merged.solver["concurrent"]["proved_by"] is None
    # minimising: the lower plan and the higher bound
    merged = concurrent.merge(result("time_limit", 95.0, 80.0), result("time_limit", 93.0, 85.0), None,
                              "min", OPTIONS, "tree", 3.0)
    assert (merged.objective, merged.best_bound) == (93.0, 85.0)


def test_merge_reports_our_proof_and_a_compact_side_that_failed() -> None:
    mine = result("optimal", 100.0, 100.0)
    merged = concurrent.merge(mine, None, None, "max", OPTIONS, "tree", 3.0)
    assert merged.status == "optimal" and merged.solver["concurrent"] == {"compact": {"status": "stopped"},
                                                                         "proved_by": "tree"}
    failed = concurrent.merge(result("time_limit", 90.0, 99.0), None, "MemoryError: ", "max", OPTIONS,
                              "tree", 3.0)
    assert failed.status == "time_limit" and failed.objective == 90.0
    assert failed.solver["concurrent"]["compact"] == {"status": "error", "error": "MemoryError: "}


def test_merge_never_claims_optimal_outside_the_gap() -> None:
    # a compact 'optimal' stated with another gap tolerance than ours does not prove ours
    theirs = result("optimal", 100.0, 101.0)
    merged = concurrent.merge(result("interrupted", 90.0, 120.0), theirs, None, "max", OPTIONS, "tree", 3.0)
    assert merged.status == "interrupted" and merged.solver["concurrent"]["proved_by"] is None


def test_a_compact_proof_stops_our_solve(monkeypatch) -> None:
    """Our side never finishes by itself; the compact MILP's proof must stop it, and the answer is
    the brute-force optimum."""
    monkeypatch.setattr(concurrent, "HEAD_START", 0.2)
    inst, form = formulation()
    stopped = threading.Event()

    def own(register) -> SolveResult:
        register(stopped.set)
        status = "interrupted" if stopped.wait(110.0) else "time_limit"
        return result(status, None, None)

    merged = concurrent.race(own, form, OPTIONS, None, "a solve that waits")
    assert stopped.is_set(), "the compact side's proof did not stop ours"
    assert merged.status == "optimal" and merged.solver["concurrent"]["proved_by"] == "compact"
    assert merged.objective == pytest.approx(brute_force(inst))
    assert form.max_violation(merged.x)[0] <= 1e-6


def test_a_solve_done_within_the_head_start_starts_no_second_process(monkeypatch) -> None:
    monkeypatch.setattr(concurrent, "HEAD_START", 60.0)
    started = []
    monkeypatch.setattr(concurrent, "CompactRace", lambda *args: started.append(args))
    _, form = formulation()
    mine = result("optimal", 5.0, 5.0)
    assert concurrent.race(lambda register: mine, form, OPTIONS, None, "quick") is mine
    assert started == []


def test_auto_races_and_keeps_the_optimum(monkeypatch) -> None:
    """Through solve_fast with no head start: whichever side proves, the checked plan is optimal."""
    monkeypatch.setattr(concurrent, "HEAD_START", 0.0)
    inst = textbook_mclp(5, n_demand=90, n_sites=15, p=4)
    run = solve_fast(inst, OPTIONS)
    assert run.result.status == "optimal" and run.certificate.violations == []
    assert run.result.objective == pytest.approx(brute_force(inst))
    assert run.result.solver["concurrent"]["proved_by"] in ("compact", "branch and Benders cut")


def test_auto_races_beside_benders_too(monkeypatch) -> None:
    """With grid rows auto takes Benders decomposition; it is raced the same way and the plan
    equals the compact model's optimum."""
    from tests.fast.test_model import random_instance

    monkeypatch.setattr(concurrent, "HEAD_START", 0.0)
    inst = random_instance(47, objective="mclp", p=2)
    run = solve_fast(inst, OPTIONS)
    compact = solve_fast(inst, SolveOptions(profile="exact", method="compact"))
    assert run.result.status == compact.result.status == "optimal" and run.certificate.violations == []
    assert run.result.objective == pytest.approx(compact.result.objective, abs=1e-6)
    assert run.result.solver["concurrent"]["proved_by"] in ("compact", "Benders decomposition")


@pytest.mark.parametrize("change", [{"threads": 1}, {"time_limit": 3.0}])
def test_no_race_with_one_thread_or_too_little_time(change) -> None:
    assert concurrent.worth_racing(1_000, OPTIONS)
    assert not concurrent.worth_racing(1_000, SolveOptions(profile="exact", **{"time_limit": 120.0, **change}))
    assert not concurrent.worth_racing(concurrent.MAX_PAIRS + 1, OPTIONS)
