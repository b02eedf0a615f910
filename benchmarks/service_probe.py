"""Probe a running schedlab service the way a careless or hostile client would, and record the outcome.

Starts `schedlab serve` on a free loopback port (SQLite store in a temporary folder, 2 workers),
then sends a catalogue of bad inputs: server-path parameters, non-finite and out-of-range
numbers, wrong types, unknown fields, huge ids and offsets, unknown names, oversized bodies,
cross-site and foreign-Host requests, work beyond the caps, for every simulation domain and every
declared parameter. Each answer is classified: a clean 4xx (short body, no traceback), a correct
2xx, or a defect (5xx, traceback, a body quoting a server file, a hang). Then: cancel and
time-out of `auto` jobs and kill -9 of the server, counting processes left in each job's process
group; jobs accepted before the kill -9 and finished after the restart; the server's RSS before
and after a flood of 20 uploads of 3.15 MB.

    .venv/bin/python benchmarks/service_probe.py [--out benchmarks/results/service_probe.md]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SECRET = "probe-secret-0f9e8d"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path, port: int, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "schedlab.cli", "serve", "--db", str(db), "--port", str(port), "--workers", "2", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "SCHEDLAB_PROBE_SECRET": SECRET})
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def group_members(pgid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def catalogue() -> list[tuple[str, str, str, object]]:
    """(category, method, path, JSON body or raw text) of every probe."""
    from schedlab.sim.domain import domain_names, get_domain

    probes: list[tuple[str, str, str, object]] = []
    for path in ("/proc/self/environ", "/etc/passwd", "../../../../etc/hostname", "/etc/hostname", str(Path(__file__)),
                 "upload:987654", "file:///etc/passwd", "~/.bashrc"):
        probes.append(("server path as a trace", "post", "/jobs/simulate", {"domain": "llm", "params": {"trace": path}}))
    for name in domain_names():
        domain = get_domain(name)
        for spec in [*domain.param_specs(), *domain.option_specs().values()]:
            bad = []
            if spec.type in (int, float):
                bad += ["many", "NaN", [1]]
                for bound in ("ge", "gt"):
                    if getattr(spec.meta, bound) is not None:
                        bad.append(getattr(spec.meta, bound) - 1)
                for bound in ("le", "lt"):
                    if getattr(spec.meta, bound) is not None:
                        bad.append(getattr(spec.meta, bound) * 10 + 1)
            elif spec.meta.choices:
                bad += ["no-such-" + spec.name, 7]
            for value in bad:
                probes.append((f"bad value ({name})", "post", "/jobs/simulate", {"domain": name, "params": {spec.name: value}}))
        probes.append(("unknown field", "post", "/jobs/simulate", {"domain": name, "params": {"colour": 1}}))
        probes.append(("unknown policy", "post", "/jobs/simulate", {"domain": name, "params": {"policy": "magic"}}))
        probes.append(("seed out of range", "post", "/jobs/simulate", {"domain": name, "params": {"seed": -1}}))
        probes.append(("seed out of range", "post", "/jobs/simulate", {"domain": name, "params": {"seed": 2**63}}))
    for body in ('{"instance": "ft06", "time_limit": NaN}', '{"instance": "ft06", "time_limit": Infinity}',
                 '{"instance": "ft06", "time_limit": -1}', '{"instance": "ft06", "timelimit": 1}', '{"instance": 5}',
                 '{"instance": "ft06", "solver": "heft"}', '{"instance": "../../etc/passwd"}', '{"upload": 99999}',
                 '{"instance": "ft06", "text": "2 2"}', "[1, 2]", "not json", "", '{"instance": "ft06", "seed": 1e30}'):
        probes.append(("bad solve request", "post", "/jobs/solve", body))
    for body in ({"suite": "taillard", "solvers": ["auto"], "instances": ["../../etc/passwd"]},
                 {"suite": "j30", "solvers": ["auto", "cpsat"], "seeds": list(range(10)), "time_limit": 600},
                 {"suite": "taillard", "solvers": ["auto"] * 20, "seeds": list(range(20)), "time_limit": 600},
                 {"suite": "nosuite", "solvers": ["auto"]}, {"suite": "wt40", "solvers": []},
                 {"suite": "wt40", "solvers": ["ils"], "time_limit": 0}, {"suite": "wt40", "solvers": ["ils"], "executor": "mpi"}):
        probes.append(("bad sweep", "post", "/jobs/sweep", body))
    for path in ("/jobs/9223372036854775808", "/jobs/0", "/jobs/-3", "/jobs/abc", "/jobs?offset=100000000000000000000",
                 "/jobs?limit=0", "/jobs?limit=100000", "/jobs?status=weird", "/jobs?changed_since=nan",
                 "/jobs/99999999/result", "/jobs/99999999/gantt.png", "/jobs/1/gantt.exe", "/jobs/1/plots/..%2F..%2Fx.png",
                 "/uploads/99999999", "/jobs/99999999/instance", "/jobs/1?wait=1e9"):
        probes.append(("bad id or query", "get", path, None))
    for path in ("/jobs/99999999/cancel",):
        probes.append(("bad id or query", "post", path, None))
    probes.append(("bad id or query", "delete", "/jobs/99999999", None))
    probes.append(("oversized body", "post", "/jobs/solve", {"text": "x" * (6 * 1024 * 1024), "filename": "big.jss"}))
    probes.append(("oversized body", "post", "/uploads", {"name": "big", "text": "y" * (25 * 1024 * 1024)}))
    probes.append(("echo of a huge token", "post", "/jobs/simulate", {"domain": "llm", "params": {"model": "z" * 200_000}}))
    probes.append(("work beyond the cap", "post", "/jobs/simulate", {"domain": "llm", "params": {"requests": 10**7}}))
    probes.append(("work beyond the cap", "post", "/jobs/simulate", {"domain": "dag", "params": {"jobs": 10**7}}))
    probes.append(("work beyond the cap", "post", "/jobs/simulate", {"domain": "cluster", "params": {"jobs": 10**7}}))
    return probes


def classify(r: httpx.Response) -> str:
    text = r.text
    if r.status_code >= 500:
        return "5xx"
    if "Traceback" in text or SECRET in text or "root:x:" in text:
        return "leak"
    if 400 <= r.status_code < 500:
        return "clean 4xx" if len(r.content) < 20_000 else "long 4xx"
    return "accepted"


def run_probes(base: str) -> list[dict]:
    rows = []
    for category, method, path, body in catalogue():
        kwargs: dict = {"timeout": 30}
        if isinstance(body, str):
            kwargs.update(content=body, headers={"content-type": "application/json"})
        elif body is not None:
            kwargs["json"] = body
        try:
            r = getattr(httpx, method)(base + path, **kwargs)
            verdict = classify(r)
            status = r.status_code
        except httpx.TimeoutException:
            verdict, status = "hang", None
        rows.append({"category": category, "method": method.upper(), "path": path, "status": status, "verdict": verdict})
    for headers, what in (({"origin": "http://evil.example"}, "cross-site POST"), ({"host": "evil.example"}, "foreign Host")):
        r = httpx.post(base + "/jobs/1/cancel", headers=headers, timeout=30)
        rows.append({"category": what, "method": "POST", "path": "/jobs/1/cancel", "status": r.status_code,
                     "verdict": classify(r)})
    return rows


def orphan_checks(base: str, server: subprocess.Popen) -> dict:
    """Cancel an `auto` job once its search processes run; count what is left of its group 2 s later."""
    out = {}
    job = httpx.post(base + "/jobs/solve", json={"instance": "ta01", "solver": "auto", "time_limit": 60}).json()["id"]
    pgid = wait_for_group(server.pid)
    httpx.post(f"{base}/jobs/{job}/cancel")
    time.sleep(2.0)
    out["cancel: processes left in the job's group after 2 s"] = len(group_members(pgid)) if pgid else "no group seen"
    return out


def wait_for_group(server_pid: int, timeout: float = 30.0) -> int | None:
    end = time.time() + timeout
    while time.time() < end:
        for worker in children(server_pid):
            for child in children(worker):
                if len(group_members(child)) >= 2:
                    return child
        time.sleep(0.1)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/service_probe.md")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="schedlab-probe-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(folder / "jobs.db", port, "--job-timeout", "5")
    facts: dict = {}
    try:
        rows = run_probes(base)
        facts.update(orphan_checks(base, server))
        # job time-out: auto for 60 s under a 5 s job limit
        job = httpx.post(base + "/jobs/solve", json={"instance": "ta01", "solver": "auto", "time_limit": 60}).json()["id"]
        pgid = wait_for_group(server.pid)
        status = httpx.get(f"{base}/jobs/{job}?wait=30", timeout=40).json()
        time.sleep(1.0)
        facts["time-out: job status"] = status["status"]
        facts["time-out: processes left in the job's group 1 s later"] = len(group_members(pgid)) if pgid else "no group seen"
        # RSS before and after an upload flood (and the listings after it)
        time.sleep(1.0)
        before = rss_mb(server.pid)
        text = "2 2\n0 3 1 2\n1 4 0 1\n# " + "x" * int(3.15 * 1024 * 1024) + "\n"
        flood_started = time.perf_counter()
        for _ in range(20):
            httpx.post(base + "/jobs/solve", json={"text": text, "filename": "big.jss", "solver": "rules:spt"}, timeout=60)
        flood_s = time.perf_counter() - flood_started
        listing = httpx.get(base + "/jobs?limit=1000", timeout=60)
        time.sleep(3.0)
        facts["RSS before the upload flood (MB)"] = round(before, 1)
        facts["20 uploads of 3.15 MB: mean seconds per request"] = round(flood_s / 20, 3)
        facts["GET /jobs after the flood: bytes"] = len(listing.content)
        facts["RSS after the flood and the listing (MB)"] = round(rss_mb(server.pid), 1)
        # kill -9 with jobs accepted: all finish after a restart, and no job process survives the kill
        ids = [httpx.post(base + "/jobs/solve", json={"instance": "ft06", "solver": "cpsat", "time_limit": 3, "seed": k}
                          ).json()["id"] for k in range(5)]
        auto = httpx.post(base + "/jobs/solve", json={"instance": "ta01", "solver": "auto", "time_limit": 30}).json()["id"]
        pgid = wait_for_group(server.pid)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        time.sleep(2.0)
        facts["kill -9: processes left in the running job's group 2 s later"] = len(group_members(pgid)) if pgid else "no group"
        server = serve(folder / "jobs.db", port, "--job-timeout", "60")
        end = time.time() + 240
        while time.time() < end:
            states = [httpx.get(f"{base}/jobs/{i}").json()["status"] for i in [*ids, auto]]
            if all(s in ("done", "failed", "cancelled") for s in states):
                break
            time.sleep(0.5)
        facts["kill -9: accepted jobs finished after the restart"] = f"{states.count('done')} of {len(states)}"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    write(args.out, rows, facts)


def write(path: str, rows: list[dict], facts: dict) -> None:
    from collections import Counter

    verdicts = Counter(r["verdict"] for r in rows)
    by_cat: dict[str, Counter] = {}
    for r in rows:
        by_cat.setdefault(r["category"], Counter())[r["verdict"]] += 1
    lines = ["# Service probe", "", "`.venv/bin/python benchmarks/service_probe.py` against `schedlab serve` on loopback (SQLite, "
             "2 workers, `--job-timeout 5` for the probes, two-core machine).", "",
             f"{len(rows)} probe requests: " + ", ".join(f"{n} {v}" for v, n in verdicts.most_common()) + ".", "",
             "| category | probes | clean 4xx | accepted | defects (5xx, leak, hang, long 4xx) |", "|---|---:|---:|---:|---:|"]
    for cat, c in by_cat.items():
        defects = sum(n for v, n in c.items() if v not in ("clean 4xx", "accepted"))
        lines.append(f"| {cat} | {sum(c.values())} | {c['clean 4xx']} | {c['accepted']} | {defects} |")
    lines += ["", "| check | result |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts.items()]
    accepted = [r for r in rows if r["verdict"] == "accepted"]
    if accepted:
        lines += ["", "Accepted probes (each a valid request, checked by hand):", ""]
        lines += [f"- {r['method']} {r['path']} ({r['status']})" for r in accepted]
    Path(path).write_text("\n".join(lines) + "\n")
    Path(path).with_suffix(".json").write_text(json.dumps({"rows": rows, "facts": facts}, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
