"""The local Dask cluster every command that fans out solves uses (`siting sweep` without
--scheduler, `siting scan-parks`, `siting grid-needs`): single-threaded worker processes on
loopback, so no other machine can reach it, closed on exit."""

from __future__ import annotations

import contextlib
import logging

# No prefetching of queued tasks by workers: solves are long and uneven, a free worker takes the
# next one, and a killed worker takes only the run it was executing with it.
LOCAL_CONFIG = {"distributed.scheduler.worker-saturation": 1.0}


@contextlib.contextmanager
def local_client(workers: int):
    """A Dask Client on a LocalCluster of `workers` processes (one thread each) on 127.0.0.1."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(LOCAL_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()
