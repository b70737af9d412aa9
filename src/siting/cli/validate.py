"""`siting validate`: run the checks only."""

from __future__ import annotations

import click

from siting.cli.options import debug_opt, handle_errors, instance_arg, set_opt


@click.command("validate")
@instance_arg
@set_opt
@debug_opt
@handle_errors
def validate_cmd(instance: str, overrides: tuple[str, ...], debug: bool) -> None:
    """Check an instance without solving it: files, layers, columns, ids, numbers, CRS.

    Every problem names the file, layer, row id and field. Exit code 0 when valid, 2 when not.

    \b
    Example:
      siting validate instances/nal-oost-fast
    """
    from siting.registry import model_of, model_spec

    api = model_spec(model_of(instance))
    click.echo(api.describe(api.load(instance, list(overrides))))
