"""Which functions load, solve, write and describe each model, so the CLI stays generic.

Each entry names four functions as "module:function" (imported only when used):
- load(path, overrides: list[str]) -> instance      (raises InstanceError on bad input)
- solve(instance, options: SolveOptions) -> run       (run has .status, .times (dict), .source)
- write(run, out: Path, overwrite: bool) -> dict      (writes the result folder atomically)
- describe(instance) -> str                           (one line for `siting validate`)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from siting.config import MODELS, read_config
from siting.errors import InstanceError, Problem, SitingError

ENTRIES: dict[str, dict[str, str]] = {
    "fast": {
        "load": "siting.io.load:load_fast",
        "solve": "siting.api:solve_fast",
        "write": "siting.io.report:write_results",
        "describe": "siting.api:describe_fast",
    },
    "park": {
        "load": "siting.io.load_park:load_park",
        "solve": "siting.api_park:solve_park",
        "write": "siting.io.report_park:write_park_results",
        "describe": "siting.api_park:describe_park",
    },
    "corridor": {
        "load": "siting.io.load_corridor:load_corridor",
        "solve": "siting.api_corridor:solve_corridor",
        "write": "siting.io.report_corridor:write_corridor_results",
        "describe": "siting.api_corridor:describe_corridor",
    },
}


@dataclass(frozen=True)
class ModelApi:
    name: str
    load: Callable
    solve: Callable
    write: Callable
    describe: Callable


def _resolve(target: str) -> Callable:
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def model_api(name: str) -> ModelApi:
    if name not in ENTRIES:
        raise SitingError(f"model '{name}' is not available in this version of siting (available: {', '.join(ENTRIES)})")
    entry = ENTRIES[name]
    return ModelApi(name, *(_resolve(entry[k]) for k in ("load", "solve", "write", "describe")))


def model_of(path: str | Path) -> str:
    """The `model` key of an instance's instance.toml (default: fast)."""
    folder = Path(path)
    data = read_config(folder.parent if folder.name == "instance.toml" else folder)
    name = data.get("model", "fast")
    if name not in MODELS:
        raise InstanceError(Problem(str(folder / "instance.toml"), f"unknown model {name!r}; known: {', '.join(MODELS)}", field="model"))
    return name
