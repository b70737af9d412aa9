"""Scenario sweeps: many runs of one instance, executed as Dask tasks (`siting sweep`).

A sweep file (TOML) names a base instance and the parameter sets to run:

    name = "p-and-radius"              # optional; default: the file's stem
    instance = ".."                    # the instance folder, relative to this file
    scenarios = ["scenarios/grid-upgrade.toml"]   # optional; each is one more axis value

    [solve]                            # per run; threads = 1 unless set
    profile = "fast"
    time_limit = 60

    [grid]                             # cartesian product of every key's values
    "fast.p" = [10, 25, 40]
    "fast.radius" = [10000.0, 15000.0]

    [[runs]]                           # and/or named parameter sets
    name = "budget"
    set = { "fast.budget" = 5e6, "fast.p" = 30 }

The runs are the product  runs × scenarios × grid  (a missing axis counts as one empty value);
a key may be set by only one axis. Keys are `SECTION.KEY` of instance.toml, as with `--set`.

A scenario file is a TOML table of overrides with an optional name (default: stem); for the
corridor model it is a full `siting.scenario` file (sites fixed open/closed, allowed search
areas, extra grid kW), applied to each run's instance after loading:

    name = "grid-upgrade"
    description = "OS EDE +10 MW"
    set = { "layers.grid_areas" = { file = "grid-2030.gpkg", layer = "grid_areas" } }

Execution (`run_sweep`): runs that share their precompute (for the fast model: the same
radius and layers, i.e. every override outside `fast.*` other than `fast.radius`) form a
group. Each group's pairs are computed once, by one Dask task, and published on the cluster as
a dataset; a worker fetches them the first time it runs a run of that group and keeps them
for the next ones. A run task loads the instance, solves with the shared pairs, writes its
result folder to a temporary folder on the worker and returns the files; the client (the
`siting sweep` process) writes each run's folder `<out>/<run>/` atomically. Workers therefore
need the instance files at the same path, but not the output folder.

At most one run per worker thread is in flight (the client submits the next run when one
finishes; Dask decides where it runs), so a worker that dies takes only the run it was
executing with it. Dask runs that run again elsewhere, up to its
`distributed.scheduler.allowed-failures`; a run that still fails, or raises, is recorded in its
own summary.json with status `failed` and never stops the sweep.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import tempfile
import time
import tomllib
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, Field, ValidationError, field_validator

from siting.config_base import StrictModel, did_you_mean
from siting.errors import InstanceError, Problem, SitingError
from siting.solve import SolveOptions

# A run recorded as one of these did not produce a trustworthy answer; `--resume` runs it again.
FAILED = ("failed",)


# -- the sweep file -------------------------------------------------------------------------------
class SolveSection(StrictModel):
    """Solve options of every run (as `siting solve`'s options); one solver thread by default."""

    solver: str = "highs"
    profile: str = "default"
    time_limit: float | None = Field(default=None, gt=0)
    gap: float | None = Field(default=None, ge=0)
    threads: int = Field(default=1, ge=0)
    seed: int | None = None
    warm_start: bool = True


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
    solve: SolveSection = SolveSection()

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
    scenario_file: str | None = None  # corridor: a scenario whose sites/areas/grid parts are applied after load


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


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    for part in loc[:-1]:
        info = model.model_fields.get(str(part)) if isinstance(part, str) else None
        if info is None:
            continue  # a list index or a dict key: stay on the same model
        sub = info.annotation
        args = getattr(sub, "__args__", ())
        sub = next((a for a in (sub, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if sub is None:
            return []
        model = sub
    return list(model.model_fields)


def _validate(model: type[StrictModel], data: dict, file: Path):
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = tuple(e["loc"])
            key = ".".join(str(p) for p in loc)
            if e["type"] == "extra_forbidden":
                problems.append(Problem(str(file), f"unknown key{did_you_mean(str(loc[-1]), _known_keys(model, loc))}", field=key))
            elif e["type"] == "missing":
                problems.append(Problem(str(file), "required key is missing", field=key))
            else:
                problems.append(Problem(str(file), f"{e['msg'].removeprefix('Value error, ')} (got {e.get('input')!r})", field=key))
        raise InstanceError(problems) from None


def read_scenario(path: Path, model: str = "fast") -> tuple[str, dict[str, Any]]:
    """(name, flat overrides) of a scenario file.

    For the corridor model the file is a full `siting.scenario` file (sites fixed open or closed,
    allowed search areas, extra grid kW besides `set`); its other parts are applied after load."""
    if model == "corridor":
        from siting.scenario import load_scenario

        scen = load_scenario(path)
        return safe_name(scen.name), flatten(dict(scen.set))
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
    from siting.registry import model_of

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
            scen_axis.append((name, values, f"scenario {rel}", str(scen_path.resolve()) if model == "corridor" else None))
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
            parse_config(apply_overrides(base, list(overrides), str(file)), str(file))
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

    s = spec.solve
    options = SolveOptions(solver=s.solver, profile=s.profile, time_limit=s.time_limit, gap=s.gap, threads=s.threads,
                           seed=s.seed, warm_start=s.warm_start)
    axes = tuple((["run"] if spec.runs else []) + (["scenario"] if spec.scenarios else []) + grid_keys)
    runs = _assign_groups(model, runs)
    return Sweep(spec.name or file.stem, file, instance, model, options, tuple(runs), axes, spec.description)


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


# -- shared precompute, per model -----------------------------------------------------------------
@dataclass(frozen=True)
class SharedPrecompute:
    """How one model's runs share precomputed data.

    `affects(key)`: does overriding this key change the precomputed data? `compute(path,
    overrides)` -> data and `solve(instance, data, options)` -> run are "module:function" names.
    """

    affects: Callable[[str], bool]
    compute: str
    solve: str


def _fast_affects(key: str) -> bool:
    return not key.startswith("fast.") or key == "fast.radius"


def _corridor_affects(key: str) -> bool:
    """Paths depend on the network, the OD flows and how they are read, not on stations or range;
    a scenario file's sites, search areas and grid parts do not change them either."""
    return not key.startswith("corridor.") or key in (
        "corridor.k_paths", "corridor.detour", "corridor.max_snap", "corridor.strict")


SHARED: dict[str, SharedPrecompute] = {
    "fast": SharedPrecompute(_fast_affects, "siting.sweep:fast_precompute", "siting.sweep:solve_fast_with_pairs"),
    "corridor": SharedPrecompute(_corridor_affects, "siting.sweep:corridor_precompute",
                                 "siting.sweep:solve_corridor_with_paths"),
}


def _assign_groups(model: str, runs: list[RunSpec]) -> list[RunSpec]:
    shared = SHARED.get(model)
    if shared is None:
        return [replace(r, group=k) for k, r in enumerate(runs)]
    groups: dict[tuple, int] = {}
    out = []
    for r in runs:
        key = tuple(sorted(o for o in r.overrides if shared.affects(o.split("=", 1)[0])))
        out.append(replace(r, group=groups.setdefault(key, len(groups))))
    return out


def fast_precompute(path: str | Path, overrides: list[str]):
    """The fast model's pairs for an instance with these overrides (and the seconds it took)."""
    from siting.io.load import load_fast
    from siting.precompute.sites import fast_pairs

    start = time.perf_counter()
    pairs = fast_pairs(load_fast(path, overrides))
    return pairs, time.perf_counter() - start


def solve_fast_with_pairs(instance, pairs, options: SolveOptions | None = None):
    """`siting.api.solve_fast` on a loaded instance, with its pairs already computed."""
    from siting import api

    if pairs.shape != (instance.n_demand, instance.n_sites):
        raise SitingError(f"shared pairs have shape {pairs.shape}, the instance needs {(instance.n_demand, instance.n_sites)}")
    run = api.solve_fast(instance, options or SolveOptions(), pairs=pairs)
    run.times["precompute"] = 0.0  # computed once for the group, outside this run
    return run


def corridor_precompute(path: str | Path, overrides: list[str]):
    """The corridor model's OD paths for an instance with these overrides (and the seconds it took)."""
    from siting.api_corridor import corridor_paths
    from siting.io.load_corridor import load_corridor

    start = time.perf_counter()
    paths = corridor_paths(load_corridor(path, overrides))
    return paths, time.perf_counter() - start


def solve_corridor_with_paths(instance, paths, options: SolveOptions | None = None):
    """`siting.api_corridor.solve_corridor` with the group's shared OD paths."""
    from siting.api_corridor import solve_corridor

    return solve_corridor(instance, options or SolveOptions(), paths=paths)


# -- the tasks (they run on the workers) ----------------------------------------------------------
class RunFailed(SitingError):
    """A run's error as plain text, so that it survives the trip from worker to client."""

    def __init__(self, kind: str, message: str):
        super().__init__(kind, message)
        self.kind, self.message = kind, message

    def __str__(self) -> str:
        return self.message


def precompute_task(model: str, instance: str, overrides: list[str]):
    from siting.registry import _resolve

    try:
        return _resolve(SHARED[model].compute)(instance, overrides)
    except InstanceError as err:
        raise RunFailed("InstanceError", err.describe()) from None


_SHARED_CACHE: dict[str, Any] = {}  # in each worker process: the shared data it last fetched
_SHARED_CACHE_SIZE = 2


def shared_data(name: str):
    """A group's precomputed data, published by the client as Dask dataset `name`.

    Fetched once per worker process and kept for the next runs of the same group. The thread
    leaves the worker's pool while it waits (`worker_client`), so that Dask can recompute the
    data on this worker if the worker that held it has died.
    """
    if name not in _SHARED_CACHE:
        from distributed import worker_client

        with worker_client() as client:
            data = client.get_dataset(name).result()
        while len(_SHARED_CACHE) >= _SHARED_CACHE_SIZE:
            _SHARED_CACHE.pop(next(iter(_SHARED_CACHE)))
        _SHARED_CACHE[name] = data
    return _SHARED_CACHE[name]


def run_task(model: str, instance: str, spec: RunSpec, options: SolveOptions, shared: str | None = None) -> dict:
    """load -> solve (with the shared precompute, if any) -> write to a temporary folder.

    `shared` names the Dask dataset holding the run's precomputed data (see `shared_data`).

    Returns {"summary": dict, "files": {relative path: bytes}}; the client writes the files.
    """
    from siting.io.load import instance_folder
    from siting.io.write import write_json
    from siting.registry import _resolve, model_api

    api = model_api(model)
    started = time.time()
    t0 = time.perf_counter()
    try:
        inst = api.load(instance, list(spec.overrides))
        if spec.scenario_file is not None:
            from siting.scenario import apply_scenario, load_scenario

            inst = apply_scenario(inst, load_scenario(spec.scenario_file))
    except InstanceError as err:  # e.g. p larger than the number of candidates
        raise RunFailed("InstanceError", err.describe()) from None
    load_seconds = time.perf_counter() - t0
    if shared is not None:
        data, shared_seconds = shared_data(shared)
        run = _resolve(SHARED[model].solve)(inst, data, options)
        run.times["precompute_shared"] = shared_seconds
    else:
        run = api.solve(inst, options)
    run.source = instance_folder(instance)
    run.times["load"] = load_seconds
    run.times["total"] = run.times.get("total", 0.0) + load_seconds
    tmp = Path(tempfile.mkdtemp(prefix="siting-sweep-"))
    try:
        t0 = time.perf_counter()
        summary = api.write(run, tmp / spec.name, False)
        summary["sweep"] = {"run": spec.name, "values": spec.values, "overrides": list(spec.overrides),
                            "worker": _worker_address(), "started": started, "finished": time.time(),
                            "write_seconds": round(time.perf_counter() - t0, 4)}
        write_json(tmp / spec.name / "summary.json", summary)
        files = {str(f.relative_to(tmp / spec.name)): f.read_bytes()
                 for f in sorted((tmp / spec.name).rglob("*")) if f.is_file()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"summary": json.loads(files["summary.json"]), "files": files}


def _worker_address() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:  # not in a worker (a test calling the task directly)
        return None


# -- running a sweep on a Dask client -------------------------------------------------------------
@dataclass
class SweepReport:
    """What happened to each run: its summary (read back or new) and whether it ran now."""

    sweep: Sweep
    out: Path
    summaries: dict[str, dict] = field(default_factory=dict)  # run name -> summary.json content
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> list[str]:
        return [n for n, s in self.summaries.items() if s.get("status") in FAILED]


def completed_summary(folder: Path) -> dict | None:
    """The summary of a complete run folder (not a failed one), else None."""
    try:
        summary = json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError):
        return None
    return None if summary.get("status") in FAILED else summary


def failure_summary(spec: RunSpec, kind: str, message: str, trace: str = "") -> dict:
    from siting import __version__

    return {"status": "failed", "objective": None, "best_bound": None, "gap": None, "message": f"{kind}: {message}",
            "error": {"kind": kind, "message": message, "traceback": trace}, "kpis": {}, "times": {},
            "sweep": {"run": spec.name, "values": spec.values, "overrides": list(spec.overrides)},
            "siting_version": __version__}


def write_run_folder(out: Path, name: str, summary: dict, files: dict[str, bytes] | None = None) -> None:
    from siting.io.write import write_atomic, write_json

    def contents(folder: Path) -> None:
        for rel, data in (files or {}).items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
        if not files:
            write_json(folder / "summary.json", summary)

    write_atomic(out / name, True, contents)


class Progress:
    """What `run_sweep` reports while it runs; the CLI shows it with rich, tests record it."""

    def start(self, total: int, skipped: int) -> None: ...

    def update(self, done: int, running: int, failed: int) -> None: ...

    def finished(self, name: str, summary: dict) -> None: ...

    def stop(self) -> None: ...


def run_sweep(sweep: Sweep, client, out: Path, *, resume: bool = False, overwrite: bool = False,
              progress: Progress | None = None, task: Callable = run_task, poll: float = 0.5) -> SweepReport:
    """Run every run of `sweep` on a Dask `client`, write `<out>/<run>/` and the sweep table.

    `task` is the function submitted per run (tests wrap it to crash a worker).
    """
    from distributed import wait

    from siting.io.sweep_report import write_sweep_report
    from siting.io.write import check_output_folder

    if not resume:
        check_output_folder(out, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    progress = progress or Progress()
    report = SweepReport(sweep, out)
    todo = []
    for spec in sweep.runs:
        done = completed_summary(out / spec.name) if resume else None
        if done is not None:
            report.summaries[spec.name] = done
            report.skipped.append(spec.name)
        else:
            todo.append(spec)

    token = uuid.uuid4().hex[:8]
    instance = str(sweep.instance)
    shared = SHARED.get(sweep.model)
    ready: deque[RunSpec] = deque(todo if shared is None else [])
    waiting: dict[int, list[RunSpec]] = {}
    precompute: dict = {}  # future -> group
    published: dict[int, str] = {}  # group -> dataset name
    if shared is not None:
        for spec in todo:
            if spec.group not in waiting:
                fut = client.submit(precompute_task, sweep.model, instance, list(spec.overrides),
                                    key=f"siting-precompute-{spec.group}-{token}", pure=False)
                precompute[fut] = spec.group
            waiting.setdefault(spec.group, []).append(spec)
    left = Counter(spec.group for spec in todo)
    running: dict = {}  # future -> RunSpec
    progress.start(len(sweep.runs), len(report.skipped))

    def record(spec: RunSpec, summary: dict) -> None:
        report.summaries[spec.name] = summary
        report.ran.append(spec.name)
        progress.finished(spec.name, summary)
        left[spec.group] -= 1
        if left[spec.group] == 0 and spec.group in published:
            client.unpublish_dataset(published.pop(spec.group))  # no run needs it any more

    try:
        while ready or running or precompute:
            # at most one run per worker thread in flight: a worker that dies takes only the run
            # it was executing with it, and a long sweep does not flood the scheduler
            for _ in range(max(0, _threads(client) - len(running) - len(precompute))):
                if not ready:
                    break
                spec = ready.popleft()
                fut = client.submit(task, sweep.model, instance, spec, sweep.options, published.get(spec.group),
                                    key=f"siting-run-{spec.name}-{token}", pure=False)
                running[fut] = spec
            if not running and not precompute:
                time.sleep(poll)  # no worker yet (a cluster that is still starting)
                continue
            try:
                done, _ = wait(list(running) + list(precompute), timeout=poll, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            for fut in done:
                if fut in precompute:
                    group = precompute.pop(fut)
                    if fut.status == "finished":
                        published[group] = f"siting-shared-{group}-{token}"
                        client.publish_dataset(fut, name=published[group])
                        ready.extend(waiting.pop(group))
                    else:  # the precompute failed: so does every run of its group
                        for spec in waiting.pop(group):
                            record(spec, _collect(fut, spec, out))
                    fut.release()
                else:
                    spec = running.pop(fut)
                    record(spec, _collect(fut, spec, out))
                    fut.release()
            failed = sum(s.get("status") in FAILED for s in report.summaries.values())
            progress.update(len(report.summaries), len(running), failed)
    except KeyboardInterrupt:
        report.interrupted = True
        client.cancel(list(running) + list(precompute))
    finally:
        for name in published.values():
            client.unpublish_dataset(name)
        progress.stop()
    write_sweep_report(report)
    return report


def _threads(client) -> int:
    """Worker threads of the cluster now (workers may come and go)."""
    return sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())


def _collect(fut, spec: RunSpec, out: Path) -> dict:
    """Write one finished run's folder; a failure becomes a summary with status `failed`."""
    from distributed.client import FutureCancelledError

    try:
        result = fut.result()
    except FutureCancelledError as err:
        summary = failure_summary(spec, "cancelled", str(err))
    except Exception as err:  # noqa: BLE001 - any failure of one run is recorded, never raised
        trace = "" if isinstance(err, RunFailed) else "".join(traceback.format_exception(err))
        kind = err.kind if isinstance(err, RunFailed) else type(err).__name__
        summary = failure_summary(spec, kind, str(err) or repr(err), trace)
    else:
        write_run_folder(out, spec.name, result["summary"], result["files"])
        return result["summary"]
    write_run_folder(out, spec.name, summary)
    return summary
