"""The job store on a real PostgreSQL server that this test starts itself (initdb + pg_ctl on a
temporary cluster, loopback only). Skipped where the PostgreSQL server binaries are not installed."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from schedlab.service.app import create_app
from schedlab.service.store import Store
from tests.test_service import _free_port, wait_for

BINDIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
BINDIR = BINDIRS[-1] if BINDIRS else (os.path.dirname(shutil.which("initdb")) if shutil.which("initdb") else None)
pytestmark = pytest.mark.skipif(BINDIR is None, reason="needs the PostgreSQL server binaries (initdb, pg_ctl)")


@pytest.fixture(scope="module")
def postgres_url():
    pytest.importorskip("pg8000")
    root = Path(tempfile.mkdtemp(prefix="schedlab-pg-"))  # directly under /tmp: the postgres user must reach it
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    subprocess.run(
        [*as_user, f"{BINDIR}/initdb", "-D", str(data), "-A", "trust", "-U", "schedlab"], check=True, capture_output=True
    )
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    subprocess.run(
        [*as_user, f"{BINDIR}/pg_ctl", "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        import pg8000.native

        conn = pg8000.native.Connection("schedlab", host="127.0.0.1", port=port, database="postgres")
        conn.run("CREATE DATABASE jobs")
        conn.close()
        yield f"postgresql+pg8000://schedlab@127.0.0.1:{port}/jobs"
    finally:
        subprocess.run([*as_user, f"{BINDIR}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_store_life_cycle_on_postgres(postgres_url):
    store = Store(postgres_url, max_active=10)
    job_id = store.submit("solve", {"instance": "ft06", "solver": "rules:spt", "time_limit": 1})
    job = store.claim(worker=1)
    assert job.id == job_id and job.attempt == 1 and store.claim(worker=2) is None
    assert store.heartbeat(job.id, job.attempt, 0.5, 60.0) == "running"
    time.sleep(0.05)
    assert store.requeue_stale(0.0) == 1  # as if its worker died
    again = store.claim(worker=2)
    assert again.attempt == 2
    assert not store.finish(job.id, 1, {"objective": 1})  # the stale attempt cannot finish it
    assert store.finish(again.id, 2, {"objective": 55})
    assert store.get(job_id).status == "done" and store.result(job_id) == {"objective": 55}


def test_service_runs_jobs_on_postgres(postgres_url):
    with TestClient(create_app(postgres_url, workers=1)) as client:
        r = client.post("/jobs/solve", json={"instance": "ft06", "solver": "cpsat", "time_limit": 5})
        job = wait_for(client, r.json()["id"])
        assert job["status"] == "done"
        assert client.get(f"/jobs/{job['id']}/result").json()["objective"] == 55
