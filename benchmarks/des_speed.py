"""Event-loop speed: schedlab's Simulator against a bare heapq loop and SimPy, in one run.

Workload 1 ("simple events"): 1,000 independent tickers, each event reschedules itself after an
exponential delay; 2,000,000 events. Workload 2: an M/M/1 queue (rho = 0.9) with 100,000
customers. SimPy runs in its own environment (.bench-venvs/simpy, simpy==4.1.1), created
when missing. Speeds are events (or customers) per CPU-second, best of 3.

    .venv/bin/python benchmarks/des_speed.py
"""

from __future__ import annotations

import heapq
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from schedlab.sim import Simulator

ROOT = Path(__file__).resolve().parents[1]
N_EVENTS, TICKERS, CUSTOMERS = 2_000_000, 1000, 100_000

SIMPY_SCRIPT = r"""
import json, sys, time
import numpy as np
import simpy
N_EVENTS, TICKERS, CUSTOMERS = map(int, sys.argv[1:4])
def ticks():
    rng = np.random.default_rng(0); gaps = rng.exponential(1.0, N_EVENTS + TICKERS).tolist()
    env = simpy.Environment(); count = [0]
    def ticker(env):
        while count[0] < N_EVENTS:
            count[0] += 1
            yield env.timeout(gaps[count[0]])
    for _ in range(TICKERS): env.process(ticker(env))
    t = time.process_time(); env.run(); return count[0] / (time.process_time() - t)
def mm1():
    rng = np.random.default_rng(1); inter = rng.exponential(1 / 0.9, CUSTOMERS).tolist(); serv = rng.exponential(1.0, CUSTOMERS).tolist()
    env = simpy.Environment(); server = simpy.Resource(env, 1); waits = []
    def customer(env, k):
        arrive = env.now
        with server.request() as req:
            yield req
            waits.append(env.now - arrive)
            yield env.timeout(serv[k])
    def source(env):
        for k in range(CUSTOMERS):
            env.process(customer(env, k)); yield env.timeout(inter[k])
    env.process(source(env)); t = time.process_time(); env.run(); return CUSTOMERS / (time.process_time() - t), float(np.mean(waits))
print(json.dumps({"ticks": max(ticks() for _ in range(3)), "mm1": max(mm1() for _ in range(3))}))
"""


def schedlab_ticks() -> float:
    gaps = np.random.default_rng(0).exponential(1.0, N_EVENTS + TICKERS).tolist()
    sim = Simulator()
    count = [0]

    def tick(_):
        count[0] += 1
        if count[0] < N_EVENTS:
            sim.schedule(gaps[count[0]], tick)

    for i in range(TICKERS):
        sim.schedule(gaps[i], tick)
    t = time.process_time()
    sim.run()
    return sim.events_processed / (time.process_time() - t)


def bare_heapq_ticks() -> float:
    gaps = np.random.default_rng(0).exponential(1.0, N_EVENTS + TICKERS).tolist()
    heap = [(gaps[i], i) for i in range(TICKERS)]
    heapq.heapify(heap)
    counter, done = TICKERS, 0
    t = time.process_time()
    while heap:
        now, _ = heapq.heappop(heap)
        done += 1
        if done < N_EVENTS:
            counter += 1
            heapq.heappush(heap, (now + gaps[done], counter))
    return done / (time.process_time() - t)


def schedlab_mm1() -> tuple[float, float]:
    rng = np.random.default_rng(1)
    inter = rng.exponential(1 / 0.9, CUSTOMERS).tolist()
    serv = rng.exponential(1.0, CUSTOMERS).tolist()
    sim = Simulator()
    queue: list[tuple[float, int]] = []
    waits: list[float] = []
    busy = [False]
    head = [0]

    def depart(_):
        if head[0] < len(queue):
            arrived, k = queue[head[0]]
            head[0] += 1
            waits.append(sim.now - arrived)
            sim.schedule(serv[k], depart)
        else:
            busy[0] = False

    def arrive(k):
        if busy[0]:
            queue.append((sim.now, k))
        else:
            busy[0] = True
            waits.append(0.0)
            sim.schedule(serv[k], depart)
        if k + 1 < CUSTOMERS:
            sim.schedule(inter[k], arrive, k + 1)

    sim.schedule(0.0, arrive, 0)
    t = time.process_time()
    sim.run()
    return CUSTOMERS / (time.process_time() - t), float(np.mean(waits))


def simpy_numbers() -> dict:
    venv = ROOT / ".bench-venvs" / "simpy"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "simpy==4.1.1", "numpy==2.4.6"], check=True)
    out = subprocess.run(
        [str(python), "-c", SIMPY_SCRIPT, str(N_EVENTS), str(TICKERS), str(CUSTOMERS)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ours = max(schedlab_ticks() for _ in range(3))
    bare = max(bare_heapq_ticks() for _ in range(3))
    mm1 = max(schedlab_mm1() for _ in range(3))
    simpy = simpy_numbers()
    report = (
        "# Discrete-event core speed\n\n"
        "Command: `.venv/bin/python benchmarks/des_speed.py` (this two-core machine, best of 3, CPU time).\n\n"
        f"| workload | schedlab Simulator | bare heapq loop | SimPy 4.1.1 |\n|---|---:|---:|---:|\n"
        f"| {N_EVENTS:,} self-rescheduling events, {TICKERS} tickers (events / CPU-s) | {ours:,.0f} | {bare:,.0f} | {simpy['ticks']:,.0f} |\n"
        f"| M/M/1 rho=0.9, {CUSTOMERS:,} customers (customers / CPU-s) | {mm1[0]:,.0f} | - | {simpy['mm1'][0]:,.0f} |\n"
        f"| M/M/1 mean wait in queue (theory 9.0) | {mm1[1]:.2f} | - | {simpy['mm1'][1]:.2f} |\n\n"
        "The heapq loop does no callback dispatch, no cancellation check and no clock update; it is the ceiling.\n"
    )
    (ROOT / "benchmarks/results/des_speed.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
