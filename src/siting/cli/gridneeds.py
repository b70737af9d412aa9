"""`siting grid-needs`: what the grid headroom costs a plan, per substation, for the pMIEK / RES."""

from __future__ import annotations

import time
from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors, instance_arg, set_opt, solver_options


def parse_mw(ctx, param, value: str) -> tuple[float, ...]:
    """--mw 1,5 -> (1.0, 5.0): positive, distinct, in the order given."""
    try:
        steps = tuple(float(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of MW, e.g. 1,5") from None
    if not steps or any(not s > 0 for s in steps) or len(set(steps)) != len(steps):
        raise click.BadParameter(f"{value!r}: give distinct positive MW values, e.g. 1,5")
    return steps


@click.command("grid-needs")
@instance_arg
@set_opt
@click.option("--out", type=click.Path(path_type=Path),
              help="Result folder (default results/<instance>-grid-needs-<timestamp>).")
@click.option("--overwrite", is_flag=True, help="Replace the folder if it exists.")
@click.option("--workers", type=click.IntRange(min=0), default=2, show_default=True,
              help="Dask worker processes (local cluster on 127.0.0.1) for the re-solves; 0: in this process.")
@click.option("--mw", "mw", default="1,5", show_default=True, callback=parse_mw, metavar="MW[,MW...]",
              help="Headroom steps re-solved at every substation whose headroom is used up.")
@solver_options
@debug_opt
@handle_errors
def grid_needs_cmd(instance, overrides, out, overwrite, workers, mw, solver, profile, time_limit, gap, threads, seed,
                   no_warm_start, method, debug) -> None:
    """Grid needs of a fast, corridor or rollout plan, per substation (and period).

    Solves the plan with today's headroom and without any grid limit, then, at every substation
    whose headroom the plan uses up, again with +1 MW and +5 MW there (--mw), all on Dask
    workers. Writes grid_needs.csv, grid_needs.md (a table for a pMIEK / RES submission),
    grid_needs.png and summary.json. Every time limit is per re-solve; --threads defaults to 1
    per re-solve when the workers run side by side.

    \b
    Examples:
      siting grid-needs instances/nal-oost-fast --out results/grid-needs-fast
      siting grid-needs instances/nal-oost-corridor --workers 2 --mw 1,2,5 --profile exact
    """
    from siting.cluster import local_client
    from siting.gridneeds.api import grid_needs
    from siting.gridneeds.models import adapter
    from siting.gridneeds.report import write_grid_needs
    from siting.io.claim import FolderClaim
    from siting.io.folder import instance_folder
    from siting.io.write import check_output_folder
    from siting.options import SolveOptions
    from siting.registry import model_of

    folder = instance_folder(instance)
    out = out or Path("results") / f"{folder.name}-grid-needs-{time.strftime('%Y%m%d-%H%M%S')}"
    if threads is None and workers > 1:
        threads = 1  # the workers share the cores
    options = SolveOptions(solver=solver, profile=profile, time_limit=time_limit, gap=gap, threads=threads, seed=seed,
                           warm_start=not no_warm_start, method=method)
    with FolderClaim(out):
        check_output_folder(out, overwrite)
        start = time.perf_counter()
        model = model_of(folder)
        inst = adapter(model).load(folder, list(overrides))  # bad input stops here: exit 2, nothing written
        if workers:
            with local_client(workers) as client:
                run = grid_needs(inst, options, mw=mw, client=client, source=folder)
        else:
            run = grid_needs(inst, options, mw=mw, source=folder)
        summary = write_grid_needs(run, out, overwrite)
    written = Path(summary["written_to"])
    click.echo(f"{len(run.resolves())} solves in {time.perf_counter() - start:.1f} s; "
               f"{len(run.binding_areas)} substation(s) with the headroom used up", err=True)
    text = (written / "grid_needs.md").read_text(encoding="utf-8")
    click.echo(text.split("## How this was computed")[0].rstrip())
    click.echo(f"\nWritten to {written}/ (grid_needs.csv, grid_needs.md, grid_needs.png, summary.json)")
