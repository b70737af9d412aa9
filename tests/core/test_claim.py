"""A result folder is claimed for the length of a run: a second run into it is refused at its start,
and a finished plan is never dropped (io.claim, io.write.write_atomic)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from siting.errors import SitingError
from siting.io.claim import FolderClaim, lock_path
from siting.io.write import write_atomic

REPO = Path(__file__).resolve().parents[2]
SITING = Path(sys.executable).parent / "siting"


@pytest.mark.solver
def test_second_solve_into_one_folder_is_refused_and_the_first_keeps_its_plan(tmp_path, pmed22_folder):
    out = tmp_path / "result"
    first = subprocess.Popen([SITING, "solve", pmed22_folder, "--out", out, "--profile", "exact"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "Solving" in first.stderr.readline()  # printed while the claim is held; pmed22 takes minutes
        second = subprocess.run([SITING, "solve", REPO / "instances/nal-oost-fast", "--out", out, "--overwrite"],
                                capture_output=True, text=True, timeout=120)
        assert first.poll() is None, "the first solve ended before the second started: pick a slower instance"
        assert second.returncode == 1, second.stderr
        assert "being written by another siting run" in second.stderr
        assert f"pid {first.pid}" in second.stderr and "siting solve" in second.stderr
        assert "Traceback" not in second.stderr
        assert not out.exists()  # the second wrote nothing
    finally:
        first.send_signal(signal.SIGINT)  # the first stops early and writes its incumbent
        _, stderr = first.communicate(timeout=120)
    assert first.returncode == 130, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["objective"] is not None
    assert summary["instance"]["name"] == "pmed22"
    assert not lock_path(out).exists()  # released at the end


def test_claim_refuses_a_second_holder_and_is_released(tmp_path):
    out = tmp_path / "plan"
    with FolderClaim(out):
        record = json.loads(lock_path(out).read_text())
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        with pytest.raises(SitingError, match=f"being written by another siting run .*pid {os.getpid()}"):
            FolderClaim(out).__enter__()
    assert not lock_path(out).exists()
    with FolderClaim(out):  # free again
        pass


def test_claim_released_when_the_run_fails(tmp_path):
    out = tmp_path / "plan"
    with pytest.raises(RuntimeError), FolderClaim(out):
        raise RuntimeError("solver crashed")
    assert not lock_path(out).exists()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "plan"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(out).write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "started": "then",
                                          "command": "siting solve x"}))
    with FolderClaim(out):
        assert json.loads(lock_path(out).read_text())["pid"] == os.getpid()


def test_lock_of_another_host_is_never_taken_over(tmp_path):
    out = tmp_path / "plan"
    lock_path(out).write_text(json.dumps({"pid": 1, "host": "elsewhere.invalid", "started": "now",
                                          "command": "siting sweep s.toml"}))
    with pytest.raises(SitingError, match=r"elsewhere\.invalid.*delete .*\.plan\.lock"):
        FolderClaim(out).__enter__()


def test_a_folder_that_appears_meanwhile_is_kept_and_the_plan_lands_beside_it(tmp_path):
    out = tmp_path / "plan"

    def contents(folder: Path) -> None:
        (folder / "summary.json").write_text("{}")
        out.mkdir()  # someone else made the folder while the run was writing
        (out / "theirs.txt").write_text("keep me")

    written = write_atomic(out, False, contents)
    assert written == tmp_path / "plan-1"
    assert (written / "summary.json").exists()
    assert (out / "theirs.txt").read_text() == "keep me" and not (out / "summary.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan", "plan-1"]  # no temporary folder left


def test_second_sweep_into_a_claimed_folder_is_refused(tmp_path):
    from siting.sweep import read_sweep, run_sweep

    sweep_file = REPO / "instances/nal-oost-fast/sweeps/p-and-radius.toml"
    out = tmp_path / "sweep"
    with FolderClaim(out), pytest.raises(SitingError, match="being written by another siting run"):
        run_sweep(read_sweep(sweep_file), client=None, out=out)
    assert not out.exists()
