"""The live line on stderr while HiGHS runs (siting.progress): shown on a terminal with the
solver's figures, and never anywhere else (--json, a pipe, the library, the sweep's workers)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from siting import progress
from siting.cli.main import cli
from siting.fast.api import solve_fast
from siting.options import SolveOptions

REPO = Path(__file__).resolve().parents[2]


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=240, highlight=False, color_system=None), buffer


def plain(buffer: io.StringIO) -> list[str]:
    """The states the line went through (each redraw starts after a carriage return)."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue())
    return [part.strip() for part in text.replace("\n", "\r").split("\r") if part.strip()]


@pytest.fixture(scope="module")
def pmed1(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pmed1") / "pmed1"
    result = CliRunner().invoke(cli, ["import", "orlib-pmed", str(REPO / "instances/reference/orlib-pmed/pmed1.txt"),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def swain(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("swain") / "swain"
    source = REPO / "instances/reference/swain55/antoniomedrano-p-center/swain.txt"
    result = CliRunner().invoke(cli, ["import", "swain", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.solver
def test_a_solve_on_a_terminal_shows_best_plan_and_time_left(pmed1: Path) -> None:
    console, buffer = terminal()
    with progress.live_line(console=console) as line:
        assert line is not None and progress.showing()
        run = solve_fast(pmed1, SolveOptions(time_limit=120, warm_start=False))
    assert run.status == "optimal"
    states = plain(buffer)
    solving = [s for s in states if s.startswith("solving")]
    assert solving, states
    assert all("elapsed" in s and "left" in s for s in solving)
    assert "best plan" in solving[-1], solving  # HiGHS's improving-solution callback reached it
    assert line.best == pytest.approx(run.objective)
    assert not progress.showing()  # gone when the block ends


@pytest.mark.solver
def test_benders_says_which_phase_runs(swain: Path) -> None:
    console, buffer = terminal()
    with progress.live_line(console=console):
        run = solve_fast(swain, SolveOptions(method="benders"), overrides=["fast.p=4", "fast.radius=10"])
    assert run.status == "optimal"
    states = plain(buffer)
    assert any(s.startswith("Benders: master LP, round 1") for s in states), states
    assert any(s.startswith("Benders: master MIP, round 1") for s in states), states
    best = [s for s in states if "best plan" in s]
    assert best and best[-1].split("best plan ")[1].split(" ")[0].replace(",", "") == f"{run.objective:g}"


def test_nothing_is_shown_off_a_terminal() -> None:
    buffer = io.StringIO()
    with progress.live_line(console=Console(file=buffer, force_terminal=False)) as line:
        assert line is None and not progress.showing()
        progress.phase("Benders: master LP, round 1")  # reports go nowhere, and cost nothing
        progress.figures(best=1.0, bound=2.0)
        progress.tick()
    with progress.live_line(enabled=False, console=terminal()[0]) as line:  # --json
        assert line is None
    assert buffer.getvalue() == ""


def test_the_line_reads_like_a_sentence() -> None:
    console, buffer = terminal()
    with progress.live_line(console=console) as line:
        line.phase, line.time_limit, line.solve_started = "solving", 600.0, line.started
        progress.figures(best=1_234_567.0, bound=1_240_000.0)
        text = line.text()
    assert text.startswith("solving · 0:00 elapsed · best plan 1,234,567 · bound 1,240,000 · gap 0.44 % · ")
    assert text.endswith(" left") and ("10:00 left" in text or "9:59 left" in text)


@pytest.mark.solver
def test_json_and_pipes_get_no_line(pmed1: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["solve", str(pmed1), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    assert "elapsed" not in result.stderr and "\r" not in result.stderr
