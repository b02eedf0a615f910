"""How the project GA's population size was chosen: a sweep on the 12 hard j120 instances of issue 16.

One core, seed 0, the same time limit per instance for every population size; reports the mean
deviation from PSPLIB's best-known makespans and the generations run. The default (`POPULATION`
in `schedlab.solvers.search.rcpsp_ga`) is the best size of this sweep.

Run: .venv/bin/python benchmarks/rcpsp_ga_tuning.py [--time-limit 5] [--sizes 20,40,100,200,400,800,1600]
"""

from __future__ import annotations

import argparse

from outputs import result_path
from schedlab.bench.suites import find_instance
from schedlab.core.validate import first_violation
from schedlab.solvers import SolveOptions, solve
from schedlab.solvers.warmup import warm_up

HARD_J120 = ("j1201_1", "j12021_3", "j12046_7", "j1206_2", "j12011_5", "j12016_9", "j12026_1", "j12031_4",
             "j12036_6", "j12041_8", "j12051_10", "j12056_3")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--sizes", default="20,40,100,200,400,800,1600")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    subset = args.time_limit != 5.0 or args.sizes != "20,40,100,200,400,800,1600"
    path = result_path("rcpsp_ga_tuning", ".md", subset=subset, overwrite=args.overwrite)
    warm_up(["ga"])
    lines = ["| population | mean deviation from best known % | mean generations | makespans |", "|---:|---:|---:|---|"]
    for size in (int(x) for x in args.sizes.split(",")):
        devs, gens, spans = [], [], []
        for name in HARD_J120:
            inst = find_instance(name)
            problem = inst.load()
            result = solve(problem, "ga", SolveOptions(time_limit=args.time_limit, seed=0, params={"population": size}))
            assert first_violation(problem, result.schedule) is None
            devs.append(100 * (result.objective - inst.best_known) / inst.best_known)
            gens.append(result.stats["generations"])
            spans.append(int(result.objective))
        lines.append(f"| {size} | {sum(devs) / len(devs):.2f} | {sum(gens) / len(gens):.0f} | {spans} |")
        print(lines[-1], flush=True)
    path.write_text(
        "# Project GA: population size\n\n"
        f"Command: `.venv/bin/python benchmarks/rcpsp_ga_tuning.py --time-limit {args.time_limit:g} --sizes {args.sizes}`.\n"
        f"`ga` alone on one core, {args.time_limit:g} s per instance, seed 0, on the 12 j120 instances of issue 16 "
        f"({', '.join(HARD_J120)}); deviation from PSPLIB's best-known makespans.\n\n" + "\n".join(lines) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
