"""Ctrl-C during a real solve: HiGHS stops cleanly, the incumbent is written, exit code 130."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SITING = Path(sys.executable).parent / "siting"


@pytest.mark.solver
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_solve_keeps_incumbent(tmp_path, sig):
    instance = tmp_path / "pmed22"
    subprocess.run([SITING, "import", "orlib-pmed", REPO / "instances/reference/orlib-pmed/pmed22.txt",
                    "--out", instance], check=True, capture_output=True)
    out = tmp_path / "result"
    proc = subprocess.Popen([SITING, "solve", instance, "--out", out, "--profile", "exact"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "Solving" in proc.stderr.readline()  # the solve is about to start (pmed22 takes minutes)
    time.sleep(4)
    assert proc.poll() is None, "the solve ended before the signal: pick a slower instance"
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert summary["objective"] is not None  # the greedy start at least
    assert summary["verified"]["feasible"] is True
    assert (out / "sites.gpkg").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
