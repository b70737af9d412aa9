"""`siting scan-parks`: the business-park region scan (park/scan.py) on a local Dask cluster."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors, instance_arg, set_opt, solver_options
from siting.cluster import local_client


@click.command("scan-parks")
@instance_arg
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder for scan.csv, scan.md and scan_map.png.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes of the local Dask cluster "
              "(default: the number of cores, at most the number of parks).")
@click.option("--limit", type=click.IntRange(min=1), help="Scan only the first N parks of the table.")
@click.option("--overwrite", is_flag=True, help="Replace the folder if it exists.")
@set_opt
@solver_options
@debug_opt
@handle_errors
def scan_parks_cmd(instance, out, workers, limit, overwrite, overrides, solver, profile, time_limit, gap, threads, seed,
                   no_warm_start, method, debug) -> None:
    """For every business park of a scan folder: the best collective charging plan against every
    company on its own connection; writes the ranked scan.csv, scan.md and scan_map.png.

    Each park is one task on a local Dask cluster (two park-model solves and, where energy stays
    unmet, the shortfall split). --time-limit is per solve (default here 60 s); threads per solve
    default to 1, so that N workers use N cores.

    \b
    Examples:
      siting scan-parks instances/nal-oost-parks --out results/parks-scan --workers 2
      siting scan-parks instances/nal-oost-parks --out results/parks-5 --limit 5 --workers 1
      siting scan-parks instances/nal-oost-parks --out results/parks-cheap --set scan.square_cost=50000
    """
    from siting.io.claim import FolderClaim
    from siting.io.write import check_output_folder
    from siting.options import SolveOptions
    from siting.park.scan import load_scan, scan_parks, write_scan

    scan = load_scan(instance, list(overrides)).limited(limit)  # bad input stops here: exit 2, nothing written
    options = SolveOptions(solver=solver, profile=profile, time_limit=60.0 if time_limit is None else time_limit,
                           gap=gap, threads=1 if threads is None else threads, seed=seed,
                           warm_start=not no_warm_start, method=method)
    workers = workers or max(1, min(os.cpu_count() or 1, len(scan.parks)))
    with FolderClaim(out):
        check_output_folder(out, overwrite)
        click.echo(f"Scanning {len(scan.parks)} parks of {scan.name} on {workers} Dask worker(s) ...", err=True)
        start = time.perf_counter()
        done = [0]

        def on_done(row: dict) -> None:
            done[0] += 1
            if done[0] % 25 == 0 or done[0] == len(scan.parks):
                click.echo(f"  {done[0]}/{len(scan.parks)} parks, {time.perf_counter() - start:,.0f} s", err=True)

        with local_client(workers) as client:
            table = scan_parks(scan, options, client, on_done)
        seconds = time.perf_counter() - start
        written, text = write_scan(table, scan, out, overwrite, seconds=seconds, workers=workers)
    click.echo(text.split("## Where the grid blocks it")[0].rstrip())
    click.echo(f"Written to {written}/ (scan.csv, scan.md, scan_map.png) in {seconds:,.1f} s")
