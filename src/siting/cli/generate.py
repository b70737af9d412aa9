"""`siting generate {fast,corridor,park}`: a synthetic instance from a seed (benchmarks, scale tests).

One subcommand per model, each with its own size options; --seed, --out and --overwrite are
shared. The folder is written atomically (io.write.write_atomic): an existing folder is never
replaced without --overwrite.
"""

from __future__ import annotations

from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors


def common(command):
    """--seed, --out, --overwrite and --debug, the options every kind shares."""
    command = click.option("--seed", type=int, default=0, show_default=True)(command)
    command = click.option("--out", type=click.Path(path_type=Path), required=True)(command)
    command = click.option("--overwrite", is_flag=True, help="Replace an existing --out folder.")(command)
    return debug_opt(command)


def write(kind: str, out: Path, overwrite: bool, generate) -> None:
    """generate(folder, name) writes the instance into a temporary folder, renamed to `out`."""
    from siting.io.write import write_atomic

    counts = {}
    write_atomic(out, overwrite, lambda folder: counts.update(generate(folder, out.name)))
    click.echo(f"{kind}: {counts} -> {out}/")


@click.group("generate")
def generate_cmd():
    """Write a synthetic instance; the same seed gives the same files, byte for byte.

    \b
    Examples:
      siting generate fast --demand 100000 --candidates 1000 --p 20 --seed 1 --out /tmp/fast-100k
      siting generate corridor --nodes 2000 --od-pairs 500 --p 15 --seed 1 --out /tmp/corridor-2k
      siting generate park --companies 40 --squares 5 --seed 1 --out /tmp/park-40
      siting solve /tmp/fast-100k --profile fast
    """


@generate_cmd.command("fast")
@click.option("--demand", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Demand points drawn before merging per raster cell.")
@click.option("--candidates", type=click.IntRange(min=1), default=1_000, show_default=True)
@click.option("--grid-areas", type=click.IntRange(min=0), default=40, show_default=True,
              help="Grid areas with headroom; 0 = no grid limits.")
@click.option("--resolution", type=click.FloatRange(min=1), default=100.0, show_default=True, help="Raster cell, m.")
@click.option("--objective", default="mclp", show_default=True)
@click.option("--p", "p", type=click.IntRange(min=0), default=20, show_default=True)
@click.option("--radius", type=click.FloatRange(min=0, min_open=True), default=5000.0, show_default=True)
@common
@handle_errors
def fast_cmd(demand, candidates, grid_areas, resolution, objective, p, radius, seed, out, overwrite, debug):
    """Demand clustered like towns in a 150 x 120 km region, candidates, grid areas (model fast).

    \b
    Example:
      siting generate fast --demand 100000 --candidates 1000 --p 20 --seed 1 --out /tmp/fast-100k
    """
    from siting.fast.generate import FastSize, generate_fast

    size = FastSize(demand, candidates, grid_areas, resolution, objective=objective, p=p, radius=radius)
    write("fast", out, overwrite, lambda folder, name: generate_fast(size, seed, folder, name=name))


@generate_cmd.command("corridor")
@click.option("--nodes", type=click.IntRange(min=10), default=2_000, show_default=True, help="Road nodes.")
@click.option("--od-pairs", type=click.IntRange(min=1), default=500, show_default=True,
              help="Truck OD flows: the town pairs with the largest gravity pop_a x pop_b / d^2.")
@click.option("--candidates", type=click.IntRange(min=1), default=300, show_default=True,
              help="Candidate hubs on road nodes.")
@click.option("--existing", type=click.IntRange(min=0), default=5, show_default=True,
              help="Existing truck chargers.")
@click.option("--grid-areas", type=click.IntRange(min=0), default=30, show_default=True,
              help="Substations (0: no grid limits).")
@click.option("--towns", type=click.IntRange(min=2), default=60, show_default=True,
              help="Towns: OD ends and clusters of nodes.")
@click.option("--motorway-towns", type=click.IntRange(min=0), default=12, show_default=True,
              help="Biggest towns joined by motorways; each is a LoLa search area.")
@click.option("--p", "p", type=click.IntRange(min=0), default=15, show_default=True, help="New hubs.")
@click.option("--battery-kwh", type=click.FloatRange(min=0, min_open=True), default=400.0, show_default=True,
              help="Range = 0.6 x battery / 1.2 kWh/km.")
@click.option("--capacitated/--uncapacitated", default=True, show_default=True)
@common
@handle_errors
def corridor_cmd(nodes, od_pairs, candidates, existing, grid_areas, towns, motorway_towns, p, battery_kwh,
                 capacitated, seed, out, overwrite, debug):
    """A road graph with motorways, gravity truck flows, hubs, grid and LoLa areas (model corridor).

    \b
    Example:
      siting generate corridor --nodes 2000 --od-pairs 500 --p 15 --seed 1 --out /tmp/corridor-2k
      siting solve /tmp/corridor-2k
    """
    from siting.corridor.generate import CorridorSize, generate_corridor

    size = CorridorSize(nodes=nodes, od_pairs=od_pairs, candidates=candidates, existing=existing,
                        grid_areas=grid_areas, towns=towns, motorway_towns=motorway_towns, p=p,
                        battery_kwh=battery_kwh, capacitated=capacitated)
    write("corridor", out, overwrite, lambda folder, name: generate_corridor(size, seed, folder, name=name))


@generate_cmd.command("park")
@click.option("--companies", type=click.IntRange(min=1), default=40, show_default=True)
@click.option("--squares", type=click.IntRange(min=1), default=5, show_default=True, help="Candidate squares (parcels).")
@click.option("--parks", type=click.IntRange(min=1), default=3, show_default=True, help="Business parks.")
@click.option("--grid-areas", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--slots", type=click.IntRange(min=1), default=96, show_default=True, help="Slots of one day.")
@common
@handle_errors
def park_cmd(companies, squares, parks, grid_areas, slots, seed, out, overwrite, debug):
    """Companies on business parks, candidate squares, tiers, chargers, congested grid (model park).

    \b
    Example:
      siting generate park --companies 40 --squares 5 --seed 1 --out /tmp/park-40
      siting solve /tmp/park-40
    """
    from siting.park.generate import ParkSize, generate_park

    size = ParkSize(companies=companies, squares=squares, parks=parks, grid_areas=grid_areas, slots=slots)
    write("park", out, overwrite, lambda folder, name: generate_park(size, seed, folder, name=name))
