"""One live line on stderr while a solve runs: phase, elapsed, best plan, bound, gap, time left.

The CLI turns it on (`live_line()`), only on a terminal and not with --json; everything else in
siting just reports into it (`phase`, `watch_highs`, `tick`), which does nothing when no line is
shown - so the library, the tests and the sweep's workers never print. The line lives in a
context variable, not in the solve options: it changes what a person sees, never the answer.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import time
from dataclasses import dataclass, field

from siting.io.summary_text import number

_line: contextvars.ContextVar[LiveLine | None] = contextvars.ContextVar("siting_live_line", default=None)


@dataclass
class LiveLine:
    """What the line shows; HiGHS's callbacks write the figures (from its thread), the main
    thread draws them (`tick`, about four times a second)."""

    live: object  # a started rich.live.Live
    phase: str = "preparing"
    started: float = field(default_factory=time.perf_counter)
    time_limit: float = math.inf
    solve_started: float | None = None
    best: float | None = None
    bound: float | None = None
    gap: float | None = None
    _drawn: float = 0.0

    def text(self) -> str:
        now = time.perf_counter()
        parts = [self.phase, f"{_clock(now - self.started)} elapsed"]
        if self.best is not None:
            parts.append(f"best plan {number(self.best)}")
        if self.bound is not None:
            parts.append(f"bound {number(self.bound)}")
        if self.gap is not None:
            parts.append(f"gap {100 * self.gap:.2f} %")
        if self.solve_started is not None and math.isfinite(self.time_limit):
            parts.append(f"{_clock(max(0.0, self.time_limit - (now - self.solve_started)))} left")
        return " · ".join(parts)

    def draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if force or now - self._drawn >= 0.25:
            self._drawn = now
            from rich.text import Text

            self.live.update(Text(self.text()), refresh=True)  # plain text: a "[" in a name is no markup


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@contextlib.contextmanager
def live_line(enabled: bool = True, console=None):
    """Show the live line on stderr (or `console`, a rich Console) while inside, when `enabled`
    and it is a terminal; it is cleared on exit, so the summary printed next stands alone."""
    from rich.console import Console
    from rich.live import Live

    console = console or Console(stderr=True, highlight=False)
    if not enabled or not console.is_terminal:
        yield None
        return
    with Live("", console=console, transient=True, auto_refresh=False, redirect_stdout=False,
              redirect_stderr=False) as live:
        line = LiveLine(live)
        token = _line.set(line)
        try:
            yield line
        finally:
            _line.reset(token)


def phase(text: str) -> None:
    """Name what runs now (e.g. "Benders: LP round 12"), shown at once."""
    line = _line.get()
    if line is not None:
        line.phase = text
        line.draw(force=True)


def tick(final: bool = False) -> None:
    """Redraw the line (elapsed and time left move on; `final`: the solver's last figures, at
    once); cheap when nothing is shown."""
    line = _line.get()
    if line is not None:
        line.draw(force=final)


def watch_highs(h, time_limit: float, text: str = "solving", *, started: float | None = None,
                primal: bool = True) -> None:
    """Let HiGHS's MIP callbacks report bound, gap and (with `primal`) best plan into the line
    during `h`'s next solve; the time left counts from `started` (default now). The callbacks
    run in HiGHS's worker thread: they only write plain attributes."""
    line = _line.get()
    if line is None:
        return
    line.phase, line.time_limit = text, time_limit
    line.solve_started = time.perf_counter() if started is None else started
    if primal:
        line.best = line.bound = line.gap = None

    def report(event) -> None:
        d = event.data_out
        best, bound = float(d.mip_primal_bound), float(d.mip_dual_bound)
        if primal:
            line.best = best if math.isfinite(best) else None
        line.bound = bound if math.isfinite(bound) else None
        line.gap = _gap(line.best, line.bound)

    h.cbMipInterrupt.subscribe(report)
    h.cbMipImprovingSolution.subscribe(report)
    line.draw(force=True)


def figures(best: float | None = None, bound: float | None = None) -> None:
    """Report a best plan or a bound found outside HiGHS (Benders values its plans itself)."""
    line = _line.get()
    if line is None:
        return
    if best is not None:
        line.best = best
    if bound is not None and math.isfinite(bound):
        line.bound = bound
    line.gap = _gap(line.best, line.bound)
    line.draw()


def _gap(best: float | None, bound: float | None) -> float | None:
    if best is None or bound is None:
        return None
    return abs(best - bound) / max(1e-10, abs(best))


def showing() -> bool:
    return _line.get() is not None
