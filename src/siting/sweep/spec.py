"""The sweep file: its runs (runs x scenarios x grid), checked before anything runs."""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, TypeAdapter, ValidationError, field_validator

from siting.config import StrictModel, did_you_mean, known_keys
from siting.errors import InstanceError, Problem, SitingError
from siting.options import SolveOptions

# A run recorded as one of these did not produce a trustworthy answer; `--resume` runs it again.
FAILED = ("failed",)


# -- the sweep file -------------------------------------------------------------------------------
class RunEntry(StrictModel):
    name: str
    set: dict[str, Any] = {}

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        if not value or safe_name(value) != value:
            raise ValueError("a run name is used as a folder name: letters, digits, '.', '_', '=', '-' only")
        return value


class SweepFile(StrictModel):
    name: str | None = None
    description: str = ""
    instance: str
    scenarios: list[str] = []
    grid: dict[str, list[Any]] = {}
    runs: list[RunEntry] = []
    solve: dict[str, Any] = {}  # SolveOptions fields; validated by solve_options

    @field_validator("grid")
    @classmethod
    def _grid_values(cls, grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in grid.items():
            if not values:
                raise ValueError(f"'{key}' has no values")
            if len({json.dumps(v, sort_keys=True, default=str) for v in values}) != len(values):
                raise ValueError(f"'{key}' lists a value twice")
        return grid


class ScenarioFile(StrictModel):
    """A scenario: a named set of overrides (minimal for now; see the module docstring)."""

    name: str | None = None
    description: str = ""
    set: dict[str, Any] = {}


@dataclass(frozen=True)
class RunSpec:
    """One run: its folder name, the overrides for `load`, and the values shown in the table."""

    name: str
    overrides: tuple[str, ...]
    values: dict[str, Any]  # swept key (or "scenario") -> value, for the table and plots
    group: int = 0  # runs with the same group share their precompute
    # corridor and park: the scenario file whose other parts (sites, areas, squares, tiers, grid, ...)
    # are applied besides its `set` (see load_run_instance)
    scenario_file: str | None = None


@dataclass(frozen=True)
class Sweep:
    name: str
    file: Path
    instance: Path  # absolute
    model: str
    options: SolveOptions
    runs: tuple[RunSpec, ...]
    axes: tuple[str, ...]  # swept keys, in file order ("scenario" for the scenario axis)
    description: str = ""


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "-", text).strip("-.")


def flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    """`{"fast": {"p": [1, 2]}}` (TOML's dotted keys) -> `{"fast.p": [1, 2]}`; quoted keys pass."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and not full.startswith("layers."):
            out.update(flatten(value, full + "."))
        else:
            out[full] = value
    return out


def override_string(key: str, value: Any) -> str:
    """`SECTION.KEY=VALUE` with VALUE written as TOML, as `apply_overrides` reads it."""
    return f"{key}={tomli_w.dumps({'v': value}).strip()[4:]}"


def _read_toml(path: Path) -> dict:
    if not path.is_file():
        raise InstanceError(Problem(str(path), "file not found"))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as err:
        raise InstanceError(Problem(str(path), f"not valid TOML: {err}")) from None


def _validate(model: type[StrictModel], data: dict, file: Path):
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise InstanceError(_problems(err, file, "", None, model)) from None


def _problems(err: ValidationError, file: Path, prefix: str, keys: list[str] | None,
              model: type[BaseModel] | None = None) -> list[Problem]:
    """pydantic's errors as Problems naming the sweep file and the key (`prefix.key`)."""
    problems = []
    for e in err.errors():
        loc = tuple(x for x in (prefix, *e["loc"]) if x != "")
        key = ".".join(str(p) for p in loc)
        if e["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            known = keys if keys is not None else known_keys(model, tuple(e["loc"]))
            problems.append(Problem(str(file), f"unknown key{did_you_mean(str(loc[-1]), known)}", field=key))
        elif e["type"] == "missing":
            problems.append(Problem(str(file), "required key is missing", field=key))
        else:
            problems.append(Problem(str(file), f"{e['msg'].removeprefix('Value error, ')} (got {e.get('input')!r})", field=key))
    return problems


def solve_options(section: dict[str, Any], file: Path) -> SolveOptions:
    """The `[solve]` table as SolveOptions (the fields of `siting solve`'s options); one solver
    thread per run unless set, since a worker runs one run per thread."""
    try:
        return _SOLVE_OPTIONS.validate_python({"threads": 1, **section})
    except ValidationError as err:
        raise InstanceError(_problems(err, file, "solve", _SOLVE_FIELDS)) from None
    except SitingError as err:  # an unknown profile or method
        raise InstanceError(Problem(str(file), str(err), field="solve")) from None


_SOLVE_OPTIONS = TypeAdapter(SolveOptions)
_SOLVE_FIELDS = [f.name for f in fields(SolveOptions)]


FULL_SCENARIOS = ("corridor", "park", "rollout")  # models whose scenario files have more than a `set` table


def read_scenario(path: Path, model: str = "fast") -> tuple[str, dict[str, Any]]:
    """(name, flat overrides) of a scenario file.

    For the corridor model the file is a full `siting.corridor.scenario` file (sites fixed open or closed,
    allowed search areas, extra grid kW besides `set`); its other parts are applied after load. For the
    park model it is a `siting.park.scenario` file (squares open or closed, tiers, contracts, grid): the
    run's instance is read through `park.scenario.load_option` (load_run_instance). For the rollout
    model it is a `siting.rollout.scenario` file (period changes, closed sites, reinforcements),
    read through `rollout.scenario.load_option`."""
    if model == "corridor":
        from siting.corridor.scenario import load_scenario

        scen = load_scenario(path)
        return safe_name(scen.name), flatten(dict(scen.set))
    if model == "park":
        from siting.park.scenario import load_scenario as load_park_scenario

        park_scen = load_park_scenario(path)
        return safe_name(park_scen.name), dict(park_scen.set)
    if model == "rollout":
        from siting.rollout.scenario import load_scenario as load_rollout_scenario

        rollout_scen = load_rollout_scenario(path)
        return safe_name(rollout_scen.name), dict(rollout_scen.set)
    raw = _read_toml(path)
    if isinstance(raw.get("set"), dict):
        raw["set"] = flatten(raw["set"])
    scen = _validate(ScenarioFile, raw, path)
    return safe_name(scen.name or path.stem), dict(scen.set)


def read_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file and every run's instance.toml (not yet its layers).

    Raises InstanceError (exit 2) naming the sweep file and the key.
    """
    from siting.config import apply_overrides, parse_config, read_config
    from siting.registry import model_of, model_spec

    file = Path(path)
    raw = _read_toml(file)
    for section in ("grid",):
        if isinstance(raw.get(section), dict):
            raw[section] = flatten(raw[section])
    for entry in raw.get("runs", []) if isinstance(raw.get("runs"), list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("set"), dict):
            entry["set"] = flatten(entry["set"])
    spec = _validate(SweepFile, raw, file)
    instance = (file.parent / spec.instance).resolve()
    if not (instance / "instance.toml").is_file():
        raise InstanceError(Problem(str(file), f"no instance.toml in {instance}", field="instance"))
    model = model_of(instance)
    schema = model_spec(model).schema
    base = read_config(instance)

    # the three axes, each a list of (label, {key: value}, origin of those keys)
    run_axis = [(r.name, dict(r.set), f"runs[{k}].set") for k, r in enumerate(spec.runs)] or [("", {}, "")]
    scen_axis = [("", {}, "", None)]
    if spec.scenarios:
        scen_axis = []
        for rel in spec.scenarios:
            scen_path = file.parent / rel
            try:
                name, values = read_scenario(scen_path, model)
            except InstanceError as err:
                raise InstanceError([replace(p, message=f"scenario of {file}: {p.message}") for p in err.problems]) from None
            full = str(scen_path.resolve()) if model in FULL_SCENARIOS else None
            if model in ("park", "rollout"):  # its ids (squares, sites, grid areas, years) against the instance
                check_scenario(model, instance, scen_path, file)
            scen_axis.append((name, values, f"scenario {rel}", full))
    grid_keys = list(spec.grid)
    grid_axis = [(combo, dict(zip(grid_keys, combo, strict=True)), "grid") for combo in itertools.product(*spec.grid.values())]
    short = _short_labels(grid_keys)

    runs, seen, problems = [], {}, []
    for (run_name, run_set, run_origin), (scen_name, scen_set, scen_origin, scen_file), (combo, grid_set, _) in itertools.product(
            run_axis, scen_axis, grid_axis):
        origin = {**{k: scen_origin for k in scen_set}, **{k: run_origin for k in run_set}, **{k: "grid" for k in grid_set}}
        clash = (set(run_set) & set(scen_set)) | (set(run_set) & set(grid_set)) | (set(scen_set) & set(grid_set))
        for key in sorted(clash):
            problems.append(Problem(str(file), f"'{key}' is set by more than one axis (grid, runs, scenarios)", field=key))
        parts = [run_name, scen_name] + [f"{short[k]}={label(v)}" for k, v in zip(grid_keys, combo, strict=True)]
        name = safe_name("_".join(p for p in parts if p)) or "base"
        values = {**({"run": run_name} if spec.runs else {}), **({"scenario": scen_name} if spec.scenarios else {}), **grid_set}
        overrides = tuple(override_string(k, v) for k, v in {**scen_set, **run_set, **grid_set}.items())
        try:
            parse_config(apply_overrides(base, list(overrides), str(file)), schema, str(file))
        except InstanceError as err:
            for p in err.problems:
                where = origin.get(p.field or "", "")
                where = f"grid.\"{p.field}\"" if where == "grid" else f"{where}.\"{p.field}\"" if where else p.field
                problems.append(replace(p, message=f"run '{name}': {p.message}", field=where))
        if name in seen:
            problems.append(Problem(str(file), f"two runs are both named '{name}'", field="runs"))
        seen[name] = True
        runs.append(RunSpec(name, overrides, values, scenario_file=scen_file))
    if problems:
        raise InstanceError(list(dict.fromkeys(_dedupe(problems))))

    options = solve_options(spec.solve, file)
    axes = tuple((["run"] if spec.runs else []) + (["scenario"] if spec.scenarios else []) + grid_keys)
    runs = _assign_groups(model, runs)
    return Sweep(spec.name or file.stem, file, instance, model, options, tuple(runs), axes, spec.description)


def check_scenario(model: str, instance: Path, path: Path, file: Path) -> None:
    """A park or rollout scenario applied to the instance once (its own `set` only), so that an
    unknown square, tier, contract, site, grid area, period or profile stops the sweep before any
    run (exit 2)."""
    if model == "park":
        from siting.park.scenario import load_option, load_scenario
    else:
        from siting.rollout.scenario import load_option, load_scenario

    try:
        load_option(instance, load_scenario(path))
    except InstanceError as err:
        raise InstanceError([replace(p, message=f"scenario of {file}: {p.message}") for p in err.problems]) from None


def load_run_instance(model: str, load, instance: str | Path, spec: RunSpec):
    """The instance of one run: `load(instance, overrides)`, with its scenario file's other parts
    where it has one (corridor: applied after load; park: the tables changed before the instance is
    built, `park.scenario.load_option`, the squares fixed open in `ParkInstance.fixed_open`; rollout:
    `rollout.scenario.load_option`)."""
    if spec.scenario_file is None:
        return load(instance, list(spec.overrides))
    if model == "park":
        from siting.park.scenario import load_option, load_scenario

        return load_option(instance, load_scenario(spec.scenario_file), list(spec.overrides))
    if model == "rollout":  # its [periods] go into instance.toml, sites and reinforcements after load
        from siting.rollout.scenario import load_option as load_rollout_option
        from siting.rollout.scenario import load_scenario as load_rollout_scenario

        return load_rollout_option(instance, load_rollout_scenario(spec.scenario_file), list(spec.overrides))
    from siting.corridor.scenario import apply_scenario
    from siting.corridor.scenario import load_scenario as load_corridor_scenario

    return apply_scenario(load(instance, list(spec.overrides)), load_corridor_scenario(spec.scenario_file))


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """The same defect in many runs is reported once (for the first run that has it)."""
    out, seen = [], set()
    for p in problems:
        key = (p.field, re.sub(r"^run '[^']*': ", "", p.message))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _short_labels(keys: list[str]) -> dict[str, str]:
    """`fast.p` -> `p` unless two keys share their last part."""
    last = [k.rsplit(".", 1)[-1] for k in keys]
    return {k: (s if last.count(s) == 1 else k) for k, s in zip(keys, last, strict=True)}


def label(value: Any) -> str:
    """A value as it appears in a run name or a plot legend (10000.0 -> 10000)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)



def _assign_groups(model: str, runs: list[RunSpec]) -> list[RunSpec]:
    from siting.registry import model_spec

    shared = model_spec(model).shared
    if shared is None:
        return [replace(r, group=k) for k, r in enumerate(runs)]
    groups: dict[tuple, int] = {}
    out = []
    for r in runs:
        key = tuple(sorted(o for o in r.overrides if shared.affects(o.split("=", 1)[0])))
        out.append(replace(r, group=groups.setdefault(key, len(groups))))
    return out
