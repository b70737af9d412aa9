"""HiGHS keeps one task scheduler per process, sized at its first run, and ends a later run that
asks for another `threads` at once (status kNotset, no plan): emit.size_scheduler resets it, so
a 1-thread heuristic LP after a solve on all threads (a park CFLP start inside a test worker or a
comparison) still solves. Each case runs in a fresh interpreter: the scheduler is process-wide."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.solver

SCRIPT = """
from siting.formulation.emit import new_highs, run_highs
from siting.solve import run_interruptible
statuses = []
for threads in (0, 1, 2, 1, 0):
    h = new_highs()
    h.setOptionValue("threads", threads)
    h.addVar(0.0, 1.0)
    h.changeColCost(0, 1.0)
    (run_highs if threads != 2 else run_interruptible)(h)
    statuses.append(h.modelStatusToString(h.getModelStatus()))
print(statuses)
"""


def test_runs_with_another_thread_count_solve() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(["Optimal"] * 5)


def test_without_the_reset_highs_refuses_the_run() -> None:
    """The defect the reset works around (so the test above can fail): threads 1 after 0."""
    script = ("from siting.formulation.emit import new_highs\nout = []\nfor t in (0, 1):\n"
              "    h = new_highs(); h.setOptionValue('threads', t); h.addVar(0.0, 1.0); h.run()\n"
              "    out.append(h.modelStatusToString(h.getModelStatus()))\nprint(out)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(["Optimal", "Not Set"])
