"""The project's own exceptions: every user-facing failure is one of these.

`SitingError` -> `InstanceError` (bad input: names file, layer, row and field),
`InfeasibleError`, `SolverError`. The CLI maps them to exit codes without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the check can."""

    file: str
    message: str
    layer: str | None = None
    row: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.layer:
            where.append(f"layer '{self.layer}'")
        if self.row is not None:
            where.append(f"row id '{self.row}'")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class SitingError(Exception):
    """Base class of every error siting reports to a user."""

    exit_code = 1


class InstanceError(SitingError):
    """The instance is invalid; `problems` lists every defect found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.describe())

    def describe(self, limit: int = 20) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


class InfeasibleError(SitingError):
    """The model has no feasible solution."""

    exit_code = 3


class SolverError(SitingError):
    """The solver is missing or failed."""

    exit_code = 4
