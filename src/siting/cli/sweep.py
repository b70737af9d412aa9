"""`siting sweep`: run a sweep file's runs as Dask tasks, locally or on a cluster."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import click

from siting.cli.options import debug_opt, handle_errors
from siting.cluster import local_client


@click.command("sweep")
@click.argument("sweep_file", metavar="SWEEP.toml", type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes of the local cluster "
              "(default: the number of cores, at most the number of runs). Not with --scheduler.")
@click.option("--scheduler", metavar="ADDRESS", help="Use an existing Dask cluster, e.g. tls://host:8786.")
@click.option("--tls-ca-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --scheduler tls://...: the CA certificate the scheduler's certificate is checked against "
              "(default: Dask's config distributed.comm.tls.ca-file).")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="This client's certificate (PEM; may hold the key too).")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="This client's private key (PEM), when not in --tls-cert.")
@click.option("--out", type=click.Path(path_type=Path), help="Sweep folder (default results/<sweep name>).")
@click.option("--resume", is_flag=True, help="Keep the runs already finished in --out; run the others.")
@click.option("--overwrite", is_flag=True, help="Run every run again, replacing existing run folders.")
@debug_opt
@handle_errors
def sweep_cmd(sweep_file, workers, scheduler, tls_ca_file, tls_cert, tls_key, out, resume, overwrite,
              debug) -> None:
    """Solve every parameter set of a sweep file; write one result folder per run, sweep.csv,
    sweep.md and plots/<parameter>.png.

    \b
    Examples:
      siting sweep instances/nal-oost-fast/sweeps/p-and-radius.toml --workers 2
      siting sweep my-sweep.toml --out results/my-sweep --resume
      siting sweep my-sweep.toml --scheduler tls://10.0.0.5:8786 \\
          --tls-ca-file ca.pem --tls-cert client.pem --tls-key client-key.pem

    A cluster runs any code its clients send: use TLS (README, "On a cluster") on any network
    others can reach. A local cluster listens on 127.0.0.1 only.
    """
    from siting.sweep import read_sweep, run_sweep

    if resume and overwrite:
        raise click.UsageError("--resume keeps finished runs and --overwrite replaces them: choose one")
    if scheduler and workers:
        raise click.UsageError("--workers sizes a local cluster; with --scheduler the cluster has its own workers")
    tls = {"tls_ca_file": tls_ca_file, "tls_client_cert": tls_cert, "tls_client_key": tls_key}
    if not scheduler and any(tls.values()):
        raise click.UsageError("--tls-ca-file, --tls-cert and --tls-key secure the connection to --scheduler")
    sweep = read_sweep(sweep_file)  # a bad sweep file stops here (exit 2), before any cluster starts
    out = out or Path("results") / sweep.name
    if out.exists() and not (resume or overwrite):
        raise click.UsageError(f"{out} exists; use --resume to finish it, --overwrite to redo it, or --out")
    click.echo(f"Sweep {sweep.name}: {len(sweep.runs)} runs of {sweep.instance} ({sweep.model}), "
               f"{len({r.group for r in sweep.runs})} shared precompute(s) -> {out}/", err=True)
    start = time.perf_counter()
    with _client(scheduler, workers or min(os.cpu_count() or 1, len(sweep.runs)), tls) as client:
        click.echo(f"Dask scheduler {client.scheduler.address}, {len(client.scheduler_info()['workers'])} worker(s)",
                   err=True)
        report = run_sweep(sweep, client, out, resume=resume, overwrite=overwrite, progress=RichProgress())
    seconds = time.perf_counter() - start
    statuses: dict[str, int] = {}
    for summary in report.summaries.values():
        statuses[summary.get("status", "?")] = statuses.get(summary.get("status", "?"), 0) + 1
    click.echo(f"{len(report.ran)} run(s) in {seconds:.1f} s, {len(report.skipped)} kept from before; "
               + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    click.echo(f"Table: {out / 'sweep.md'} and {out / 'sweep.csv'}")
    if report.interrupted:
        click.echo("Interrupted: finished runs are kept; run again with --resume to complete the sweep.", err=True)
        raise SystemExit(130)
    if report.failed:
        click.echo(f"{len(report.failed)} run(s) failed: {', '.join(report.failed[:10])} (see their summary.json)", err=True)
        raise SystemExit(1)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int, tls: dict | None = None):
    """A Client on an existing scheduler, or on a local cluster on loopback that is closed
    afterwards (run_sweep also keeps at most one run per thread in flight)."""
    if not scheduler:
        with local_client(workers) as client:
            yield client
        return
    from distributed import Client

    try:
        client = Client(scheduler, timeout="20s", security=scheduler_security(scheduler, tls or {}))
    except (OSError, TypeError, ValueError) as err:
        raise click.BadParameter(f"cannot reach a Dask scheduler at {scheduler}: {err}",
                                 param_hint="--scheduler") from None
    try:
        yield client
    finally:
        client.close()


def scheduler_security(address: str, tls: dict):
    """Dask's Security for `address`: the files given, else Dask's own config (distributed.comm.tls.*).

    tls:// requires the CA file; an unencrypted tcp:// address off this machine gets a warning."""
    from distributed.security import Security

    given = {key: str(path) for key, path in tls.items() if path is not None}
    if given and not address.startswith("tls://"):
        raise click.BadParameter("TLS files are given but the address is not tls://", param_hint="--scheduler")
    security = Security(**given, require_encryption=True) if given else Security()
    if address.startswith("tls://") and not security.tls_ca_file:
        raise click.BadParameter("a tls:// scheduler needs --tls-ca-file (or distributed.comm.tls.ca-file in "
                                 "Dask's config)", param_hint="--tls-ca-file")
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    if not address.startswith("tls://") and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: {address} is not encrypted and not authenticated: anyone who can reach that port "
                   "can run code on the cluster. Use tls:// with certificates (README, \"On a cluster\").",
                   err=True)
    return security


class RichProgress:
    """A rich progress bar on stderr: done / total, running, failed, elapsed, remaining."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.bar = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("running {task.fields[running]}, failed {task.fields[failed]}"),
                            TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("remaining"), TimeRemainingColumn(),
                            console=self.console)
        self.task = None

    def start(self, total: int, skipped: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("sweep", total=total, completed=skipped, running=0, failed=0)

    def update(self, done: int, running: int, failed: int) -> None:
        self.bar.update(self.task, completed=done, running=running, failed=failed)

    def finished(self, name: str, summary: dict) -> None:
        objective = summary.get("objective")
        gap = summary.get("gap")
        self.bar.console.print(f"{name}: {summary.get('status')}"
                               + (f", objective {objective:,.6g}" if isinstance(objective, (int, float)) else "")
                               + (f", gap {100 * gap:.3f} %" if isinstance(gap, (int, float)) else "")
                               + (f" — {summary.get('message')}" if summary.get("status") == "failed" else ""))

    def stop(self) -> None:
        self.bar.stop()
