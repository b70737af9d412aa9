"""Scenario sweeps: many runs of one instance, executed as Dask tasks (`siting sweep`).

A sweep file (TOML) names a base instance and the parameter sets to run:

    name = "p-and-radius"              # optional; default: the file's stem
    instance = ".."                    # the instance folder, relative to this file
    scenarios = ["scenarios/grid-upgrade.toml"]   # optional; each is one more axis value

    [solve]                            # SolveOptions of every run; threads = 1 unless set
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
corridor model it is a full `siting.corridor.scenario` file (sites fixed open/closed, allowed search
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

from siting.sweep.report import SweepReport
from siting.sweep.run import Progress, failure_summary, run_sweep, write_run_folder
from siting.sweep.spec import FAILED, RunSpec, Sweep, label, read_scenario, read_sweep, safe_name
from siting.sweep.tasks import RunFailed, precompute_task, run_task

__all__ = ["FAILED", "Progress", "RunFailed", "RunSpec", "Sweep", "SweepReport", "failure_summary", "label",
           "precompute_task", "read_scenario", "read_sweep", "run_sweep", "run_task", "safe_name", "write_run_folder"]
