"""What the solve pipelines of the three models share: the run record, the phase clock, opening
an instance folder, trusting an answer only when the independent checker agrees, and the
infeasibility diagnosis (screens in planners' words first, then one constraint family relaxed at
a time)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from siting import stop
from siting.checks import Certificate
from siting.formulation import Formulation
from siting.options import SolveOptions
from siting.solve import SolveResult


@dataclass(kw_only=True)
class Run:
    """One solve of one instance: every intermediate, and the seconds of each phase."""

    instance: Any
    formulation: Formulation
    result: SolveResult
    solution: Any | None
    certificate: Certificate | None
    times: dict[str, float] = field(default_factory=dict)
    warm_start: dict = field(default_factory=lambda: {"used": False})
    source: Path | None = None  # the instance folder, when it was read from one
    diagnosis: list[str] = field(default_factory=list)  # why it is infeasible, in planners' words

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def objective(self) -> float | None:
        return self.result.objective


class Phases:
    """Wall-clock seconds per phase (load, precompute, build, ...), measured back to back."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._start = self._last = time.perf_counter()

    def end(self, phase: str, seconds: float | None = None) -> None:
        """Close `phase` now (or record `seconds` for it, as the solver measured them)."""
        stop.raise_if_requested()
        now = time.perf_counter()
        self.times[phase] = now - self._last if seconds is None else seconds
        self._last = now

    def total(self) -> dict[str, float]:
        self.times["total"] = time.perf_counter() - self._start
        return self.times


def open_instance(instance: Any, kind: type, load: Callable[[Any, list[str] | None], Any],
                  overrides: list[str] | None) -> tuple[Any, Path | None]:
    """The loaded instance and its folder: `instance` as given if it is a `kind` already."""
    if isinstance(instance, kind):
        return instance, None
    from siting.io.folder import instance_folder

    return load(instance, overrides), instance_folder(instance)


def checked_answer(result: SolveResult, extract: Callable[[Any], Any], verify: Callable[[Any], Certificate],
                   checker: str = "the independent check", more_is_fine: bool = False) -> tuple[Any, Any]:
    """(solution, certificate) of the solver's answer, or (None, None) without one.

    An answer the checker contradicts is never reported as optimal: status becomes `error`.
    `more_is_fine`: the checker may find a better objective than the solver claims (a maximising
    incumbent may leave y below what its stations refuel), just not a worse one."""
    if result.x is None:
        return None, None
    solution = extract(result.x)
    certificate = verify(solution)
    claimed = result.objective or 0.0
    tol = 1e-6 * max(1.0, abs(claimed))
    wrong = certificate.objective < claimed - tol if more_is_fine else abs(certificate.objective - claimed) > tol
    if certificate.violations or wrong:
        result.message = (f"{checker} disagrees with the solver (solver {result.objective}, check "
                          f"{certificate.objective}, violations: {certificate.violations}); status was {result.status}")
        result.status = "error"
    return solution, certificate


def screens_then_relaxation(findings: list[str], form: Formulation, options: SolveOptions) -> list[str]:
    """The screens' findings; when they find nothing, the constraint families whose relaxation
    alone makes the model feasible (diagnose.elastic_conflicts)."""
    if findings:
        return findings
    from siting.diagnose import elastic_conflicts

    conflicts = elastic_conflicts(form, options)
    return [c.sentence() for c in conflicts] or ["no single constraint family explains the infeasibility"]
