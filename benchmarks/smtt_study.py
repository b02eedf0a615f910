"""Single-machine total tardiness study (SMTT heuristic-discovery paper): rules, challenger
stand-ins, ILS and exact MIP/CP-SAT for n = 20, 100, 200, 500 on Potts-Van Wassenhove instances.

Run: .venv/bin/python benchmarks/smtt_study.py [--per-size 5] [--exact-time-limit 20] [--ils-time-limit 2]
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import asdict

from outputs import result_path
from schedlab.studies.smtt import GRID, run_study, summarise


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20,100,200,500")
    parser.add_argument("--per-size", type=int, default=5)
    parser.add_argument("--exact-time-limit", type=float, default=20.0)
    parser.add_argument("--ils-time-limit", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--overwrite", action="store_true", help="let a smaller study replace the recorded one")
    args = parser.parse_args()
    subset = args.sizes != "20,100,200,500" or args.per_size != 5
    csv_path = result_path("smtt_study", ".csv", subset=subset, overwrite=args.overwrite)
    sizes = [int(x) for x in args.sizes.split(",")]
    rows = run_study(sizes, args.per_size, args.exact_time_limit, args.ils_time_limit, args.seed,
                     on_row=lambda r: print(f"n={r.n} {r.method:16s} {r.status:9s} {r.objective} {r.runtime_s:.2f}s",
                                            flush=True))
    with csv_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    summary = summarise(rows)
    lines = ["# Single-machine total tardiness study", "",
             f"Instances: Potts & Van Wassenhove generator, (TF, RDD) in {list(GRID)[:args.per_size]}, "
             f"{args.per_size} per size, seed {args.seed}. Exact methods {args.exact_time_limit:g} s each, "
             f"ILS {args.ils_time_limit:g} s; two cores.",
             "Gap = mean of 100 * (objective - best found by any method) / best found. `edd+` and `mdd+` are "
             "schedlab's reconstruction of the paper's EDDC/MDDC (not published in full), not the paper's rules.",
             f"Command: `.venv/bin/python benchmarks/smtt_study.py --per-size {args.per_size} "
             f"--exact-time-limit {args.exact_time_limit:g} --ils-time-limit {args.ils_time_limit:g}`", "",
             "| n | method | instances | with a solution | mean gap to best % | proved optimal | mean time s |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for s in summary:
        gap = "-" if s["mean_gap_to_best_pct"] is None else f"{s['mean_gap_to_best_pct']:.2f}"
        lines.append(f"| {s['n']} | {s['method']} | {s['instances']} | {s['with_solution']} | {gap} | "
                     f"{s['proved_optimal']} | {s['mean_time_s']:.3f} |")
    proved = {s["n"]: s["best_proved_optimal"] for s in summary}
    lines += ["", "Instances whose best found value is proved optimal by an exact method's bound: "
              + ", ".join(f"n={n}: {v}/{args.per_size}" for n, v in proved.items())]
    csv_path.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
