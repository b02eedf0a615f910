"""Load on the job service's API: 50 concurrent clients on loopback submitting small solve jobs
and polling their status; requests per second and latency percentiles of each call; then how
long the two workers take to drain what was accepted.

    .venv/bin/python benchmarks/service_load.py [--clients 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def client_loop(base: str, until: float, submit_lat: list, status_lat: list, ids: list, refused: list) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        while time.perf_counter() < until:
            t = time.perf_counter()
            r = await c.post("/jobs/solve", json={"instance": "ft06", "solver": "rules:spt", "time_limit": 1})
            submit_lat.append(time.perf_counter() - t)
            if r.status_code != 202:
                refused.append(r.status_code)
                continue
            ids.append(r.json()["id"])
            t = time.perf_counter()
            await c.get(f"/jobs/{ids[-1]}")
            status_lat.append(time.perf_counter() - t)


async def load(base: str, clients: int, seconds: float):
    submit_lat, status_lat, ids, refused = [], [], [], []
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(base, until, submit_lat, status_lat, ids, refused) for _ in range(clients)))
    return time.perf_counter() - started, submit_lat, status_lat, ids, refused


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    port = free_port()
    db = Path(tempfile.mkdtemp()) / "jobs.db"
    server = subprocess.Popen([sys.executable, "-m", "schedlab.cli", "serve", "--db", str(db), "--port", str(port), "--workers", "2",
                               "--max-active", "1000000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        wall, sub, stat, ids, refused = asyncio.run(load(base, args.clients, args.seconds))
        t = time.time()
        while httpx.get(f"{base}/health").json()["counts"].get("done", 0) < len(ids) and time.time() - t < 600:
            time.sleep(1)
        drain = time.time() - t
        counts = httpx.get(f"{base}/health").json()["counts"]
    finally:
        server.terminate()
        server.wait(10)
    calls = len(sub) + len(stat)
    report = (
        "# Job service under load\n\n"
        f"Command: `.venv/bin/python benchmarks/service_load.py --clients {args.clients} --seconds {args.seconds:g}` (loopback, this\n"
        "two-core machine; the server, its 2 workers and the load generator share the two cores). Each client loops: submit a\n"
        "small solve job (ft06, rules:spt), then GET its status.\n\n"
        f"| calls | wall | requests/s | submit p50 | submit p99 | status p50 | status p99 | refused |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {calls} | {wall:.1f} s | {calls / wall:.0f} | {np.percentile(sub, 50) * 1e3:.1f} ms | {np.percentile(sub, 99) * 1e3:.1f} ms "
        f"| {np.percentile(stat, 50) * 1e3:.1f} ms | {np.percentile(stat, 99) * 1e3:.1f} ms | {len(refused)} |\n\n"
        f"{len(ids)} jobs accepted; after the load the workers drained them in {drain:.1f} s; final counts {counts}.\n"
    )
    (ROOT / "benchmarks/results/service_load.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
