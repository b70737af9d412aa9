"""The re-solves of a grid-needs analysis as one batch of Dask tasks (or in this process).

Each task solves one copy of the instance with other headroom and returns a small `Resolve`
(status, objective, bound, the kW per period and grid area): the plan itself stays on the worker.
The instance and its precomputed data go to the workers once (`scatter`); each task gets only
its headroom change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from siting.gridneeds.models import adapter, unlimited_headroom
from siting.options import SolveOptions


@dataclass(frozen=True)
class Change:
    """One re-solve: `area` (index) gets `extra_kw` more headroom in every period; area None and
    extra_kw None: every area unlimited (models.unlimited_headroom); both None: the base plan."""

    label: str
    area: int | None = None
    extra_kw: float | None = None
    unlimited: bool = False

    def apply(self, ad, inst):
        if self.unlimited:
            return ad.with_headroom(inst, unlimited_headroom)
        if self.area is None or not self.extra_kw:
            return inst

        def more(available: np.ndarray, q) -> np.ndarray:
            out = np.array(available, float)
            out[self.area] += self.extra_kw
            return out

        return ad.with_headroom(inst, more)


@dataclass
class Resolve:
    """What one re-solve reports. Loads are [period, area] in kW; None without a plan."""

    label: str
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    seconds: float
    message: str = ""
    needed_kw: np.ndarray | None = None  # new load of the chargers the plan needs (models.py)
    plan_kw: np.ndarray | None = None  # new load of the plan's own chargers
    allowed_kw: np.ndarray | None = None  # H+_g plus the upgrades the plan buys
    upgrades: np.ndarray | None = None  # bool [period, area]
    verified: bool | None = None
    extra: dict = field(default_factory=dict)

    @property
    def has_plan(self) -> bool:
        return self.objective is not None and self.needed_kw is not None

    def interval(self, sense: str) -> tuple[float, float]:
        """Where the true optimum lies: [incumbent, bound] (max) or [bound, incumbent] (min); a
        bound the solver did not give is unlimited; an optimal status with no bound is exact."""
        if self.objective is None:
            return (-math.inf, math.inf)
        bound = self.best_bound
        if bound is None or not math.isfinite(bound):
            bound = self.objective if self.status == "optimal" else (math.inf if sense == "max" else -math.inf)
        return (self.objective, max(bound, self.objective)) if sense == "max" else (min(bound, self.objective),
                                                                                    self.objective)


def summarise(model: str, change: Change, run) -> Resolve:
    """The Resolve of one finished run (on the worker)."""
    ad = adapter(model)
    r = run.result
    out = Resolve(change.label, run.status, r.objective if run.solution is not None else None, r.best_bound, r.gap,
                  float(r.seconds), r.message, verified=None if run.certificate is None else
                  not run.certificate.violations)
    if run.solution is None:
        return out
    needed, plan, allowed, ups = [], [], [], []
    for (_, q), (sol, need) in zip(ad.periods(run.instance), ad.plans(run), strict=True):
        res = q.resources
        needed.append(res.new_load_kw(need))
        plan.append(res.new_load_kw(sol.chargers))
        allowed.append(q.grid.allowed_kw(sol.upgrades))
        ups.append(np.asarray(sol.upgrades, bool))
    out.needed_kw, out.plan_kw, out.allowed_kw, out.upgrades = map(np.array, (needed, plan, allowed, ups))
    return out


def resolve_task(model: str, inst, data, change: Change, options: SolveOptions) -> Resolve:
    """Solve `inst` with `change` applied (runs on a Dask worker, or here)."""
    ad = adapter(model)
    run = ad.solve(change.apply(ad, inst), data, options)
    return summarise(model, change, run)


def run_resolves(model: str, inst, data, changes: list[Change], options: SolveOptions,
                 client=None) -> list[Resolve]:
    """Every change solved; on `client` (a dask.distributed Client) as one batch of tasks, else
    one after the other here. Results in the order of `changes`."""
    if not changes:
        return []
    if client is None:
        return [resolve_task(model, inst, data, c, options) for c in changes]
    inst_f, data_f = client.scatter([inst, data], broadcast=True, hash=False)
    futures = [client.submit(resolve_task, model, inst_f, data_f, c, options, pure=False,
                             key=f"siting-gridneeds-{c.label}-{id(changes):x}") for c in changes]
    try:
        return client.gather(futures)
    finally:
        client.cancel(futures + [inst_f, data_f])
