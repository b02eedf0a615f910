"""PSPLIB projects: schedlab ``auto`` side by side with PyJobShop 0.0.9 in one run.

The two alternate instance by instance, each with the same time limit and 2 CP-SAT workers;
PyJobShop (same OR-Tools 9.15.6755, own virtual environment, one subprocess per instance) gets
the project as schedlab reads it (single mode, renewable capacities, precedences).  Every
schedlab schedule is checked by the validator; PyJobShop reports its objective and bound.

Run: .venv/bin/python benchmarks/rcpsp_vs_pyjobshop.py --suite j30 (or j60, j120) --time-limit 10 [--instances j3013_2,...] [--tag NAME]

A full suite takes hours (j120 at 10 s: about two), so `--resume` continues a tagged run that
was stopped: instances with both rows already in the file are kept, the rest run and are appended,
and the summary covers every row of the file.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

from jssp_vs_pyjobshop import run_peer
from outputs import finished_instances, result_path
from schedlab.bench.runner import run_instance
from schedlab.bench.suites import suite_instances
from schedlab.core.model import Problem

HERE = Path(__file__).resolve().parent


def project_json(problem: Problem) -> dict:
    capacities = [r.capacity for r in problem.resources]
    durations, demands = [], []
    for task in problem.tasks:
        mode = task.modes[0]
        by_resource = dict(zip(mode.resources, mode.demands, strict=True))
        durations.append(mode.duration)
        demands.append([by_resource.get(r, 0) for r in range(len(capacities))])
    precedences = [(p.before, p.after, p.lag) for p in problem.precedences]
    return {"capacities": capacities, "durations": durations, "demands": demands, "precedences": precedences}


def run_pyjobshop(problem: Problem, time_limit: float, workers: int) -> dict:
    return run_peer("pyjobshop_rcpsp_runner.py", project_json(problem), time_limit, workers)


def recorded_rows(path: Path, time_limit: float) -> list[dict]:
    """The rows of an earlier run of this tag, typed as the run writes them."""
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if float(row["time_limit"]) != time_limit:
            raise SystemExit(f"{path}: recorded with --time-limit {row['time_limit']}, not {time_limit:g}")
        row["objective"] = float(row["objective"])
        row["best_known"] = float(row["best_known"])
        row["gap_pct"] = float(row["gap_pct"])
        row["runtime_s"] = float(row["runtime_s"])
        row["proved"] = row["proved"] == "True"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--suite", default="j30", choices=["j30", "j60", "j120"])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", help="comma-separated names (default: the whole suite)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="")
    parser.add_argument("--overwrite", action="store_true", help="let a subset run or an existing tag replace recorded results")
    parser.add_argument("--resume", action="store_true", help="continue the run recorded under --tag, skipping finished instances")
    parser.add_argument("--order", choices=["suite", "spread"], default="suite",
                        help="spread: every parameter set's first instance, then every set's second, ...; "
                             "a run stopped part-way then covers all parameter sets")
    args = parser.parse_args()
    if args.resume and not args.tag:
        parser.error("--resume needs the --tag of the run to continue")
    instances = suite_instances(args.suite)
    if args.instances:
        wanted = set(args.instances.split(","))
        instances = [i for i in instances if i.name in wanted]
    if args.order == "spread":  # PSPLIB names end in _<instance within its parameter set>
        instances = sorted(instances, key=lambda i: int(i.name.rsplit("_", 1)[1]))
    out_path = result_path("rcpsp_vs_pyjobshop", ".csv", subset=bool(args.instances), tag=args.tag,
                           default_tag=f"{args.suite}_{args.time_limit:g}s", overwrite=args.overwrite or args.resume)
    rows = recorded_rows(out_path, args.time_limit) if args.resume else []
    finished = finished_instances(rows)
    print(f"writing {out_path}" + (f" (resuming: {len(finished)} instances recorded)" if finished else ""), flush=True)
    fields = ["instance", "solver", "time_limit", "seed", "objective", "lower_bound", "best_known", "gap_pct",
              "runtime_s", "status", "proved", "valid"]
    rows = [r for r in rows if r["instance"] in finished]
    with out_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        handle.flush()  # the recorded rows are on disk again before the first new solve (a stop then loses nothing)
        for inst in instances:
            if inst.name in finished:
                continue
            r = run_instance(args.suite, inst, "auto", args.time_limit, args.seed)
            assert r.valid, r
            peer = run_pyjobshop(inst.load(), args.time_limit, 2)
            for row in (
                {"instance": inst.name, "solver": "schedlab-auto", "seed": args.seed, "objective": r.objective,
                 "lower_bound": r.lower_bound, "runtime_s": round(r.runtime_s, 3), "status": r.status,
                 "proved": r.status == "optimal", "valid": r.valid},
                {"instance": inst.name, "solver": "pyjobshop-0.0.9", "seed": "", "objective": peer["objective"],
                 "lower_bound": peer["lower_bound"], "runtime_s": round(peer["runtime"], 3), "status": peer["status"],
                 "proved": peer["lower_bound"] is not None and peer["lower_bound"] >= peer["objective"],
                 "valid": "not checked"},
            ):
                row.update(time_limit=args.time_limit, best_known=inst.best_known,
                           gap_pct=round(100 * (row["objective"] - inst.best_known) / inst.best_known, 3))
                writer.writerow(row)
                rows.append(row)
                print(f"{row['instance']:8s} {row['solver']:16s} {row['objective']:>6} gap {row['gap_pct']:6.2f}% "
                      f"proved {row['proved']!s:5s} {row['runtime_s']:7.2f}s", flush=True)
            handle.flush()
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["solver"]].append(row)
    ours = {r["instance"]: r["objective"] for r in groups["schedlab-auto"]}
    peer = {r["instance"]: r["objective"] for r in groups["pyjobshop-0.0.9"]}
    print(f"\n{args.suite}, {len(ours)} instances, {args.time_limit:g} s each, 2 cores")
    print("| solver | mean gap % | at best known | proved optimal | mean time s |")
    for solver, rs in groups.items():
        at_best = sum(1 for x in rs if x["objective"] <= x["best_known"])
        print(f"| {solver} | {sum(x['gap_pct'] for x in rs) / len(rs):.2f} | {at_best} | "
              f"{sum(1 for x in rs if x['proved'])} | {sum(x['runtime_s'] for x in rs) / len(rs):.2f} |")
    lower = sum(1 for name in ours if ours[name] < peer[name])
    higher = sum(1 for name in ours if ours[name] > peer[name])
    print(f"schedlab lower / higher / equal makespan than PyJobShop: {lower} / {higher} / {len(ours) - lower - higher}")


if __name__ == "__main__":
    main()
