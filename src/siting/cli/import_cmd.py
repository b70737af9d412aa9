"""`siting import FORMAT FILE --out DIR`: turn a benchmark file into an instance folder."""

from __future__ import annotations

from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors

FORMATS = ["orlib-scp", "orlib-pmed", "swain", "spopt-sf", "orlib-cap", "holmberg", "orlib-pmedcap", "frlm25"]


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Instance folder to create.")
@click.option("--overwrite", is_flag=True, help="Replace the folder if it exists.")
@click.option("--range", "range_", type=click.FloatRange(min=0, min_open=True),
              help="frlm25: vehicle range in the network's length unit.")
@click.option("--p", "p", type=click.IntRange(min=0), help="frlm25: number of stations.")
@click.option("--capacity", type=click.FloatRange(min=0, min_open=True),
              help="orlib-cap: the warehouse capacity of capa/capb/capc, whose files say only 'capacity' "
                   "(capa: 8000, 10000, 12000, 14000; capb: 5000, 6000, 7000, 8000; capc: 5000, 5750, 6500, 7250).")
@debug_opt
@handle_errors
def import_cmd(fmt: str, source: Path, out: Path, overwrite: bool, range_, p, capacity, debug: bool) -> None:
    """Convert a benchmark file into an instance folder.

    \b
    FORMAT:
      orlib-scp      OR-Library set covering (scp41.txt ...)           -> fast / lscp
      orlib-pmed     OR-Library p-median (pmed1.txt ...), graph, p     -> fast / pmedian
      swain          Swain's 55 points (swain.txt)                     -> fast / mclp
      spopt-sf       spopt's San Francisco data (folder with the CSVs) -> fast / lscp, mclp, pmedian
      orlib-cap      OR-Library capacitated warehouses (cap41.txt ...) -> park / CFLP, split
      holmberg       Holmberg single-source CFLP (p1 ... p71)          -> park / CFLP, single source
      orlib-pmedcap  OR-Library capacitated p-median (pmedcap01 ...)   -> park / CFLP, single source, p medians
      frlm25         25-node FRLM network (folder with the three CSVs) -> corridor / flow (--set corridor.range=R)

    \b
    Examples:
      siting import orlib-scp scp41.txt --out instances/scp41
      siting import orlib-pmed pmed1.txt --out instances/pmed1
      siting import orlib-cap cap41.txt --out instances/cap41
      siting import orlib-cap capa.txt --capacity 8000 --out instances/capa-8000
      siting import frlm25 instances/reference/frlm25 --out /tmp/f25 --range 12 --p 3
      siting solve instances/pmed1 --profile exact
    """
    from siting.importers import convert
    from siting.io.write import write_atomic

    options = {k: v for k, v in {"range_": range_, "p": p, "capacity": capacity}.items() if v is not None}
    write_atomic(out, overwrite, lambda folder: convert(fmt, source, folder, **options))
    click.echo(f"{fmt}: {source} -> {out}/")
