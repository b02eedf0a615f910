"""The job service: API validation, jobs run in worker processes, cancel, back-pressure, kill -9 recovery."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from schedlab.service.app import create_app
from schedlab.service.store import Store, default_url


def wait_for(client, job_id: int, timeout: float = 60.0) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("svc") / "jobs.db"
    with TestClient(create_app(str(db), workers=2, max_active=50)) as c:
        yield c


def test_solve_job_runs_in_a_worker_and_returns_the_optimum(client):
    r = client.post("/jobs/solve", json={"instance": "ft06", "solver": "cpsat", "time_limit": 5})
    assert r.status_code == 202
    job = wait_for(client, r.json()["id"])
    assert job["status"] == "done" and job["attempt"] == 1
    result = client.get(f"/jobs/{job['id']}/result").json()
    assert result["objective"] == 55 and result["status"] == "optimal" and result["best_known"] == 55
    assert len(result["schedule"]) == 36


def test_uploaded_instance_simulation_and_sweep_jobs(client):
    text = "2 2\n0 3 1 2\n1 4 0 1\n"  # a 2x2 job shop in the standard text format
    r = client.post("/jobs/solve", json={"text": text, "filename": "tiny.jss", "solver": "cpsat", "time_limit": 2})
    assert r.status_code == 202, r.text
    sim = client.post("/jobs/simulate", json={"domain": "dag", "params": {"jobs": 30, "seed": 1}})
    sweep = client.post("/jobs/sweep", json={"suite": "wt40", "solvers": ["rules:edd", "rules:atc"], "limit": 2, "time_limit": 1})
    assert wait_for(client, r.json()["id"])["status"] == "done"
    assert client.get(f"/jobs/{r.json()['id']}/result").json()["objective"] == 6  # J0 M0 0-3, J1 M1 0-4, then 4-6 and 4-5
    assert wait_for(client, sim.json()["id"])["status"] == "done"
    assert client.get(f"/jobs/{sim.json()['id']}/result").json()["metrics"]["finished"] == 30
    assert wait_for(client, sweep.json()["id"])["status"] == "done"
    rows = client.get(f"/jobs/{sweep.json()['id']}/result").json()["rows"]
    assert len(rows) == 4 and all(row["valid"] for row in rows)


def test_bad_requests_say_what_is_wrong(client):
    r = client.post("/jobs/solve", json={"instance": "ft06", "solver": "magic"})
    assert r.status_code == 422 and "unknown solver 'magic'" in r.text
    r = client.post("/jobs/solve", json={"instance": "no-such-instance"})
    assert r.status_code == 422 and "bundled instance" in r.text
    r = client.post("/jobs/solve", json={"text": "3 3\n1 2\n", "filename": "x.jss", "solver": "rules:spt"})
    assert r.status_code == 202  # uploads are parsed by the job, off the request path
    failed = wait_for(client, r.json()["id"])
    assert failed["status"] == "failed" and "x.jss:2: expected" in failed["error"], failed
    r = client.post("/jobs/simulate", json={"domain": "weather"})
    assert r.status_code == 422 and "'cluster', 'dag', 'drones', 'iot', 'llm', 'mec'" in r.text
    r = client.post("/jobs/simulate", json={"domain": "dag", "params": {"colour": 1}})
    assert r.status_code == 422 and "Extra inputs are not permitted" in r.text and "colour" in r.text
    r = client.post("/jobs/solve", json={"instance": "ft06", "time_limit": -1})
    assert r.status_code == 422
    assert client.get("/jobs/999999").status_code == 404
    assert "openapi" in client.get("/openapi.json").json()
    regs = client.get("/registries").json()
    assert "cpsat" in regs["solvers"] and set(regs["simulations"]) == {"llm", "dag", "cluster", "drones", "mec", "iot"}
    fields = {f["name"]: f for f in regs["simulations"]["llm"]["fields"]}
    assert fields["requests"]["ge"] == 1 and fields["trace"]["accepts_uploads"] and "token_budget" in [
        o["name"] for o in regs["simulations"]["llm"]["policies"]["sarathi"]["options"]]


def test_cancel_stops_a_running_job(client):
    r = client.post("/jobs/solve", json={"instance": "ta41", "solver": "cpsat", "time_limit": 120})
    job_id = r.json()["id"]
    end = time.time() + 30
    while client.get(f"/jobs/{job_id}").json()["status"] != "running" and time.time() < end:
        time.sleep(0.1)
    assert client.post(f"/jobs/{job_id}/cancel").json()["status"] == "cancelled"
    assert client.get(f"/jobs/{job_id}").json()["status"] == "cancelled"
    assert client.post(f"/jobs/{job_id}/cancel").status_code == 409
    # the worker is free again: a new job finishes long before the cancelled one's 120 s
    quick = client.post("/jobs/solve", json={"instance": "ft06", "solver": "rules:mwkr", "time_limit": 1}).json()["id"]
    assert wait_for(client, quick, timeout=30)["status"] == "done"


def test_full_queue_answers_429(tmp_path):
    app = create_app(str(tmp_path / "q.db"), max_active=2, start_workers=False)
    with TestClient(app) as c:
        for _ in range(2):
            assert c.post("/jobs/solve", json={"instance": "ft06", "solver": "rules:spt"}).status_code == 202
        r = c.post("/jobs/solve", json={"instance": "ft06", "solver": "rules:spt"})
        assert r.status_code == 429 and "queue full" in r.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db, port):
    cmd = [sys.executable, "-m", "schedlab.cli", "serve", "--db", str(db), "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    end = time.time() + 30
    while time.time() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def test_kill_9_loses_no_accepted_job(tmp_path):
    db, port = tmp_path / "jobs.db", _free_port()
    server = _serve(db, port)
    base = f"http://127.0.0.1:{port}"
    ids = []
    try:
        for k in range(6):
            body = {"instance": "ft06", "solver": "cpsat" if k % 2 else "rules:mwkr", "time_limit": 3, "seed": k}
            ids.append(httpx.post(f"{base}/jobs/solve", json=body).json()["id"])
        time.sleep(1.5)  # some jobs are running now
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        time.sleep(1.5)  # orphaned workers notice and exit
        server = _serve(db, port)
        end = time.time() + 90
        while time.time() < end:
            statuses = [httpx.get(f"{base}/jobs/{i}").json()["status"] for i in ids]
            if all(s == "done" for s in statuses):
                break
            time.sleep(0.3)
        assert statuses == ["done"] * 6
        for i in ids:
            assert httpx.get(f"{base}/jobs/{i}/result").json()["objective"] >= 55
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    store = Store(default_url(db))
    assert store.counts() == {"done": 6}


def test_dashboard_is_served_with_its_chart_library(client):
    page = client.get("/ui/")
    assert page.status_code == 200 and '<script type="module" src="app.js">' in page.text
    charts = client.get("/ui/charts.js")
    assert charts.status_code == 200 and "export function gantt" in charts.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"


def test_example_jobs_all_finish(tmp_path):
    from schedlab.service.examples import EXAMPLES, submit_examples

    app = create_app(str(tmp_path / "ex.db"), workers=2)
    with TestClient(app) as c:
        ids = submit_examples(app.state.store)
        assert len(ids) == len(EXAMPLES)
        for i in ids:
            assert wait_for(c, i, timeout=120)["status"] == "done", c.get(f"/jobs/{i}").json()


def test_sweep_job_on_ray_matches_serial(client):
    pytest.importorskip("ray")
    body = {"suite": "wt40", "solvers": ["rules:edd", "ils"], "limit": 2, "time_limit": 30, "iterations": 3000}
    serial = client.post("/jobs/sweep", json=body).json()["id"]
    remote = client.post("/jobs/sweep", json={**body, "executor": "ray"}).json()["id"]
    assert wait_for(client, serial)["status"] == "done"
    assert wait_for(client, remote, timeout=180)["status"] == "done", client.get(f"/jobs/{remote}").json()
    a = client.get(f"/jobs/{serial}/result").json()
    b = client.get(f"/jobs/{remote}/result").json()
    assert b["executor"] == "ray"
    assert [(r["instance"], r["solver"], r["objective"]) for r in a["rows"]] == [
        (r["instance"], r["solver"], r["objective"]) for r in b["rows"]
    ]


def test_gantt_plots_and_csv_downloads(client):
    solve = client.post("/jobs/solve", json={"instance": "ft06", "solver": "auto", "time_limit": 3}).json()["id"]
    sim = client.post("/jobs/simulate", json={"domain": "llm", "params": {"requests": 200, "qps": 4.0}}).json()["id"]
    dag = client.post("/jobs/simulate", json={"domain": "dag", "params": {"jobs": 20}}).json()["id"]
    sweep = client.post("/jobs/sweep", json={"suite": "wt40", "solvers": ["rules:edd", "rules:atc"], "limit": 2}).json()["id"]
    for job_id in (solve, sim, dag, sweep):
        assert wait_for(client, job_id)["status"] == "done"
    png = b"\x89PNG\r\n\x1a\n"
    result = client.get(f"/jobs/{solve}/result").json()
    gantt = client.get(f"/jobs/{solve}/gantt.png")
    assert gantt.status_code == 200 and gantt.headers["content-type"] == "image/png" and gantt.content.startswith(png)
    assert client.get(f"/jobs/{solve}/gantt.svg").content.lstrip().startswith(b"<?xml")
    assert "<svg" in client.get(f"/jobs/{solve}/gantt.html").text
    assert client.get(f"/jobs/{solve}/gantt.gif").status_code == 422  # png, svg or html
    assert client.get(f"/jobs/{sim}/gantt.png").content.startswith(b"\x89PNG")  # the replicas' iterations
    assert client.get(f"/jobs/{sweep}/gantt.png").status_code == 404
    assert "<h2>Distributions (CDF)</h2>" in client.get(f"/jobs/{sim}/report.html").text
    rows = list(csv.DictReader(io.StringIO(client.get(f"/jobs/{solve}/result.csv").text)))
    assert len(rows) == 36 and max(int(r["end"]) for r in rows) == result["objective"] == 55
    assert client.get(f"/jobs/{solve}/plots").json()["plots"] == ["objective"]
    assert client.get(f"/jobs/{solve}/plots/objective.png").content.startswith(png)
    assert client.get(f"/jobs/{sim}/plots").json()["plots"] == ["cdf", "series", "finished_by_replica"]
    assert client.get(f"/jobs/{sim}/plots/cdf.png").content.startswith(png)
    assert client.get(f"/jobs/{sim}/plots/series.png").content.startswith(png)
    assert client.get(f"/jobs/{dag}/plots").json()["plots"] == ["cdf", "pe_utilization"]  # found from the result's shape
    assert client.get(f"/jobs/{dag}/plots/pe_utilization.png").content.startswith(png)
    assert client.get(f"/jobs/{dag}/plots/nothing.png").status_code == 404
    metrics = {row[0]: row[1] for row in csv.reader(io.StringIO(client.get(f"/jobs/{sim}/result.csv").text))}
    assert float(metrics["finished"]) == client.get(f"/jobs/{sim}/result").json()["metrics"]["finished"] == 200
    sweep_rows = list(csv.DictReader(io.StringIO(client.get(f"/jobs/{sweep}/result.csv").text)))
    assert [r["solver"] for r in sweep_rows] == ["rules:edd", "rules:atc"] * 2
    assert client.get(f"/jobs/{sweep}/plots/gaps.png").content.startswith(png)
    busy = client.post("/jobs/solve", json={"instance": "ta41", "solver": "cpsat", "time_limit": 60}).json()["id"]
    assert client.get(f"/jobs/{busy}/gantt.png").status_code == 409  # not finished yet
    client.post(f"/jobs/{busy}/cancel")


def test_cli_bench_records_its_sweep_in_the_store(tmp_path):
    from schedlab.cli import main

    db = tmp_path / "data" / "jobs.db"
    args = ["bench", "wt40", "--limit", "2", "--solver", "rules:edd", "ils", "--iterations", "500", "--executor", "serial"]
    assert main([*args, "--db", str(db)]) == 0
    app = create_app(str(db), start_workers=False)
    with TestClient(app) as c:
        (job,) = c.get("/jobs").json()["jobs"]
        assert job["kind"] == "sweep" and job["status"] == "done" and job["spec"]["executor"] == "serial"
        rows = c.get(f"/jobs/{job['id']}/result").json()["rows"]
        assert [(r["instance"], r["solver"]) for r in rows] == [
            ("wt40-001", "rules:edd"), ("wt40-001", "ils"), ("wt40-002", "rules:edd"), ("wt40-002", "ils")
        ]
        assert all(r["valid"] for r in rows)
        assert c.get(f"/jobs/{job['id']}/plots/gaps.png").content.startswith(b"\x89PNG")


def test_kill_9_of_a_worker_requeues_its_job(tmp_path):
    from schedlab.service.supervisor import STALE_S

    app = create_app(str(tmp_path / "w.db"), workers=1)
    with TestClient(app) as c:
        job_id = c.post("/jobs/solve", json={"instance": "ta01", "solver": "cpsat", "time_limit": 4}).json()["id"]
        end = time.time() + 30
        while c.get(f"/jobs/{job_id}").json()["status"] != "running" and time.time() < end:
            time.sleep(0.1)
        worker = app.state.supervisor.procs[0]
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        job_procs = children.read_text().split() if children.exists() else []  # Linux: the job's own process
        os.kill(worker.pid, signal.SIGKILL)
        time.sleep(1.0)
        assert not [pid for pid in job_procs if Path(f"/proc/{pid}").exists() and "Z" not in _proc_state(pid)]
        job = wait_for(c, job_id, timeout=STALE_S + 60)
        assert job["status"] == "done" and job["attempt"] == 2  # re-queued after its heartbeats stopped, run again
        assert app.state.supervisor.restarts >= 1 and app.state.supervisor.procs[0].pid != worker.pid
        assert c.get(f"/jobs/{job_id}/result").json()["objective"] >= 1231


def _proc_state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "gone"


def test_learned_online_policies_run_as_service_jobs(client):
    """The shipped learned policies are domain policies like any other: the service runs them in its workers."""
    bodies = [
        {"domain": "dag", "params": {"policy": "learned-deepsocs", "jobs": 40, "seed": 2}},
        {"domain": "mec", "params": {"policy": "learned-gmorl", "weight": 0.3, "users": 5, "tasks_per_user": 10}},
        {"domain": "iot", "params": {"policy": "aco-rl", "duration_s": 20, "candidates": 3}},
    ]
    ids = []
    for body in bodies:
        r = client.post("/jobs/simulate", json=body)
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    for job_id, body in zip(ids, bodies, strict=True):
        assert wait_for(client, job_id, timeout=120)["status"] == "done"
        result = client.get(f"/jobs/{job_id}/result").json()
        assert result["policy"] == body["params"]["policy"] and result["metrics"]


def test_solve_job_takes_solver_parameters_but_no_server_files(client):
    r = client.post("/jobs/solve", json={"instance": "ft06", "solver": "learned-jobshop-lite", "time_limit": 5,
                                         "params": {"samples": 8, "directions": "forward"}})
    assert r.status_code == 202, r.text
    assert wait_for(client, r.json()["id"])["status"] == "done"
    stats = client.get(f"/jobs/{r.json()['id']}/result").json()["stats"]
    assert stats["samples"] == 8 and stats["directions"] == "forward"
    r = client.post("/jobs/solve", json={"instance": "ft06", "solver": "learned-jobshop-lite",
                                         "params": {"weights": "/etc/passwd"}})
    assert r.status_code == 422 and "'weights' names a file on the server" in r.text
    r = client.post("/jobs/solve", json={"instance": "ft06", "solver": "auto", "params": {"Bad-Key": 1}})
    assert r.status_code == 422 and "params" in r.text
    r = client.post("/jobs/solve", json={"instance": "ft06", "solver": "learned-jobshop-lite", "time_limit": 5,
                                         "params": {"directions": "sideways"}})
    job = wait_for(client, r.json()["id"])
    assert job["status"] == "failed" and "directions must be one of both, forward" in job["error"]
