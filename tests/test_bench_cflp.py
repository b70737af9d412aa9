"""benchmarks/cflp.py and the gate's calibration run HiGHS through run_highs: a run asking for
another thread count than the process's first HiGHS run still solves (before, it ended at once
with status "Not Set" and no plan)."""

from __future__ import annotations

import pytest
from benchmarks.cflp import cst_cflp, solve_compact_side, solve_park_side, write_instance
from benchmarks.gate import calibrate

pytestmark = pytest.mark.solver


def test_both_sides_solve_a_small_cflp_to_one_optimum_whatever_the_thread_count(tmp_path) -> None:
    c = cst_cflp(8, 40, 3.0, seed=1)
    park = solve_park_side(write_instance(c, tmp_path / c.name), 60.0, 1, 0)
    compact = solve_compact_side(c, 60.0, 2, 0)  # another thread count than the run before
    assert park["status"] == compact["status"] == "Optimal"
    assert park["objective"] == pytest.approx(compact["objective"], rel=1e-6)
    assert calibrate(repeat=1) > 0  # one thread again: optimal, or it asserts
