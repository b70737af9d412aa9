"""Model build + load into HiGHS, side by side (not a test).

    .venv/bin/python -m benchmarks.bench_build --demand 300000 --candidates 5000 [--skip-pyomo]

On one generated MCLP instance (demand classes after the exact reduction, as siting solves it):
  1. siting: `build_fast` (the Formulation's sparse blocks) + `to_highspy` (one passModel);
  2. the floor: the same CSC arrays handed to highspy's passModel directly (no model layer);
  3. the peer: the plain pyomo model of benchmarks/peers.py, built and loaded into HiGHS through
     pyomo's persistent appsi interface (`set_instance`), as a pyomo user would.
Prints nonzeros, seconds and nonzeros per second of each, and the ratios.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demand", type=int, default=300_000)
    ap.add_argument("--candidates", type=int, default=5_000)
    ap.add_argument("--radius", type=float, default=5_000.0)
    ap.add_argument("--skip-pyomo", action="store_true")
    args = ap.parse_args()

    from siting.fast.generate import FastSize, generate_fast
    from siting.fast.load import load_fast
    from siting.fast.model import build_fast
    from siting.fast.pairs import fast_pairs
    from siting.fast.reduction import reduce_fast
    from siting.formulation.emit import to_highspy

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "inst"
        generate_fast(FastSize(args.demand, args.candidates, grid_areas=0, p=20, radius=args.radius), seed=1, out=folder)
        inst = load_fast(folder)
    model_inst, model_pairs, _ = reduce_fast(inst, fast_pairs(inst))
    print(f"{inst.n_demand} demand cells -> {model_inst.n_demand} classes x {inst.n_sites} candidates, "
          f"{model_pairs.nnz} pairs")

    t = time.perf_counter()
    form = build_fast(model_inst, model_pairs)
    build = time.perf_counter() - t
    t = time.perf_counter()
    to_highspy(form)
    load = time.perf_counter() - t
    nnz = form.nnz
    siting_s = build + load
    print(f"siting build {build:.2f} s + load {load:.2f} s = {siting_s:.2f} s: {nnz / siting_s / 1e6:.2f} M nnz/s "
          f"({nnz} nnz)")

    floor_s = _pass_arrays(form)
    print(f"arrays straight to passModel: {floor_s:.2f} s ({nnz / floor_s / 1e6:.2f} M nnz/s); "
          f"siting / floor = {siting_s / floor_s:.1f}x")

    if not args.skip_pyomo:
        pyomo_s = _plain_pyomo(model_inst, model_pairs)
        print(f"plain pyomo build + set_instance: {pyomo_s:.2f} s ({nnz / pyomo_s / 1e6:.2f} M nnz/s); "
              f"pyomo / siting = {pyomo_s / siting_s:.1f}x")


def _pass_arrays(form) -> float:
    """The CSC matrix and bounds computed beforehand; only the passModel call is timed."""
    import highspy
    import scipy.sparse as sp

    cost, lb, ub, integer = form.column_arrays()
    row_lb, row_ub = form.row_bounds()
    a = sp.csc_array(form.matrix())
    indptr, indices, data = a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data.astype(np.float64)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    t = time.perf_counter()
    h.passModel(form.n_cols, form.n_rows, int(a.nnz), int(highspy.MatrixFormat.kColwise),
                int(highspy.ObjSense.kMaximize), 0.0, cost, lb, ub, row_lb, row_ub, indptr, indices, data,
                integer.astype(np.int32))
    return time.perf_counter() - t


def _plain_pyomo(inst, pairs) -> float:
    from pyomo.contrib.appsi.solvers import Highs

    from benchmarks.peers import build_pyomo_mclp

    t = time.perf_counter()
    Highs().set_instance(build_pyomo_mclp(inst, pairs))
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
