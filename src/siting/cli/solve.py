"""`siting solve`: load, precompute, build, solve, verify and write the result folder."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors, instance_arg, set_opt, solver_options


@click.command("solve")
@instance_arg
@click.option("--objective", help="Overrides the model's objective in instance.toml "
              "(fast: lscp, mclp, pmedian, capacitated).")
@click.option("--out", type=click.Path(path_type=Path), help="Result folder (default results/<instance>-<timestamp>).")
@click.option("--overwrite", is_flag=True, help="Replace the result folder if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print summary.json to stdout instead of the table.")
@click.option("--write-model", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE.lp|FILE.mps",
              help="Also write the model solved (after the exact reductions) as LP or MPS, for another solver; "
                   "written before the solve starts.")
@set_opt
@solver_options
@debug_opt
@handle_errors
def solve_cmd(instance, objective, out, overwrite, as_json, write_model, overrides, solver, profile, time_limit, gap,
              threads, seed, no_warm_start, method, debug) -> None:
    """Solve an instance and write sites.gpkg, summary.json, summary.md and map.png.

    \b
    Examples:
      siting solve instances/nal-oost-fast
      siting solve instances/nal-oost-fast --objective mclp --set fast.p=10 --out results/p10
      siting solve instances/nal-oost-fast --profile fast --time-limit 30 --json
      siting solve my-instance --solver cbc
      siting solve instances/nal-oost-fast --write-model nal-oost-fast.mps
    """
    from siting.io.claim import FolderClaim
    from siting.io.folder import instance_folder
    from siting.io.write import check_output_folder
    from siting.options import SolveOptions
    from siting.progress import live_line
    from siting.registry import model_of, model_spec

    check_model_file(write_model, overwrite)
    model = model_of(instance)
    api = model_spec(model)
    overrides = list(overrides) + ([f'{model}.objective="{objective}"'] if objective else [])
    t0 = time.perf_counter()
    inst = api.load(instance, overrides)  # bad input stops here, before any output exists
    load_seconds = time.perf_counter() - t0
    folder = instance_folder(instance)
    out = out or Path("results") / f"{inst.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    options = SolveOptions(solver=solver, profile=profile, time_limit=time_limit, gap=gap, threads=threads,
                           seed=seed, warm_start=not no_warm_start, method=method)
    with FolderClaim(out):  # a second run into the same --out is refused here, not after its solve
        check_output_folder(out, overwrite)
        click.echo(f"Solving {inst.name} ({model}) with {solver}, profile {profile} ... (Ctrl-C stops and keeps the "
                   "best solution found)", err=True)
        with live_line(enabled=not as_json):  # only on a terminal; cleared before the summary prints
            run = api.solve(inst, options, write_model=write_model)
        run.source = folder
        if run.status == "time_limit" and run.objective is None:
            run.result.message = no_plan_message(run.result, no_warm_start)
        run.times["load"] = load_seconds
        run.times["total"] += load_seconds
        summary = api.write(run, out, overwrite)
    if write_model is not None:
        form = run.formulation
        click.echo(f"Model written to {write_model} ({form.n_cols:,} columns, {form.n_rows:,} rows, "
                   f"{form.nnz:,} nonzeros)", err=True)
    if "written_to" in summary:
        click.echo(f"{out} appeared while solving and was left as it was; the plan is in {summary['written_to']}/",
                   err=True)
        out = Path(summary["written_to"])
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=str))
    else:
        click.echo((out / "summary.md").read_text())
        click.echo(f"Results written to {out}/")
    if run.status == "interrupted":
        click.echo("Interrupted: the best solution found so far was written.", err=True)
        raise SystemExit(130)
    if run.status == "time_limit" and run.objective is None:
        click.echo(f"No plan: {run.result.message}", err=True)
        raise SystemExit(1)  # nothing to act on: not a solved run (README: exit codes)
    if run.status in ("infeasible", "unbounded", "error"):
        raise SystemExit(3 if run.status == "infeasible" else 1)


def check_model_file(path: Path | None, overwrite: bool) -> None:
    """--write-model: a known format, a folder that exists, and no file replaced without --overwrite."""
    from siting.errors import SitingError
    from siting.formulation.emit import MODEL_FORMATS

    if path is None:
        return
    if path.suffix.lower() not in MODEL_FORMATS:
        raise click.BadParameter(f"{path}: the model is written as .lp or .mps", param_hint="--write-model")
    if not path.parent.is_dir():
        raise click.BadParameter(f"{path}: folder {path.parent} does not exist", param_hint="--write-model")
    if path.exists() and not overwrite:
        raise SitingError(f"--write-model {path} exists; use --overwrite to replace it or choose another file")


def no_plan_message(result, no_warm_start: bool) -> str:
    """A limit reached before any feasible plan: say so, with the bound, and what to try."""
    limit = result.solver.get("options", {}).get("time_limit")
    bound = "not known yet (the root relaxation was not solved)" if result.best_bound is None else f"{result.best_bound:,.6g}"
    hint = "drop --no-warm-start (the greedy plan is a first incumbent) or " if no_warm_start else ""
    return (f"the solver stopped at its limit ({result.message}{f', {limit:g} s' if limit else ''}) before it found "
            f"any feasible plan; best bound: {bound}; {hint}give it more time with --time-limit")
