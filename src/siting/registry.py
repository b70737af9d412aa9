"""The models siting knows, each described by one `ModelSpec` in its package (`siting.<model>.spec`),
so that the CLI, the sweep and the benchmarks stay generic.

A spec's package is imported only when the model is used: `siting validate` of a park instance
never imports the corridor model.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from siting.config import MODELS, InstanceConfig, read_config
from siting.errors import InstanceError, Problem, SitingError


@dataclass(frozen=True)
class SharedPrecompute:
    """How a sweep's runs of one model share precomputed data (pairs, paths).

    `affects(key)`: does overriding this `SECTION.KEY` change the data? `compute(path, overrides)`
    -> (data, seconds); `solve(instance, data, options)` -> run, as `solve` but with the data given.
    """

    affects: Callable[[str], bool]
    compute: Callable
    solve: Callable


@dataclass(frozen=True)
class ModelSpec:
    """What the generic commands need of a model.

    - schema: the pydantic type of its instance.toml
    - load(path, overrides: list[str]) -> instance      (raises InstanceError on bad input)
    - solve(instance, options: SolveOptions) -> run       (run has .status, .times (dict), .source)
    - write(run, out: Path, overwrite: bool) -> dict      (writes the result folder atomically)
    - describe(instance) -> str                           (one line for `siting validate`)
    - shared: how a sweep shares precomputed data between runs, or None
    - main_kpis: the summary.json KPIs a sweep table shows, in order (those the runs report);
      empty: the first six numeric KPIs
    """

    name: str
    schema: type[InstanceConfig]
    load: Callable
    solve: Callable
    write: Callable
    describe: Callable
    shared: SharedPrecompute | None = None
    main_kpis: tuple[str, ...] = ()


def model_spec(name: str) -> ModelSpec:
    if name not in MODELS:
        raise SitingError(f"model '{name}' is not available in this version of siting (available: {', '.join(MODELS)})")
    return importlib.import_module(f"siting.{name}.spec").SPEC


def model_of(path: str | Path) -> str:
    """The `model` key of an instance's instance.toml (default: fast)."""
    folder = Path(path)
    data = read_config(folder.parent if folder.name == "instance.toml" else folder)
    name = data.get("model", "fast")
    if name == "whitespots":  # an analysis, not a model: it has its own command
        raise SitingError(f"{path} is a white-spot analysis instance: run `siting whitespots {path}`")
    if name not in MODELS:
        raise InstanceError(Problem(str(folder / "instance.toml"), f"unknown model {name!r}; known: {', '.join(MODELS)}", field="model"))
    return name
