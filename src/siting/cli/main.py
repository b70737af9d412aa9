"""`siting`: the command group. Subcommands live in their own modules."""

from __future__ import annotations

import signal
import sys

import click

from siting import __version__, stop
from siting.cli.compare import compare_cmd
from siting.cli.generate import generate_cmd
from siting.cli.gridneeds import grid_needs_cmd
from siting.cli.import_cmd import import_cmd
from siting.cli.init import init_cmd
from siting.cli.scan import scan_parks_cmd
from siting.cli.solve import solve_cmd
from siting.cli.sweep import sweep_cmd
from siting.cli.validate import validate_cmd
from siting.cli.whitespots import whitespots_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="siting")
def cli() -> None:
    """Decide where charging infrastructure goes, under grid, land and demand limits.

    \b
    Examples:
      siting validate instances/nal-oost-fast
      siting solve instances/nal-oost-fast --out results/oost
      siting solve instances/nal-oost-fast --objective mclp --set fast.p=10 --json
      siting import orlib-scp scp41.txt --out instances/scp41
      siting whitespots instances/nal-oost-basisnetwerk
      siting init park my-park --parks parks.gpkg
      siting solve instances/nal-oost-rollout
    """
    # SIGTERM (a scheduler's or `kill`'s stop) ends a run like Ctrl-C does: cleanly, never half-written;
    # both are also remembered, in case the KeyboardInterrupt is raised where it gets dropped
    signal.signal(signal.SIGINT, stop.request)
    signal.signal(signal.SIGTERM, stop.request)
    sys.unraisablehook = stop.quiet_unraisable


cli.add_command(solve_cmd)
cli.add_command(validate_cmd)
cli.add_command(import_cmd)
cli.add_command(generate_cmd)
cli.add_command(sweep_cmd)
cli.add_command(compare_cmd)
cli.add_command(whitespots_cmd)
cli.add_command(init_cmd)
cli.add_command(scan_parks_cmd)
cli.add_command(grid_needs_cmd)
