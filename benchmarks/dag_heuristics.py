"""Static heterogeneous DAG scheduling: SLR over the Topcuoglu generator grid, the exact optimum on
small DAGs, workflow shapes, and HEFT's speed beside SAGA's (anrg-saga, own venv) in one run.

    .venv/bin/python benchmarks/dag_heuristics.py
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from schedlab.dag.algorithms import DAG_ALGORITHMS
from schedlab.dag.exact import solve_exact
from schedlab.dag.generators import WORKFLOWS, random_dag, workflow
from schedlab.dag.model import DagProblem
from schedlab.dag.schedule import first_violation, metrics

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
GRID = {
    "n": (20, 40, 60, 80, 100),
    "ccr": (0.1, 0.5, 1.0, 5.0, 10.0),
    "alpha": (0.5, 1.0, 2.0),
    "out_degree": (1, 2, 3, 4, 5),
    "beta": (0.1, 0.25, 0.5, 0.75, 1.0),
}
PROCESSORS = 4

SAGA_SCRIPT = r"""
import json, sys, time
from saga import Network, TaskGraph
from saga.schedulers import HeftScheduler
data = json.load(open(sys.argv[1]))
out = []
for inst in data:
    p = len(inst["speeds"])
    net = Network.create([(f"p{i}", s) for i, s in enumerate(inst["speeds"])],
                         [(f"p{i}", f"p{j}", inst["link"]) for i in range(p) for j in range(i + 1, p)])
    tg = TaskGraph.create([(f"t{i}", w) for i, w in enumerate(inst["work"])], [(f"t{u}", f"t{v}", d) for u, v, d in inst["edges"]])
    sched = HeftScheduler()
    times = []
    for _ in range(5):
        t = time.perf_counter(); s = sched.schedule(net, tg); times.append(time.perf_counter() - t)
    makespan = max(task.end for tasks in s.mapping.values() for task in tasks) if hasattr(s, "mapping") else max(
        task.end for tasks in s.values() for task in tasks)
    out.append({"time": sorted(times)[2], "makespan": makespan})
print(json.dumps(out))
"""


def slr_grid() -> tuple[list[str], dict]:
    names = DAG_ALGORITHMS.names()
    slr = {a: [] for a in names}
    by_ccr = {(a, c): [] for a in names for c in GRID["ccr"]}
    best = dict.fromkeys(names, 0)
    for k, (n, ccr, alpha, deg, beta) in enumerate(itertools.product(*GRID.values())):
        dag = random_dag(n, PROCESSORS, ccr=ccr, alpha=alpha, out_degree=deg, beta=beta, seed=k)
        spans = {}
        for a in names:
            s = DAG_ALGORITHMS.get(a)(dag)
            assert first_violation(dag, s) is None, (a, dag.name)
            m = metrics(dag, s)
            slr[a].append(m["slr"])
            by_ccr[(a, ccr)].append(m["slr"])
            spans[a] = m["makespan"]
        low = min(spans.values())
        for a in names:
            best[a] += spans[a] <= low * (1 + 1e-9)
    count = len(slr[names[0]])
    lines = [
        f"Grid: v in {GRID['n']}, CCR in {GRID['ccr']}, alpha in {GRID['alpha']}, out-degree in {GRID['out_degree']}, "
        f"beta in {GRID['beta']}; {PROCESSORS} processors; one DAG per combination ({count} DAGs), seed = index.\n",
        "| algorithm | mean SLR | " + " | ".join(f"CCR {c}" for c in GRID["ccr"]) + " | best (ties count) |",
        "|---|---:|" + "---:|" * len(GRID["ccr"]) + "---:|",
    ]
    for a in sorted(names, key=lambda a: statistics.mean(slr[a])):
        lines.append(
            f"| {a} | {statistics.mean(slr[a]):.3f} | "
            + " | ".join(f"{statistics.mean(by_ccr[(a, c)]):.3f}" for c in GRID["ccr"])
            + f" | {best[a]} / {count} |"
        )
    return lines, {a: statistics.mean(v) for a, v in slr.items()}


def exact_small() -> list[str]:
    rows = []
    gaps = {a: [] for a in DAG_ALGORITHMS.names()}
    optimal = 0
    for seed in range(20):
        base = random_dag(10, 3, ccr=1.0, seed=1000 + seed)
        dag = DagProblem.build(np.round(base.cost), [(u, v, round(d)) for u, v, d in base.edges])
        res = solve_exact(dag, time_limit=10, hint=DAG_ALGORITHMS.get("heft")(dag))
        optimal += res.status == "optimal"
        for a in gaps:
            gaps[a].append(DAG_ALGORITHMS.get(a)(dag).makespan / res.schedule.makespan - 1)
    rows.append(f"20 random DAGs, 10 tasks, 3 processors, CCR 1, integer costs; CP-SAT 10 s proved {optimal}/20 optimal.\n")
    rows.append("| algorithm | mean gap to optimum | at optimum |\n|---|---:|---:|")
    for a in sorted(gaps, key=lambda a: statistics.mean(gaps[a])):
        rows.append(f"| {a} | {statistics.mean(gaps[a]):.2%} | {sum(g < 1e-9 for g in gaps[a])} / 20 |")
    return rows


def workflows() -> list[str]:
    rows = ["| workflow | tasks | " + " | ".join(DAG_ALGORITHMS.names()) + " |", "|---|---:|" + "---:|" * len(DAG_ALGORITHMS)]
    for w in WORKFLOWS:
        slrs = {a: [] for a in DAG_ALGORITHMS.names()}
        for seed in range(10):
            dag = workflow(w, width=16, processors=PROCESSORS, ccr=1.0, seed=seed)
            for a in slrs:
                slrs[a].append(metrics(dag, DAG_ALGORITHMS.get(a)(dag))["slr"])
        rows.append(f"| {w} | {dag.n_tasks} | " + " | ".join(f"{statistics.mean(v):.3f}" for v in slrs.values()) + " |")
    return rows


def speed() -> list[str]:
    rng = np.random.default_rng(7)
    instances, ours, spans = [], [], []
    for k in range(10):
        shape = random_dag(100, 8, ccr=1.0, seed=500 + k)
        work = rng.uniform(1, 100, size=100).tolist()
        speeds = rng.uniform(0.5, 2.0, size=8).tolist()
        edges = [(u, v, d) for u, v, d in shape.edges]
        dag = DagProblem.related(work, speeds, edges, link_speed=1.0)
        heft = DAG_ALGORITHMS.get("heft")
        times = []
        for _ in range(5):
            t = time.perf_counter()
            s = heft(dag)
            times.append(time.perf_counter() - t)
        ours.append(sorted(times)[2])
        spans.append(s.makespan)
        instances.append({"work": work, "speeds": speeds, "link": 1.0, "edges": edges})
    venv = ROOT / ".bench-venvs" / "saga"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "anrg-saga==2.0.2"], check=True)
    path = ROOT / ".bench-venvs" / "saga_instances.json"
    path.write_text(json.dumps(instances))
    out = subprocess.run([str(python), "-c", SAGA_SCRIPT, str(path)], capture_output=True, text=True, check=True)
    saga = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = [a / b["makespan"] for a, b in zip(spans, saga, strict=True)]
    return [
        "10 random DAGs, 100 tasks, 8 related processors (speeds U[0.5, 2]), one link speed, median of 5 runs each:\n",
        "| | schedlab heft | SAGA 2.0.2 HeftScheduler |\n|---|---:|---:|",
        f"| median time per schedule | {statistics.median(ours) * 1e3:.2f} ms | {statistics.median([s['time'] for s in saga]) * 1e3:.2f} ms |",
        f"| makespan, schedlab / SAGA | mean {statistics.mean(ratio):.3f} (min {min(ratio):.3f}, max {max(ratio):.3f}) | |",
        "\nSAGA averages communication over all node pairs including infinite-speed self links and adds super source/sink\n"
        "tasks, so its ranks (and sometimes its schedules) differ slightly from Topcuoglu's definition that schedlab follows.",
    ]


def main() -> int:
    started = time.time()
    grid_lines, means = slr_grid()
    sections = [
        "# Heterogeneous DAG scheduling: static heuristics\n",
        "Command: `.venv/bin/python benchmarks/dag_heuristics.py` (this two-core machine).\n",
        "## Average SLR over the Topcuoglu random-DAG grid\n",
        *grid_lines,
        f"\nHEFT vs CPOP mean SLR: {means['heft']:.3f} vs {means['cpop']:.3f} "
        f"({(means['cpop'] / means['heft'] - 1):+.1%} for CPOP; the HEFT paper reports HEFT ahead of CPOP on average); "
        f"PEFT vs HEFT: {means['peft']:.3f} vs {means['heft']:.3f} ({(means['peft'] / means['heft'] - 1):+.1%} for PEFT). "
        "This grid (4 processors, heterogeneity <= 1) is where HEFT leads; `peft_vs_heft.md` reproduces the PEFT paper's "
        "worked example exactly and shows PEFT ahead with many, very unlike processors.\n",
        "## Against the exact optimum (CP-SAT) on small DAGs\n",
        *exact_small(),
        "\n## Workflow shapes (width 16, 4 processors, CCR 1, 10 seeds each): mean SLR\n",
        *workflows(),
        "\n## HEFT speed beside SAGA\n",
        *speed(),
        f"\nTotal wall time {time.time() - started:.0f} s.\n",
    ]
    report = "\n".join(sections)
    (RESULTS / "dag_heuristics.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
