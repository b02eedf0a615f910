"""Taillard job shops: schedlab (auto, cpsat) side by side with PyJobShop 0.0.9 in one run.

PyJobShop runs in its own virtual environment (made here on first use, with the same
OR-Tools version as schedlab: 9.15.6755) and in a subprocess per instance, with the same
time limit and the same number of CP-SAT workers (2). Every schedlab schedule is checked by
the validator; PyJobShop reports only its objective and bound.

Run: .venv/bin/python benchmarks/jssp_vs_pyjobshop.py --time-limit 10 [--instances ta01,ta21] [--tag NAME]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
import venv
from collections import defaultdict
from pathlib import Path

from outputs import result_path
from schedlab.bench import data
from schedlab.bench.runner import run_instance
from schedlab.bench.suites import suite_instances

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE.parent / ".bench-venvs" / "pyjobshop"
PEER_PACKAGES = ["pyjobshop==0.0.9", "ortools==9.15.6755"]


def peer_python() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        venv.create(PEER_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return python


def run_peer(runner: str, instance: dict, time_limit: float, workers: int) -> dict:
    """Run benchmarks/peers/<runner> in PyJobShop's venv on ``instance`` (JSON); its last stdout line is the result."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(instance, handle)
    started = time.perf_counter()
    proc = subprocess.run([str(peer_python()), str(HERE / "peers" / runner), handle.name,
                           str(time_limit), str(workers)], capture_output=True, text=True, timeout=time_limit * 5 + 120)
    Path(handle.name).unlink()
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_s"] = time.perf_counter() - started
    return out


def run_pyjobshop(name: str, time_limit: float, workers: int) -> dict:
    raw = data.jssp_instances()[name]
    instance = {"duration_matrix": raw["duration_matrix"], "machines_matrix": raw["machines_matrix"]}
    return run_peer("pyjobshop_runner.py", instance, time_limit, workers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", help="comma-separated names (default: ta01-ta80)")
    parser.add_argument("--solvers", default="auto,pyjobshop", help="auto, cpsat, tabu and/or pyjobshop")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="")
    parser.add_argument("--overwrite", action="store_true", help="let a subset run or an existing tag replace recorded results")
    args = parser.parse_args()
    instances = suite_instances("taillard")
    if args.instances:
        wanted = args.instances.split(",")
        instances = [i for i in instances if i.name in wanted]
    solvers = args.solvers.split(",")
    out_path = result_path("jssp_vs_pyjobshop", ".csv", subset=bool(args.instances), tag=args.tag,
                           default_tag=f"{args.time_limit:g}s", overwrite=args.overwrite)
    print(f"writing {out_path}", flush=True)
    fields = ["instance", "size_class", "solver", "time_limit", "seed", "objective", "lower_bound", "best_known",
              "gap_pct", "runtime_s", "status", "valid"]
    rows = []
    with out_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for inst in instances:
            for solver in solvers:
                if solver == "pyjobshop":
                    res = run_pyjobshop(inst.name, args.time_limit, 2)
                    obj = res["objective"]
                    row = {"instance": inst.name, "size_class": inst.size_class, "solver": "pyjobshop-0.0.9",
                           "time_limit": args.time_limit, "seed": "", "objective": obj,
                           "lower_bound": res["lower_bound"], "best_known": inst.best_known,
                           "gap_pct": round(100 * (obj - inst.best_known) / inst.best_known, 3),
                           "runtime_s": round(res["runtime"], 3), "status": res["status"], "valid": "not checked"}
                else:
                    r = run_instance("taillard", inst, solver, args.time_limit, args.seed)
                    row = {"instance": inst.name, "size_class": inst.size_class, "solver": f"schedlab-{solver}",
                           "time_limit": args.time_limit, "seed": args.seed, "objective": r.objective,
                           "lower_bound": r.lower_bound, "best_known": inst.best_known,
                           "gap_pct": round(r.gap_pct, 3), "runtime_s": round(r.runtime_s, 3), "status": r.status,
                           "valid": r.valid}
                    assert r.valid, r
                writer.writerow(row)
                handle.flush()
                rows.append(row)
                print(f"{row['instance']:6s} {row['solver']:18s} {row['objective']:>8} gap {row['gap_pct']:6.2f}% "
                      f"{row['runtime_s']:7.2f}s", flush=True)
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in rows:
        groups[(row["size_class"], row["solver"])].append(float(row["gap_pct"]))
    print(f"\nmean gap to best known, {args.time_limit:g} s per instance, 2 cores")
    for (size, solver), gaps in groups.items():
        print(f"| {size} | {solver} | {len(gaps)} | {sum(gaps) / len(gaps):.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
