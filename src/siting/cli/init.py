"""`siting init park OUT [--parks FILE]`: a new instance folder to fill in.

One subcommand per model (`init fast` and `init corridor` can follow). The folder is written
atomically and only where there is nothing yet: an existing folder with files in it is refused.
"""

from __future__ import annotations

from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors
from siting.errors import InstanceError


@click.group("init")
def init_cmd():
    """Write a new instance folder that validates and solves as written: every layer with its
    header, one example row, default prices with their sources, units in its README.md.

    \b
    Examples:
      siting init park my-park
      siting init park my-park --parks parks.gpkg
      siting validate my-park && siting solve my-park
    """


@init_cmd.command("park")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option("--parks", "parks_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Business-park polygons (GeoPackage, GeoJSON, shapefile): one candidate square per park, at a "
                   "point inside it. Without it: one example square.")
@click.option("--parks-layer", help="The layer of a --parks GeoPackage that has several.")
@click.option("--id-field", help="Column of the park ids (default: id, rin or fid; else the row number).")
@click.option("--name-field", help="Column of the park names (default: name, naam or plannaam).")
@click.option("--land-share", type=click.FloatRange(min=0, max=1, min_open=True), default=0.015, show_default=True,
              help="Share of each park's area offered as its square's parcel (land_m2) [estimate].")
@debug_opt
@handle_errors
def park_cmd(out: Path, parks_file: Path | None, parks_layer: str | None, id_field: str | None,
             name_field: str | None, land_share: float, debug: bool) -> None:
    """A park instance (model park): companies, squares, tiers, charger types, grid areas, profiles.

    OUT must be a new (or empty) folder. The companies.csv it writes holds one example company:
    replace it with yours, then run siting validate OUT and siting solve OUT.

    \b
    Example:
      siting init park rh-park --parks instances/rijssen-holten-park/parks.geojson
    """
    from siting.park.init import check_new_folder, read_parks, write_park_template

    for option, value in (("--parks-layer", parks_layer), ("--id-field", id_field), ("--name-field", name_field)):
        if value is not None and parks_file is None:
            raise click.UsageError(f"{option} needs --parks FILE")
    check_new_folder(out)  # before reading a large parks file
    parks = None
    if parks_file is not None:
        try:
            parks = read_parks(parks_file, layer=parks_layer, id_field=id_field, name_field=name_field)
        except InstanceError as err:  # a bad input file, not a bad instance: name the option
            raise click.BadParameter("\n" + err.describe(), param_hint="'--parks'") from None
    written = write_park_template(out, parks, land_share)
    squares = f"{len(parks.ids)} squares from {parks_file}" if parks is not None else "1 example square"
    click.echo(f"park: wrote {written}/ (1 example company, {squares}, default connection tiers and charger "
               "types, 1 example grid area)")
    click.echo(f"Next: fill in {written}/companies.csv as {written}/README.md says, then\n"
               f"  siting validate {written}\n  siting solve {written}")
