"""One `auto` parameter swept on PSPLIB projects, every value in turn per instance, beside a recorded PyJobShop run.

Used to decide `auto`'s project defaults (``benchmarks/results/rcpsp_portfolio.md``):

- ``stall_restarts``: the GA ends once K restarts in a row found nothing better, so that CP-SAT
  gets the rest of the time (-1: the GA keeps its fixed half, the default).
- ``proofs``: 1 runs CP-SAT beside ``ti-sat`` after the GA (the default where the time-indexed
  model fits, which is every PSPLIB instance), 0 gives CP-SAT both cores alone.

The instances are the ones where PyJobShop was better in a recorded side-by-side run, then a
seeded sample of those `auto` left unproved there (the hard ones; the rest are settled by the
probe before either choice matters). Both cores, seed 0; PyJobShop's makespans are the recorded
run's.

Run: .venv/bin/python benchmarks/rcpsp_auto_params.py --param stall_restarts --values=-1,0,1,2 \
         --suite j120 --time-limit 10 --from results/rcpsp_vs_pyjobshop_j120_all_10s.csv --sample 26
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from outputs import result_path
from schedlab.bench.suites import suite_instances
from schedlab.core.validate import first_violation
from schedlab.solvers import SolveOptions, solve
from schedlab.solvers.warmup import warm_up


def pick_instances(recorded: Path, sample: int, seed: int) -> tuple[list[str], dict[str, float]]:
    """Instances where PyJobShop was better, then a seeded sample of those `auto` left unproved; the peer's makespans."""
    rows = list(csv.DictReader(recorded.open()))
    ours = {r["instance"]: r for r in rows if r["solver"] == "schedlab-auto"}
    peer = {r["instance"]: float(r["objective"]) for r in rows if r["solver"].startswith("pyjobshop")}
    names = [n for n in ours if n in peer]
    losses = [n for n in names if float(ours[n]["objective"]) > peer[n]]
    open_ones = sorted(n for n in names if ours[n]["proved"] != "True" and n not in losses)
    return losses + random.Random(seed).sample(open_ones, min(sample, len(open_ones))), peer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--param", required=True, choices=["stall_restarts", "proofs"])
    parser.add_argument("--values", required=True, help="comma-separated integer values of the parameter")
    parser.add_argument("--suite", default="j120", choices=["j30", "j60", "j120"])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--from", dest="recorded", required=True, help="a rcpsp_vs_pyjobshop CSV of the same suite")
    parser.add_argument("--sample", type=int, default=26)
    parser.add_argument("--instances", help="comma-separated names instead of the picked ones")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    names, peer = pick_instances(Path(args.recorded), args.sample, args.seed)
    if args.instances:
        names = args.instances.split(",")
    values = [int(v) for v in args.values.split(",")]
    by_name = {i.name: i for i in suite_instances(args.suite)}
    path = result_path(f"rcpsp_auto_params_{args.param}", ".csv", subset=bool(args.instances), tag=args.tag,
                       default_tag=f"{args.suite}_{args.time_limit:g}s", overwrite=args.overwrite)
    warm_up(["rules:mwkr", "ga"])
    print(f"writing {path}: {len(names)} instances x {len(values)} values of {args.param}", flush=True)
    gaps: dict[int, list[float]] = {v: [] for v in values}
    wins = {v: [0, 0] for v in values}  # lower / higher than the recorded PyJobShop makespan
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["instance", args.param, "time_limit", "seed", "objective",
                                                    "best_known", "gap_pct", "proved", "pyjobshop", "phases"])
        writer.writeheader()
        for name in names:
            inst = by_name[name]
            problem = inst.load()
            for value in values:
                options = SolveOptions(time_limit=args.time_limit, seed=args.seed, workers=2,
                                       params={args.param: value})
                result = solve(problem, "auto", options)
                assert first_violation(problem, result.schedule) is None
                gap = 100 * (result.objective - inst.best_known) / inst.best_known
                gaps[value].append(gap)
                wins[value][0] += result.objective < peer[name]
                wins[value][1] += result.objective > peer[name]
                writer.writerow({"instance": name, args.param: value, "time_limit": args.time_limit,
                                 "seed": args.seed, "objective": result.objective, "best_known": inst.best_known,
                                 "gap_pct": round(gap, 3), "proved": result.status.value == "optimal",
                                 "pyjobshop": peer[name], "phases": " ".join(result.stats.get("phases", []))})
                handle.flush()
                print(f"{name:10s} {args.param} {value:2d}: {result.objective:g} (PyJobShop {peer[name]:g}, "
                      f"best known {inst.best_known:g})", flush=True)
    print(f"\n{args.suite}, {len(names)} instances, {args.time_limit:g} s, seed {args.seed}")
    print(f"| {args.param} | mean gap % | lower than PyJobShop | higher than PyJobShop |")
    for value in values:
        print(f"| {value} | {sum(gaps[value]) / len(gaps[value]):.2f} | {wins[value][0]} | {wins[value][1]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
