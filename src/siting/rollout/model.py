r"""The rollout model (models/rollout.md): the single-year model of the base (fast or corridor)
of every period t, side by side, joined by lock-in.

Block b of period t's model is block `b_<Y_t>` here, with the same rows and columns; the
columns of period t are contiguous, in the order of its own model, so a period's answer is a
slice of the column vector. Lock-in joins consecutive periods:

    x_j,t - x_j,t+1 <= 0     (`lock_open`: a site opened stays open)
    n_j,t - n_j,t+1 <= 0     (`lock_chargers`: chargers are only added)
    u_g,t - u_g,t+1 <= 0     (`lock_upgrade`: a grid upgrade stays bought)

p_t and B_t are cumulative (open by Y_t, spent by Y_t), so each period's `site_count` and
`budget` rows are its own model's rows. The objective is sum_t omega_t * (period t's objective)
for served or covered demand or refuelled flow, and for cost sum_t delta_t (cost_t - cost_{t-1}): each euro counted
once, in the year it is spent, discounted. With one period (omega = delta = 1) this is the
single-year model, row for row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.formulation import Formulation
from siting.rollout.bases import base_of
from siting.rollout.instance import RolloutInstance

LOCKED = {"x": "lock_open", "n": "lock_chargers", "u": "lock_upgrade"}


@dataclass(frozen=True)
class Stacked:
    """The joined model and, per period, its own model and its columns [start, stop)."""

    form: Formulation
    periods: tuple[Formulation, ...]
    starts: tuple[int, ...]

    def period_vector(self, x: np.ndarray, t: int) -> np.ndarray:
        return x[self.starts[t]: self.starts[t] + self.periods[t].n_cols]

    def join(self, vectors: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(vectors)


def block_name(name: str, year: int) -> str:
    return f"{name}_{year}"


def period_coefficients(inst: RolloutInstance) -> np.ndarray:
    """The factor of each period's own objective: omega_t, or for cost delta_t - delta_{t+1}
    (cost_t is cumulative: its increment over t-1 is spent in Y_t)."""
    if base_of(inst.base).objective_kind(inst.first) == "cost":
        delta = inst.discount()
        return delta - np.r_[delta[1:], 0.0]
    return inst.period_weights()


def build_rollout(inst: RolloutInstance, data) -> Stacked:
    """`data`: what the base's periods share (fast: the pairs; corridor: paths and arc-cover sets)."""
    base = base_of(inst.base)
    period_forms = tuple(base.build(q, data) for q in inst.periods)
    first = period_forms[0]
    form = Formulation(name=f"rollout-{first.name}", sense=first.sense)
    starts = []
    factor = period_coefficients(inst)
    for t, (year, pf) in enumerate(zip(inst.years, period_forms)):
        starts.append(form.n_cols)
        shift = form.n_cols
        for name, v in pf.vars.items():
            form.add_var(block_name(name, year), v.size, lb=v.lb, ub=v.ub, domain=v.domain,
                         cost=factor[t] * v.cost, doc=f"{v.doc} ({year})")
        for name, c in pf.cons.items():
            _copy_rows(form, block_name(name, year), c, shift)
        form.offset += factor[t] * pf.offset
    add_lock_in(form, inst, period_forms)
    return Stacked(form, period_forms, tuple(starts))


def _copy_rows(form: Formulation, name: str, c, shift: int) -> None:
    # the period's rows over its own columns, moved to where its columns are now
    block = form.add_constraint(name, c.size, [], lower=c.lower, upper=c.upper, doc=c.doc, labels=c.labels)
    block.rows, block.cols, block.coefs = c.rows.copy(), c.cols + shift, c.coefs.copy()


def add_lock_in(form: Formulation, inst: RolloutInstance, period_forms) -> None:
    """v_t - v_{t+1} <= 0 for v in x, n, u and every pair of consecutive periods."""
    years = inst.years
    for var, con in LOCKED.items():
        if var not in period_forms[0].vars:
            continue
        size = period_forms[0].vars[var].size
        for t in range(inst.n_periods - 1):
            now, later = form.vars[block_name(var, years[t])], form.vars[block_name(var, years[t + 1])]
            r = np.arange(size)
            form.add_constraint(block_name(con, years[t + 1]), size, [(now, r, r, 1.0), (later, r, r, -1.0)],
                                upper=0.0, doc=f"{var} of {years[t]} stays in {years[t + 1]}")
