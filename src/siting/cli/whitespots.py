"""`siting whitespots`: the white-spot analysis of the regular public network, per municipality."""

from __future__ import annotations

import time
from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors, instance_arg, set_opt, solver_options


@click.command("whitespots")
@instance_arg
@set_opt
@click.option("--out", type=click.Path(path_type=Path),
              help="Result folder (default results/<instance>-whitespots-<timestamp>).")
@click.option("--overwrite", is_flag=True, help="Replace the folder if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print summary.json instead of the summary.")
@solver_options
@debug_opt
@handle_errors
def whitespots_cmd(instance, overrides, out, overwrite, as_json, solver, profile, time_limit, gap, threads, seed,
                   no_warm_start, method, debug) -> None:
    """White spots of the regular public charging network per municipality, against the plan maps.

    Every CBS 500 m cell with >= 125 households and no public point is a white spot, in category (a) a
    designated plan-map location can be realised, (b) an extra action is needed (land, grid headroom,
    a new location), or (c) not to be filled, with the reason. The LSCP (the fast model's) picks the
    fewest plan-map locations that fill every fillable white spot, with the kW they add per grid area.

    \b
    Examples:
      siting whitespots instances/nal-oost-basisnetwerk
      siting whitespots instances/nal-oost-basisnetwerk --set whitespots.reach_m=200 --out results/ws
    """
    import json

    from siting.io.claim import FolderClaim
    from siting.io.folder import instance_folder
    from siting.io.write import check_output_folder
    from siting.options import SolveOptions
    from siting.whitespots.api import run_whitespots
    from siting.whitespots.load import load_whitespots
    from siting.whitespots.report import write_results

    folder = instance_folder(instance)
    out = out or Path("results") / f"{folder.name}-whitespots-{time.strftime('%Y%m%d-%H%M%S')}"
    options = SolveOptions(solver=solver, profile=profile, time_limit=time_limit, gap=gap, threads=threads, seed=seed,
                           warm_start=not no_warm_start, method=method)
    with FolderClaim(out):
        check_output_folder(out, overwrite)
        inst = load_whitespots(folder, list(overrides))  # bad input stops here: exit 2, nothing written
        run = run_whitespots(inst, options)
        run.source = folder
        summary = write_results(run, out, overwrite)
    written = summary.get("written_to", str(out))
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=str))
    else:
        click.echo((Path(written) / "summary.md").read_text().split("## Per municipality")[0].rstrip())
        click.echo(f"Written to {written}/ (municipalities.csv, municipalities.md, sites.gpkg, map.png, report.html)")
    if run.status == "infeasible":
        raise SystemExit(3)
