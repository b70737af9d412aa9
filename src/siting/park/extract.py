"""Read a park answer back from the solver's column vector into a `ParkSolution`."""

from __future__ import annotations

import numpy as np

from siting.formulation import Formulation
from siting.park.instance import ParkInstance
from siting.park.model import ParkIndex
from siting.park.solution import ParkSolution


def extract_park(form: Formulation, inst: ParkInstance, idx: ParkIndex, x: np.ndarray) -> ParkSolution:
    """Round the integer parts (integral within solver tolerance); keep the continuous ones."""
    K, S, T, C = inst.n_companies, inst.n_squares, inst.n_slots, inst.n_chargers
    is_open = form.values(x, "x") > 0.5
    y = form.values(x, "y") > 0.5
    tier = np.full(S, -1, dtype=np.int64)
    tier[inst.tier_square[y]] = np.flatnonzero(y)
    chargers = np.zeros((S, C), dtype=np.int64)
    if "n" in form.vars:
        chargers = np.round(form.values(x, "n")).astype(np.int64).reshape(S, C)
    z = form.values(x, "z")
    if inst.params.single_source:
        z = np.round(z)
    assign = np.zeros((K, S))
    assign[inst.pair_company, inst.pair_square] = np.clip(z, 0.0, 1.0)
    own = np.zeros(K)
    if "w" in form.vars:
        w = form.values(x, "w")
        own[idx.own_company] = np.clip(np.round(w) if inst.params.single_source else w, 0.0, 1.0)
    power = np.zeros((K, S, T))
    kw = np.zeros(len(idx.p_pair))
    col = idx.p_col >= 0
    if "p" in form.vars:
        kw[col] = np.maximum(form.values(x, "p"), 0.0)[idx.p_col[col]]
    q = idx.p_pair[~col]  # fixed power (model.fixed_power): Pmax_k z_q
    kw[~col] = inst.max_kw[inst.pair_company[q]] * assign[inst.pair_company[q], inst.pair_square[q]]
    power[inst.pair_company[idx.p_pair], inst.pair_square[idx.p_pair], idx.p_slot] = kw
    own_power = np.zeros((K, T))
    if "r" in form.vars:
        own_power[idx.r_company, idx.r_slot] = np.maximum(form.values(x, "r"), 0.0)
    unmet = np.maximum(form.values(x, "u"), 0.0) if "u" in form.vars else np.zeros(K)
    return ParkSolution(is_open, tier, chargers, assign, own, power, own_power, unmet)
