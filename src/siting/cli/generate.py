"""`siting generate KIND`: a synthetic instance from a seed (benchmarks, scale tests)."""

from __future__ import annotations

from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors


@click.command("generate")
@click.argument("kind", type=click.Choice(["fast"]))
@click.option("--demand", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Demand points drawn before merging per raster cell.")
@click.option("--candidates", type=click.IntRange(min=1), default=1_000, show_default=True)
@click.option("--grid-areas", type=click.IntRange(min=1), default=40, show_default=True)
@click.option("--resolution", type=click.FloatRange(min=1), default=100.0, show_default=True, help="Raster cell, m.")
@click.option("--objective", default="mclp", show_default=True)
@click.option("--p", "p", type=click.IntRange(min=0), default=20, show_default=True)
@click.option("--radius", type=click.FloatRange(min=0, min_open=True), default=5000.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--overwrite", is_flag=True)
@debug_opt
@handle_errors
def generate_cmd(kind, demand, candidates, grid_areas, resolution, objective, p, radius, seed, out, overwrite, debug):
    """Write a synthetic instance; the same seed gives the same files, byte for byte.

    \b
    Example:
      siting generate fast --demand 100000 --candidates 1000 --p 20 --seed 1 --out /tmp/fast-100k
      siting solve /tmp/fast-100k --profile fast
    """
    from siting.generate import FastSize, generate_fast
    from siting.io.write import write_atomic

    size = FastSize(demand, candidates, grid_areas, resolution, objective=objective, p=p, radius=radius)
    counts = {}
    write_atomic(out, overwrite, lambda folder: counts.update(generate_fast(size, seed, folder, name=out.name)))
    click.echo(f"{kind}: {counts} -> {out}/")
