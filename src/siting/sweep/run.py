"""Running a sweep on a Dask client: submit the runs, collect and write each run's folder, and
the sweep's own table and plots at the end."""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable
from pathlib import Path

from siting.sweep.report import SweepReport, write_sweep_report
from siting.sweep.spec import FAILED, RunSpec, Sweep
from siting.sweep.tasks import RunFailed, precompute_task, run_task


# -- running a sweep on a Dask client -------------------------------------------------------------
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

    `task` is the function submitted per run (tests wrap it to crash a worker). The sweep folder
    is claimed for the whole sweep (io.claim): a second sweep into it is refused at its start.
    """
    from siting.io.claim import FolderClaim
    from siting.io.write import check_output_folder

    with FolderClaim(out):
        if not resume:
            check_output_folder(out, overwrite)
        return _run_claimed(sweep, client, out, resume, progress, task, poll)


def _run_claimed(sweep: Sweep, client, out: Path, resume: bool, progress: Progress | None, task: Callable,
                 poll: float) -> SweepReport:
    from distributed import wait

    from siting.registry import model_spec

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
    shared = model_spec(sweep.model).shared
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
