"""The service under hostile or careless input: each probe that once went wrong, as a regression test.

File reads through parameters, orphan processes after cancel / time-out / kill -9, 500s on odd
numbers and ids, unchecked values and work, listings carrying uploads, errors echoing inputs,
admission races, a corrupt store, restart on the same port, Ctrl-C, exposure without a token.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from schedlab.service.app import create_app
from tests.test_service import _free_port, wait_for

SECRET = "schedlab-probe-secret-value-1234"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def idle(tmp_path_factory):
    """A service without workers: submissions are only validated and queued."""
    app = create_app(str(tmp_path_factory.mktemp("idle") / "jobs.db"), max_active=10_000, start_workers=False)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    app = create_app(str(tmp_path_factory.mktemp("busy") / "jobs.db"), workers=1, job_timeout_s=4.0)
    with TestClient(app) as c:
        c.app = app
        yield c


# -- 1. no file reads through parameters ---------------------------------------------------------
@pytest.mark.parametrize("path", ["/proc/self/environ", "/etc/passwd", "../../../../etc/hostname",
                                  str(REPO / "pyproject.toml"), "upload:99999", "file:///etc/passwd", "azure-conv\n"])
def test_simulation_parameters_never_read_server_files(idle, path, monkeypatch):
    monkeypatch.setenv("SCHEDLAB_PROBE", SECRET)
    r = idle.post("/jobs/simulate", json={"domain": "llm", "params": {"trace": path, "requests": 10}})
    assert r.status_code == 422, r.text
    assert "root:" not in r.text and SECRET not in r.text and "[project]" not in r.text
    listing = idle.get("/jobs").text
    assert SECRET not in listing and "root:" not in listing


def test_an_uploaded_trace_is_simulated(busy):
    rows = "\n".join(f"{t * 0.5},{100 + 10 * t},{5 + t}" for t in range(20))
    up = busy.post("/uploads", json={"name": "mine.csv", "text": "arrived_at,num_prefill_tokens,num_decode_tokens\n" + rows})
    assert up.status_code == 201 and up.json()["ref"].startswith("upload:")
    job = busy.post("/jobs/simulate", json={"domain": "llm", "params": {"trace": up.json()["ref"], "requests": None}})
    assert job.status_code == 202, job.text
    assert wait_for(busy, job.json()["id"])["status"] == "done"
    result = busy.get(f"/jobs/{job.json()['id']}/result").json()
    assert result["metrics"]["finished"] == 20 and result["params"]["trace"] == up.json()["ref"]


# -- 2. no orphan processes -------------------------------------------------------------------------
def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _job_group(worker_pid: int, timeout: float = 30.0) -> int:
    """The process group of the job the worker runs (its child's pid), once the job started helpers."""
    end = time.time() + timeout
    while time.time() < end:
        children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children")
        pids = [int(p) for p in children.read_text().split()] if children.exists() else []
        for pid in pids:
            if len(group_members(pid)) >= 2:  # the job and its search processes
                return pid
        time.sleep(0.1)
    raise AssertionError("the job never started its search processes")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_cancel_kills_the_whole_job_group(busy):
    job = busy.post("/jobs/solve", json={"instance": "ta01", "solver": "auto", "time_limit": 60}).json()["id"]
    pgid = _job_group(busy.app.state.supervisor.procs[0].pid)
    assert busy.post(f"/jobs/{job}/cancel").json()["status"] == "cancelled"
    time.sleep(2.0)
    assert group_members(pgid) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_job_timeout_kills_the_whole_job_group(busy):
    job = busy.post("/jobs/solve", json={"instance": "ta01", "solver": "auto", "time_limit": 60}).json()["id"]
    pgid = _job_group(busy.app.state.supervisor.procs[0].pid)
    finished = wait_for(busy, job, timeout=30)
    assert finished["status"] == "failed" and "time limit of 4 s" in finished["error"]
    time.sleep(1.0)
    assert group_members(pgid) == []


def _serve(args: list[str], port: int, wait: bool = True) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "schedlab.cli", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    if not wait:
        return proc
    end = time.time() + 40
    while time.time() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stderr.read()}") from None
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def _workers_of(pid: int) -> list[int]:
    """Children of every thread of `pid` (the server starts its workers from its supervisor thread)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_kill_9_of_the_server_leaves_no_job_process(tmp_path):
    port = _free_port()
    server = _serve(["--db", str(tmp_path / "jobs.db"), "--workers", "1"], port)
    try:
        httpx.post(f"http://127.0.0.1:{port}/jobs/solve", json={"instance": "ta01", "solver": "auto", "time_limit": 60})
        end = time.time() + 30
        pgid = None
        while pgid is None and time.time() < end:
            for worker in _workers_of(server.pid):
                for child in _workers_of(worker):
                    if len(group_members(child)) >= 2:
                        pgid = child
            time.sleep(0.1)
        assert pgid is not None, "the job never started its search processes"
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        time.sleep(2.0)
        assert group_members(pgid) == []
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


# -- 3-7. every bad request a clean 4xx ------------------------------------------------------------
@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/jobs/solve", '{"instance": "ft06", "time_limit": NaN}'),
    ("post", "/jobs/solve", '{"instance": "ft06", "time_limit": Infinity}'),
    ("post", "/jobs/solve", '{"instance": "ft06", "seed": -1}'),
    ("post", "/jobs/solve", '{"instance": "ft06", "seed": 9223372036854775808}'),
    ("post", "/jobs/solve", '{"instance": "ft06", "timelimit": 1}'),
    ("post", "/jobs/solve", '{"instance": "ft06", "solver": "heft"}'),
    ("post", "/jobs/solve", '{"instance": "ft06", "text": "2 2"}'),
    ("post", "/jobs/solve", '[1, 2]'),
    ("post", "/jobs/solve", 'not json'),
    ("get", "/jobs/9223372036854775808", None),
    ("get", "/jobs/0", None),
    ("get", "/jobs/-3", None),
    ("get", "/jobs?offset=100000000000000000000", None),
    ("get", "/jobs?limit=0", None),
    ("get", "/jobs?changed_since=nan", None),
    ("post", "/jobs/simulate", '{"domain": "llm", "params": {"requests": 0}}'),
    ("post", "/jobs/simulate", '{"domain": "llm", "params": {"requests": -5}}'),
    ("post", "/jobs/simulate", '{"domain": "llm", "params": {"requests": "many"}}'),
    ("post", "/jobs/simulate", '{"domain": "llm", "params": {"requests": 1e300}}'),
    ("post", "/jobs/simulate", '{"domain": "llm", "params": {"qps": NaN}}'),
    ("post", "/jobs/simulate", '{"domain": "llm", "params": {"token_budget": 64, "policy": "vllm"}}'),
    ("post", "/jobs/simulate", '{"domain": "cluster", "params": {"cores": 0}}'),
    ("post", "/jobs/simulate", '{"domain": "cluster", "params": {"jobs": 10000000}}'),
    ("post", "/jobs/simulate", '{"domain": "dag", "params": {"jobs": 10000000}}'),
    ("post", "/jobs/simulate", '{"domain": "dag", "params": {"seed": -1}}'),
    ("post", "/jobs/simulate", '{"domain": "mec", "params": {"weight": 2}}'),
    ("post", "/jobs/simulate", '{"domain": "llm", "params": {}, "extra": 1}'),
    ("post", "/jobs/simulate", '{"domain": "weather"}'),
    ("post", "/jobs/sweep", '{"suite": "taillard", "solvers": ["auto"], "instances": ["../../etc/passwd"]}'),
    ("post", "/jobs/sweep", '{"suite": "j30", "solvers": ["auto", "cpsat"], "seeds": [0,1,2,3,4,5,6,7,8,9], "time_limit": 600}'),
    ("post", "/jobs/sweep", '{"suite": "nosuite", "solvers": ["auto"]}'),
    ("post", "/jobs/sweep", '{"suite": "wt40", "solvers": []}'),
    ("delete", "/jobs/99999999", None),
    ("post", "/jobs/99999999/cancel", None),
    ("get", "/jobs/99999999/result", None),
    ("get", "/jobs/1/plots/../../etc.png", None),
    ("post", "/uploads", '{"name": "x"}'),
    ("get", "/uploads/99999999", None),
])
def test_bad_requests_are_clean_4xx(idle, method, path, body):
    kwargs = {"content": body, "headers": {"content-type": "application/json"}} if body is not None else {}
    r = getattr(idle, method)(path, **kwargs)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert "Traceback" not in r.text and len(r.text) < 20_000


def test_caps_name_how_to_raise_them(idle):
    r = idle.post("/jobs/simulate", json={"domain": "llm", "params": {"requests": 10_000_000}})
    assert r.status_code == 422 and "--max-sim-work" in r.text
    r = idle.post("/jobs/sweep", json={"suite": "j30", "solvers": ["auto", "cpsat"], "seeds": list(range(10)), "time_limit": 600})
    assert r.status_code == 422 and "--max-sweep-runs" in r.text


def test_a_stored_result_with_nan_metrics_is_served(busy):
    job = busy.post("/jobs/simulate", json={"domain": "llm", "params": {"requests": 1, "qps": 0.001}}).json()["id"]
    assert wait_for(busy, job)["status"] == "done"
    r = busy.get(f"/jobs/{job}/result")
    assert r.status_code == 200 and r.json()["metrics"]["finished"] == 1
    assert busy.get(f"/jobs/{job}/result.csv").status_code == 200


# -- 8-9. listings stay small, errors quote an excerpt ------------------------------------------------
def test_listings_carry_no_uploaded_text_and_errors_no_whole_input(idle):
    big = "2 2\n0 3 1 2\n1 4 0 1\n" + "# " + "x" * (3 * 1024 * 1024) + "\n"
    for _ in range(3):
        assert idle.post("/jobs/solve", json={"text": big, "filename": "big.jss", "solver": "rules:spt"}).status_code == 202
    listing = idle.get("/jobs?limit=1000")
    assert len(listing.content) < 200_000
    token = "y" * (6 * 1024 * 1024)
    r = idle.post("/jobs/solve", json={"text": token, "filename": "t.jss"})
    assert r.status_code in (413, 422) and len(r.content) < 5_000
    r = idle.post("/jobs/simulate", json={"domain": "llm", "params": {"model": "z" * 100_000}})
    assert r.status_code == 422 and len(r.content) < 5_000


def test_the_cli_refuses_a_huge_file_before_reading_it(tmp_path):
    huge = tmp_path / "huge.jss"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB of nothing on disk
    started = time.time()
    proc = subprocess.run([sys.executable, "-m", "schedlab.cli", "solve", str(huge)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and time.time() - started < 60
    assert len(proc.stderr) < 500 and "larger than the 64 MB limit" in proc.stderr


def test_deleting_and_polling_only_changes(idle):
    first = idle.get("/jobs").json()
    job = idle.post("/jobs/solve", json={"instance": "ft06", "solver": "rules:spt"}).json()["id"]
    changed = idle.get(f"/jobs?changed_since={first['now']}").json()["jobs"]
    assert job in [j["id"] for j in changed]
    assert idle.delete(f"/jobs/{job}").status_code == 409  # still queued
    assert idle.post(f"/jobs/{job}/cancel").status_code == 200
    assert idle.delete(f"/jobs/{job}").json()["deleted"] is True
    assert idle.get(f"/jobs/{job}").status_code == 404


# -- 10. admission is atomic ----------------------------------------------------------------------------
def test_concurrent_submissions_never_exceed_max_active(tmp_path):
    app = create_app(str(tmp_path / "race.db"), max_active=50, start_workers=False)
    accepted, refused = [], []
    with TestClient(app) as c:
        def sender():
            for _ in range(10):
                r = c.post("/jobs/solve", json={"instance": "ft06", "solver": "rules:spt"})
                (accepted if r.status_code == 202 else refused).append(r.status_code)

        threads = [threading.Thread(target=sender) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(accepted) == 50 and set(refused) == {429}
        assert c.get("/jobs?limit=1000").json()["counts"] == {"queued": 50}


# -- 11. exposure, Host and cross-site requests ------------------------------------------------------------
def test_off_loopback_needs_a_token(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "schedlab.cli", "serve", "--host", "0.0.0.0", "--port", str(_free_port()),
                           "--db", str(tmp_path / "j.db")], capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "SCHEDLAB_TOKEN"})
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--token" in proc.stderr


def test_token_host_and_origin_checks(tmp_path):
    app = create_app(str(tmp_path / "t.db"), start_workers=False, token="s3cret", host="0.0.0.0")
    with TestClient(app) as c:
        assert c.get("/health").status_code == 200
        assert c.get("/jobs").status_code == 401 and c.get("/openapi.json").status_code == 401
        auth = {"authorization": "Bearer s3cret"}
        assert c.get("/jobs", headers=auth).status_code == 200
        assert c.get("/jobs", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/ui/").status_code == 200  # the page itself; it asks for the token
    local = create_app(str(tmp_path / "l.db"), start_workers=False)
    with TestClient(local) as c:
        assert c.get("/health", headers={"host": "evil.example"}).status_code == 400
        job = c.post("/jobs/solve", json={"instance": "ft06", "solver": "rules:spt"}).json()["id"]
        form = c.post(f"/jobs/{job}/cancel", headers={"origin": "http://evil.example", "content-type":
                                                      "application/x-www-form-urlencoded"})
        assert form.status_code == 403 and c.get(f"/jobs/{job}").json()["status"] == "queued"
        assert c.post(f"/jobs/{job}/cancel", headers={"origin": "http://testserver"}).status_code == 200


# -- corrupt store, restart, Ctrl-C ----------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign"])
def test_a_corrupt_or_foreign_store_is_one_line_and_exit_2(tmp_path, damage):
    db = tmp_path / "jobs.db"
    if damage == "garbage":
        db.write_bytes(b"this is not a database" * 1000)
    else:
        import sqlite3

        con = sqlite3.connect(db)
        if damage == "foreign":
            con.execute("CREATE TABLE jobs (name TEXT)")
        else:
            con.execute("CREATE TABLE t (x TEXT)")
            con.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 2000)
        con.commit()
        con.close()
        if damage == "truncated":
            data = db.read_bytes()
            db.write_bytes(data[: len(data) // 3])
    proc = subprocess.run([sys.executable, "-m", "schedlab.cli", "serve", "--port", str(_free_port()), "--db", str(db)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and str(db) in proc.stderr and "Traceback" not in proc.stderr
    assert "service on" not in proc.stdout


def test_restart_on_the_same_port_and_a_clean_ctrl_c(tmp_path):
    port = _free_port()
    args = ["--db", str(tmp_path / "jobs.db"), "--workers", "1"]
    server = _serve(args, port)
    for _ in range(5):
        httpx.get(f"http://127.0.0.1:{port}/jobs")
    os.killpg(server.pid, signal.SIGINT)  # Ctrl-C reaches the whole terminal group
    out, err = server.communicate(timeout=30)
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err, err
    started = time.time()
    again = _serve(args, port)
    try:
        assert time.time() - started < 15
    finally:
        os.killpg(again.pid, signal.SIGTERM)
        again.wait(30)
