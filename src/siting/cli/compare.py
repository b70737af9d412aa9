"""`siting compare`: solve a corridor, park or rollout instance under several scenarios and compare
them side by side (corridor/compare.py, park/compare.py, rollout/compare.py)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors, instance_arg, solver_options


@click.command("compare")
@instance_arg
@click.option("--scenario", "scenarios", multiple=True, required=True, type=click.Path(path_type=Path),
              help="A scenario TOML file (repeatable); see src/siting/corridor/scenario.py, "
                   "src/siting/park/scenario.py or src/siting/rollout/scenario.py for the format.")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for compare.md, compare.csv and the maps "
              "(default results/<instance>-compare-<timestamp>).")
@click.option("--overwrite", is_flag=True, help="Replace the folder if it exists.")
@solver_options
@debug_opt
@handle_errors
def compare_cmd(instance, scenarios, out, overwrite, solver, profile, time_limit, gap, threads, seed,
                no_warm_start, method, debug) -> None:
    """Solve every option and write compare.html, compare.md, compare.csv and one map per option.

    Corridor instances: two reference options come first, existing stations only and the instance
    as it is (base); every plan is the least cost at its option's best service (a second,
    least-cost stage). Park instances: every company on its own connection (no collective square)
    and base come first; every plan is the least annualised cost. Rollout instances: the instance
    planned year by year and planned ahead come first (one solve), then every scenario planned
    ahead; every table has a section per period.

    \b
    Examples:
      siting compare instances/nal-oost-corridor \\
          --scenario instances/nal-oost-corridor/scenarios/a1-a35-first.toml \\
          --scenario instances/nal-oost-corridor/scenarios/a12-a15-first.toml
      siting compare instances/rijssen-holten-park \\
          --scenario instances/rijssen-holten-park/scenarios/firm-contracts.toml \\
          --scenario instances/rijssen-holten-park/scenarios/penalty-high.toml
      siting compare instances/nal-oost-rollout \\
          --scenario instances/nal-oost-rollout/scenarios/apeldoorn-arnhem-2030.toml
    """
    from siting.errors import SitingError
    from siting.io.claim import FolderClaim
    from siting.io.folder import instance_folder
    from siting.io.write import check_output_folder
    from siting.options import SolveOptions
    from siting.progress import live_line
    from siting.registry import model_of
    model = model_of(instance)
    if model == "corridor":
        from siting.corridor.compare import solve_scenarios, write_compare
        from siting.corridor.scenario import load_scenario
        stages = " (two stages each)"
    elif model == "park":
        from siting.park.compare import solve_scenarios, write_compare
        from siting.park.scenario import load_scenario
        stages = ""
    elif model == "rollout":
        from siting.rollout.compare import solve_scenarios, write_compare
        from siting.rollout.scenario import load_scenario
        stages = " (the instance year by year and planned ahead, then every scenario planned ahead)"
    else:
        raise SitingError(f"siting compare works on corridor, park and rollout instances (this one is model = "
                          f"\"{model}\")")
    loaded = [load_scenario(path) for path in scenarios]  # bad scenario files stop here (exit 2)
    folder = instance_folder(instance)
    out = out or Path("results") / f"{folder.name}-compare-{time.strftime('%Y%m%d-%H%M%S')}"
    options = SolveOptions(solver=solver, profile=profile, time_limit=time_limit, gap=gap, threads=threads,
                           seed=seed, warm_start=not no_warm_start, method=method)
    with FolderClaim(out):
        check_output_folder(out, overwrite)
        click.echo(f"Solving {len(loaded) + 2} options of {folder.name}{stages} ...", err=True)
        with live_line():
            runs = solve_scenarios(folder, loaded, options)
        written, text = write_compare(runs, out, overwrite)
    click.echo(text)
    if Path(written) != out:
        click.echo(f"{out} appeared while solving and was left as it was; the comparison is in {written}/", err=True)
    click.echo(f"Written to {written}/ (compare.html, compare.md, compare.csv, map-*.png)")
