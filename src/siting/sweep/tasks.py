"""The tasks of a sweep, as they run on the Dask workers: a group's shared precompute, and one run
(load -> solve -> write to a temporary folder, files returned to the client)."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from siting.errors import InstanceError, SitingError
from siting.options import SolveOptions
from siting.sweep.spec import RunSpec, load_run_instance


# -- the tasks (they run on the workers) ----------------------------------------------------------
class RunFailed(SitingError):
    """A run's error as plain text, so that it survives the trip from worker to client."""

    def __init__(self, kind: str, message: str):
        super().__init__(kind, message)
        self.kind, self.message = kind, message

    def __str__(self) -> str:
        return self.message


def precompute_task(model: str, instance: str, overrides: list[str]):
    from siting.registry import model_spec

    try:
        return model_spec(model).shared.compute(instance, overrides)
    except InstanceError as err:
        raise RunFailed("InstanceError", err.describe()) from None


_SHARED_CACHE: dict[str, Any] = {}  # in each worker process: the shared data it last fetched
_SHARED_CACHE_SIZE = 2


def shared_data(name: str, compute: Callable[[], Any]):
    """A group's precomputed data, published by the client as Dask dataset `name`.

    Fetched once per worker process and kept for the next runs of the same group. The thread
    leaves the worker's pool while it waits (`worker_client`), so that Dask can recompute the
    data on this worker if the worker that held it has died. When Dask gives the data up (the
    workers that held it died more often than `allowed-failures`, e.g. killed by another run of
    the group), this run computes it itself with `compute()` rather than fail with it.
    """
    if name not in _SHARED_CACHE:
        from distributed import worker_client
        from distributed.scheduler import KilledWorker

        try:
            with worker_client() as client:
                data = client.get_dataset(name).result()
        except KilledWorker:
            data = compute()
        while len(_SHARED_CACHE) >= _SHARED_CACHE_SIZE:
            _SHARED_CACHE.pop(next(iter(_SHARED_CACHE)))
        _SHARED_CACHE[name] = data
    return _SHARED_CACHE[name]


def run_task(model: str, instance: str, spec: RunSpec, options: SolveOptions, shared: str | None = None) -> dict:
    """load -> solve (with the shared precompute, if any) -> write to a temporary folder.

    `shared` names the Dask dataset holding the run's precomputed data (see `shared_data`).

    Returns {"summary": dict, "files": {relative path: bytes}}; the client writes the files.
    """
    from siting.io.folder import instance_folder
    from siting.io.write import write_json
    from siting.registry import model_spec

    api = model_spec(model)
    started = time.time()
    t0 = time.perf_counter()
    try:
        inst = load_run_instance(model, api.load, instance, spec)
    except InstanceError as err:  # e.g. p larger than the number of candidates
        raise RunFailed("InstanceError", err.describe()) from None
    load_seconds = time.perf_counter() - t0
    if shared is not None:
        data, shared_seconds = shared_data(shared, lambda: precompute_task(model, instance, list(spec.overrides)))
        run = api.shared.solve(inst, data, options)
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
