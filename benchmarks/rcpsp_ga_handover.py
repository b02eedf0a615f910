"""When `auto` should stop the project GA and hand the time to CP-SAT: a sweep of ``stall_restarts``.

`auto` gives the GA at most half of the time limit on single-mode projects. With a fixed half,
CP-SAT loses proof time on instances it would close alone (j1206_3 at 10 s: PyJobShop's CP-SAT
proves 135 at 6.4 s, `auto` stops at 137). ``stall_restarts=K`` ends the GA once K restarts in a
row found nothing better; -1 is the fixed half. Each instance runs every variant in turn, both
cores, seed 0; the instances are the ones `auto` did not prove optimal in a recorded
side-by-side run (the hard ones; the rest are settled by the probe before the GA starts), drawn
with a seeded sample, plus the ones where PyJobShop was better.

Run: .venv/bin/python benchmarks/rcpsp_ga_handover.py --suite j120 --time-limit 10 \
         --from results/rcpsp_vs_pyjobshop_j120_all_10s.csv --sample 26 --variants=-1,1,2
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
    parser.add_argument("--suite", default="j120", choices=["j30", "j60", "j120"])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--from", dest="recorded", required=True, help="a rcpsp_vs_pyjobshop CSV of the same suite")
    parser.add_argument("--sample", type=int, default=26)
    parser.add_argument("--variants", default="-1,1,2", help="stall_restarts values; -1 = the GA keeps its share")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    names, peer = pick_instances(Path(args.recorded), args.sample, args.seed)
    variants = [int(v) for v in args.variants.split(",")]
    by_name = {i.name: i for i in suite_instances(args.suite)}
    path = result_path("rcpsp_ga_handover", ".csv", subset=False, tag=args.tag,
                       default_tag=f"{args.suite}_{args.time_limit:g}s", overwrite=args.overwrite)
    warm_up(["rules:mwkr", "ga"])
    print(f"writing {path}: {len(names)} instances x {len(variants)} variants", flush=True)
    totals: dict[int, list[float]] = {v: [] for v in variants}
    wins = {v: [0, 0] for v in variants}  # lower / higher than the recorded PyJobShop makespan
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["instance", "stall_restarts", "time_limit", "seed", "objective",
                                                    "best_known", "gap_pct", "proved", "pyjobshop", "phases"])
        writer.writeheader()
        for name in names:
            inst = by_name[name]
            problem = inst.load()
            for variant in variants:
                options = SolveOptions(time_limit=args.time_limit, seed=args.seed, workers=2,
                                       params={"stall_restarts": variant})
                result = solve(problem, "auto", options)
                assert first_violation(problem, result.schedule) is None
                gap = 100 * (result.objective - inst.best_known) / inst.best_known
                totals[variant].append(gap)
                wins[variant][0] += result.objective < peer[name]
                wins[variant][1] += result.objective > peer[name]
                writer.writerow({"instance": name, "stall_restarts": variant, "time_limit": args.time_limit,
                                 "seed": args.seed, "objective": result.objective, "best_known": inst.best_known,
                                 "gap_pct": round(gap, 3), "proved": result.status.value == "optimal",
                                 "pyjobshop": peer[name], "phases": " ".join(result.stats.get("phases", []))})
                handle.flush()
                print(f"{name:10s} stall_restarts {variant:2d}: {result.objective:g} (PyJobShop {peer[name]:g}, "
                      f"best known {inst.best_known:g})", flush=True)
    print(f"\n{args.suite}, {len(names)} instances, {args.time_limit:g} s, seed {args.seed}")
    print("| stall_restarts | mean gap % | lower than PyJobShop | higher than PyJobShop |")
    for variant in variants:
        gaps = totals[variant]
        print(f"| {variant} | {sum(gaps) / len(gaps):.2f} | {wins[variant][0]} | {wins[variant][1]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
