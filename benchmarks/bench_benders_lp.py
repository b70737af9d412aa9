"""The Benders master LP of an mclp instance run to convergence (not a test): how tight the LP
bound is, and how the cutting-plane rounds go.

    .venv/bin/python -m benchmarks.bench_benders_lp INSTANCE_FOLDER [--limit 900]
    .venv/bin/python -m benchmarks.bench_benders_lp --family towns-1m-5k --limit 1500
    (--family: an instance of benchmarks.mclp_families)

Prints one line per master LP solve (rows, nonzeros, seconds, simplex iterations, LP value) and
the final bound. Compare the bound with the best plan `siting solve` finds: their distance is the
gap at the root that branch and bound has to close.
"""

from __future__ import annotations

import argparse
import time

from siting.fast import benders
from siting.fast.load import load_fast
from siting.fast.model import build_fast
from siting.fast.pairs import fast_pairs
from siting.fast.reduction import reduce_fast
from siting.options import SolveOptions


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instance", nargs="?", help="an instance folder")
    parser.add_argument("--family", help="an instance of benchmarks.mclp_families instead of a folder")
    parser.add_argument("--limit", type=float, default=900.0, help="seconds for the LP phase")
    args = parser.parse_args(argv)

    if (args.instance is None) == (args.family is None):
        parser.error("give an instance folder or --family NAME")
    if args.family:
        from benchmarks.mclp_families import FAMILIES

        inst = FAMILIES[args.family]()
    else:
        inst = load_fast(args.instance)
    if inst.params.objective != "mclp":
        parser.error(f"{args.instance or args.family}: objective {inst.params.objective}; the Benders master is for mclp")
    inst, pairs, _ = reduce_fast(inst, fast_pairs(inst))
    form = build_fast(inst, pairs)
    oracle = benders.CoverOracle.build(inst, pairs, benders.spatial_groups(inst, pairs, inst.params.radius))
    master = benders.Master(form, oracle, SolveOptions(time_limit=args.limit),
                            inst.opening_chargers())
    print(f"master: {master.form.n_cols} columns, {master.form.n_rows} rows before cuts; {oracle.n_groups} regions")
    start = time.perf_counter()
    run = master.run

    def logged_run(left: float, gap: float | None) -> None:
        t = time.perf_counter()
        run(left, gap)
        h = master.h
        print(f"  LP rows {h.getNumRow()} nnz {h.getNumNz()} {time.perf_counter() - t:.1f}s "
              f"it {h.getInfo().simplex_iteration_count} value {h.getInfo().objective_function_value:.1f} "
              f"t={time.perf_counter() - start:.0f}", flush=True)

    master.run = logged_run
    lp = benders.cutting_planes_lp(master, oracle, start, args.limit, max_rounds=100_000, lp_share=1.0)
    stopped = lp.status or ("converged" if lp.converged
                            else "at the limit, not converged (the value bounds the LP)")
    print(f"rounds {lp.rounds}, LP bound {lp.bound:.1f}, stopped: {stopped}, "
          f"{lp.seconds:.1f} s, cuts {master.n_cuts}")


if __name__ == "__main__":
    main()
