"""Options shared by several subcommands, defined once."""

from __future__ import annotations

import functools
import sys

import click

from siting.errors import InstanceError, SitingError
from siting.options import METHODS

instance_arg = click.argument("instance", type=click.Path(path_type=str))
set_opt = click.option(
    "--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE",
    help="Override one parameter of instance.toml for this run, e.g. --set fast.p=12 (repeatable).",
)
debug_opt = click.option("--debug", is_flag=True, help="Show the full traceback on errors.")


def solver_options(f):
    """--solver, --profile, --time-limit, --gap, --threads, --seed, --no-warm-start, --method."""
    decorators = [
        click.option("--solver", default="highs", show_default=True,
                     help="highs (embedded, default) or any pyomo solver installed here: cbc, glpk, gurobi, cplex, scip."),
        click.option("--profile", default="default", show_default=True,
                     help="Solver profile (siting/profiles/*.toml): default, exact, fast."),
        click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds; overrides the profile."),
        click.option("--gap", type=click.FloatRange(min=0), help="Relative MIP gap, e.g. 0.01 for 1 %; overrides the profile."),
        click.option("--threads", type=click.IntRange(min=0), help="Solver threads (0 = automatic)."),
        click.option("--seed", type=int, help="Random seed of the solver."),
        click.option("--no-warm-start", is_flag=True, help="Do not give the solver the greedy solution."),
        click.option("--method", type=click.Choice(list(METHODS)),
                     help="mclp only: one model (compact), Benders decomposition, or siting's own branch and "
                          "Benders cut (bnb); auto = bnb when the sites are the only integer decisions (no grid "
                          "rows) and there are at most 30 M demand-site pairs, Benders otherwise (HiGHS)."),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def _one_paragraph(text: str) -> str:
    """No blank lines and no stray control characters: the message is one paragraph."""
    lines = ("".join(ch if ch.isprintable() else " " for ch in line).rstrip() for line in str(text).splitlines())
    return "\n".join(line for line in lines if line.strip())


def handle_errors(f):
    """Report errors in one paragraph without a traceback (exit 2 for bad input); --debug re-raises.

    An unexpected exception is a bug in siting: it is reported in one line with exit code 1 and a
    pointer to --debug, never as a bare traceback.
    """

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug", False)
        try:
            return f(*args, **kwargs)
        except InstanceError as err:
            if debug:
                raise
            click.echo(f"Error: the instance is invalid ({len(err.problems)} problem(s)):", err=True)
            click.echo(_one_paragraph(err.describe()), err=True)
            sys.exit(err.exit_code)
        except SitingError as err:
            if debug:
                raise
            click.echo(_one_paragraph(f"Error: {err}"), err=True)
            sys.exit(err.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            # Ctrl-C / SIGTERM before the solver runs (while loading or precomputing): nothing to
            # keep, and no output was written; the same exit code as an interrupted solve
            if debug:
                raise
            click.echo("Interrupted before the solver started: no plan, nothing written.", err=True)
            sys.exit(130)
        except Exception as err:  # noqa: BLE001 - the last line of defence against a traceback
            if debug:
                raise
            click.echo(_one_paragraph(f"Error: internal error in siting ({type(err).__name__}: {err}); run again "
                                      "with --debug for the traceback and report it"), err=True)
            sys.exit(1)

    return wrapper
