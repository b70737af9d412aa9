"""A cluster that lets no one in: `--scheduler tls://...` with certificates, and a local cluster
that listens on loopback only."""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from tests.sweep.small_instance import write_sweep

from siting.cli.main import cli

SWEEP = """
name = "tls"
instance = "instance"
[solve]
profile = "exact"
[grid]
"fast.p" = [3, 6]
"""


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("tls-sweep"), "tls", SWEEP, demand=1000, candidates=20, grid_areas=3,
                       seed=11)


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    """A LocalCluster that speaks TLS only, with throw-away certificates written to PEM files."""
    from distributed import LocalCluster
    from distributed.security import Security

    security = Security.temporary()  # one CA-signed certificate for scheduler, workers and client
    folder = tmp_path_factory.mktemp("pki")
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    files["ca"].write_text(security.tls_ca_file)
    files["cert"].write_text(security.tls_client_cert)
    files["key"].write_text(security.tls_client_key)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tls", host="127.0.0.1",
                      security=security, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address, files


@pytest.mark.solver
def test_sweep_runs_on_a_tls_scheduler_with_certificates(sweep_file, tls_cluster, tmp_path):
    address, files = tls_cluster
    assert address.startswith("tls://127.0.0.1:")
    out = tmp_path / "tls"
    result = CliRunner().invoke(cli, ["sweep", str(sweep_file), "--scheduler", address, "--tls-ca-file",
                                      str(files["ca"]), "--tls-cert", str(files["cert"]), "--tls-key",
                                      str(files["key"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 run(s)" in result.output and "2 optimal" in result.output
    assert list(pd.read_csv(out / "sweep.csv")["status"]) == ["optimal", "optimal"]
    assert "not encrypted" not in result.output


def test_tls_scheduler_refuses_a_client_without_certificates(sweep_file, tls_cluster, tmp_path):
    address, files = tls_cluster
    runner = CliRunner()
    no_ca = runner.invoke(cli, ["sweep", str(sweep_file), "--scheduler", address, "--out", str(tmp_path / "a")])
    assert no_ca.exit_code == 2 and "--tls-ca-file" in no_ca.output
    plain = runner.invoke(cli, ["sweep", str(sweep_file), "--scheduler", address.replace("tls://", "tcp://"),
                                "--out", str(tmp_path / "b")])
    assert plain.exit_code == 2 and "cannot reach a Dask scheduler" in plain.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_tls_options_need_a_tls_scheduler(sweep_file, tls_cluster, tmp_path):
    _, files = tls_cluster
    result = CliRunner().invoke(cli, ["sweep", str(sweep_file), "--tls-ca-file", str(files["ca"]),
                                      "--out", str(tmp_path / "c")])
    assert result.exit_code == 2 and "--scheduler" in result.output


def test_unencrypted_remote_scheduler_is_named_a_risk(capsys):
    from siting.cli.sweep import scheduler_security

    scheduler_security("tcp://10.0.0.5:8786", {})
    assert "anyone who can reach that port" in capsys.readouterr().err
    scheduler_security("tcp://127.0.0.1:8786", {})
    assert capsys.readouterr().err == ""


def test_local_sweep_cluster_listens_on_loopback_only():
    import psutil

    from siting.cli.sweep import _client

    with _client(None, 2) as client:
        client.wait_for_workers(2, timeout=120)
        me = psutil.Process(os.getpid())
        pids = {me.pid} | {child.pid for child in me.children(recursive=True)}
        listening = [c for c in psutil.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN and c.pid in pids]
        assert len(listening) >= 3  # scheduler, dashboard, and at least a worker or nanny per process
        public = [f"{c.laddr.ip}:{c.laddr.port} (pid {c.pid})" for c in listening
                  if not ipaddress.ip_address(c.laddr.ip).is_loopback]
        assert not public, f"local sweep cluster listens beyond loopback: {public}"
