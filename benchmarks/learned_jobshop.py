"""Learned job-shop dispatcher vs the classic rules of the same scheme and CP-SAT, on Taillard.

For each instance: `learned-jobshop` greedy; the same policy with K sampled rollouts (batched);
each on the shop alone ("forward") and on the shop and its time-reversed copy ("both directions",
the solvers' default; `--directions`); the same for `learned-jobshop-lite`; SPT, MWKR, MOR, FCFS
in the same Giffler-Thompson scheme (with "both", each rule also on the time-reversed shop, keeping
the better makespan); CP-SAT given the learned greedy's wall time (forward, or both directions when only those run; at least 0.1 s); CP-SAT
warm-started from the learned schedule at a fixed limit; `learned-jobshop-ensemble` (two lite networks, each decoding
both directions) and, beside it, the best of the four rules in both directions. With `--justify 1` (in the default
`0,1`) every learned run is repeated with double justification (the solvers' default, rows ", justified") and every
rule schedule is justified too, in rows of their own.  Gaps are to the best-known makespans
bundled with the suite.  One process, the network on one CPU thread; the rules are Numba kernels
(warmed first).

Run: .venv/bin/python benchmarks/learned_jobshop.py [--instances ta01,...] [--samples 64] [--cpsat-limit 10] [--tag T]
     .venv/bin/python benchmarks/learned_jobshop.py --samples 0 --cpsat-limit 0 --tag directions_greedy   # greedy only
     .venv/bin/python benchmarks/learned_jobshop.py --lite-only --tag lite   # learned-jobshop-lite beside the rules
     .venv/bin/python benchmarks/learned_jobshop.py --lite-only --samples 0 --directions both --budget 64 --tag budget
         # the ensemble sampling for as long as 64 MWKR runs take on each shop
     .venv/bin/python benchmarks/learned_jobshop.py --dmu 2 --tag dmu   # DMU-style generated shops (no best-known
     values: gaps are to the best makespan any method found in the run, CP-SAT included)
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from outputs import result_path
from schedlab.bench.suites import suite_instances
from schedlab.core.schedule import Schedule
from schedlab.core.validate import first_violation
from schedlab.learn.jobshop import JobShopArrays
from schedlab.learn.solver import SHIPPED, SHIPPED_LITE, SHIPPED_LITE_2, load_scorer
from schedlab.problems.generators import dmu_job_shop
from schedlab.problems.shop import job_shop
from schedlab.solvers.base import SolveOptions, get_solver

RULES = ("rules:spt", "rules:mwkr", "rules:mor", "rules:fcfs")


DMU_SIZES = ((20, 15), (20, 20), (30, 15), (30, 20), (40, 15), (40, 20), (50, 15), (50, 20))


@dataclass(frozen=True)
class Generated:
    """A DMU-style instance drawn by the generator (no best-known value)."""

    n_jobs: int
    n_machines: int
    seed: int
    two_sets: bool
    best_known: int | None = None

    @property
    def name(self) -> str:
        return f"dmu{'2' if self.two_sets else '1'}-{self.n_jobs}x{self.n_machines}-s{self.seed}"

    def load(self):
        return dmu_job_shop(self.n_jobs, self.n_machines, self.seed, self.two_sets)


def dmu_instances(per_class: int) -> list[Generated]:
    return [Generated(n, m, seed, two) for two in (False, True) for n, m in DMU_SIZES for seed in range(per_class)]


def size_class(problem) -> str:
    return f"{len(problem.jobs)}x{len(problem.resources)}"


def run(problem, solver: str, **options) -> tuple[float | None, float]:
    """(makespan, wall seconds); makespan None when the solver found no schedule in its time (CP-SAT at a
    fraction of a second on the largest shops)."""
    started = time.perf_counter()
    result = get_solver(solver).solve(problem, SolveOptions(**options))
    wall = time.perf_counter() - started
    if result.schedule is None:
        return None, wall
    assert first_violation(problem, result.schedule) is None, (problem.name, solver)
    return result.objective, wall


def reversed_shop(problem):
    """The shop with every route read backwards: the same optimal makespan, a different instance for a rule."""
    arrays = JobShopArrays.from_problem(problem).reversed()
    routes = [[(int(arrays.machine[j, o]), int(arrays.duration[j, o])) for o in range(arrays.length[j])]
              for j in range(arrays.n_jobs)]
    return job_shop(f"{problem.name}-reversed", routes, arrays.n_machines)


def learned_results(problem, samples: int, directions: list[str], lite_only: bool, justify: list[int]
                    ) -> dict[str, tuple[float | None, float]]:
    """Greedy and best-of-`samples` runs of the learned solvers, per decoding direction and with (label suffix
    ", justified") or without double justification."""
    results = {}
    for solver, label in (("learned-jobshop", "learned"), ("learned-jobshop-lite", "lite"),
                          ("learned-jobshop-ensemble", "ensemble")):
        if lite_only and solver == "learned-jobshop":
            continue
        for direction in directions:
            for justified in justify:
                suffix = ("" if direction == "forward" else ", both directions") + (", justified" if justified else "")
                params = {"directions": direction, "justify": justified}
                results[f"{label} greedy{suffix}"] = run(problem, solver, time_limit=600, params=params)
                if samples:
                    results[f"{label} {samples} samples{suffix}"] = run(
                        problem, solver, time_limit=600, params={"samples": samples, **params})
    return results


def budget_result(problem, runs: int, justify: int) -> dict[str, tuple[float | None, float]]:
    """The ensemble sampling for as long as `runs` MWKR runs take on this shop (the median of three timed runs,
    times `runs`): a time budget, not a count, so the number of samples varies with the machine's speed."""
    walls = sorted(run(problem, "rules:mwkr")[1] for _ in range(3))
    budget = runs * walls[1]
    started = time.perf_counter()
    result = get_solver("learned-jobshop-ensemble").solve(problem, SolveOptions(time_limit=budget, params={
        "samples": 10**9, "justify": justify}))
    wall = time.perf_counter() - started
    assert first_violation(problem, result.schedule) is None, problem.name
    print(f"{problem.name}: {result.stats['samples']} samples in {wall:.3f} s (budget {budget:.3f} s)", flush=True)
    suffix = ", justified" if justify else ""
    return {f"ensemble, samples for the time of {runs} MWKR runs{suffix}": (result.objective, wall)}


def justified_run(problem, solver: str) -> tuple[float, float]:
    """`run`, then the schedule double-justified as the learned solvers' (``justify``); wall time included."""
    started = time.perf_counter()
    result = get_solver(solver).solve(problem, SolveOptions())
    arrays = JobShopArrays.from_problem(problem)
    starts = np.array([t.start for t in sorted(result.schedule, key=lambda t: t.task)], np.int64)
    span, justified = arrays.double_justified(starts)
    wall = time.perf_counter() - started
    durations = [task.modes[0].duration for task in problem.tasks]
    schedule = Schedule.from_arrays(justified, [0] * len(durations), durations)
    assert first_violation(problem, schedule) is None, (problem.name, solver, "justified")
    return span, wall


def rule_results(problem, both: bool, justified: bool) -> dict[str, tuple[float | None, float]]:
    """Each rule on the shop; with `both`, each also on the time-reversed shop (the same second look as the
    learned solvers), and the best of all of them (eight looks, more than the ensemble's four); with `justified`,
    the same again with every rule schedule double-justified."""
    results = {}
    mirror = reversed_shop(problem) if both else None
    for suffix, runner in (("", run), (", justified", justified_run))[:1 + justified]:
        for rule in RULES:
            results[rule + suffix] = runner(problem, rule)
            if mirror is not None:
                (forward, wall), (backward, back_wall) = results[rule + suffix], runner(mirror, rule)
                results[f"{rule}, both directions{suffix}"] = (min(forward, backward), wall + back_wall)
        if mirror is not None:
            looks = [results[f"{rule}, both directions{suffix}"] for rule in RULES]
            results[f"best of the four rules, both directions{suffix}"] = (min(o for o, _ in looks),
                                                                           sum(w for _, w in looks))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", help="comma-separated Taillard names (default: ta01-ta80)")
    parser.add_argument("--samples", type=int, default=64, help="sampled episodes per run (0: greedy only)")
    parser.add_argument("--cpsat-limit", type=float, default=10.0,
                        help="limit of CP-SAT from the learned schedule and of plain CP-SAT, 2 workers (0: skip both)")
    parser.add_argument("--dmu", type=int, default=0, help="instead of Taillard: this many DMU-style shops per size and "
                        "routing kind (random routes as DMU01-40, two machine sets as DMU41-80)")
    parser.add_argument("--tag", default="")
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--resume", action="store_true", help="keep the instances already in the --tag file, run the rest")
    parser.add_argument("--lite-only", action="store_true",
                        help="only the lite solvers (learned-jobshop-lite and -ensemble, greedy and sampled) beside the "
                             "rules: the speed comparison")
    parser.add_argument("--budget", type=int, default=0, help="also the ensemble sampling for the time of this many "
                        "MWKR runs on each shop (a time budget, not a count of samples)")
    parser.add_argument("--directions", default="forward,both",
                        help="the learned solvers' decodings to run: forward (the shop only) and/or both (the shop "
                             "and its time-reversed copy, the solvers' default)")
    parser.add_argument("--justify", default="0,1",
                        help="the learned solvers without (0) and/or with (1, their default) double justification; "
                             "with 1 the rules' schedules are also justified, in rows of their own")
    args = parser.parse_args()
    directions = args.directions.split(",")
    justify = [int(value) for value in args.justify.split(",")]
    instances = dmu_instances(args.dmu) if args.dmu else suite_instances("taillard")
    if args.instances:
        wanted = set(args.instances.split(","))
        instances = [i for i in instances if i.name in wanted]
    policies = [SHIPPED_LITE, SHIPPED_LITE_2] if args.lite_only else [SHIPPED, SHIPPED_LITE, SHIPPED_LITE_2]
    records = {path.name: load_scorer(str(path))[1] for path in policies}
    for solver in (*RULES, "learned-jobshop-lite"):  # compile the Numba kernels outside the timings
        run(instances[0].load(), solver)
    out_path = result_path("learned_jobshop", ".csv", subset=bool(args.instances), tag=args.tag,
                           overwrite=args.overwrite or args.resume)
    reference_name = "best known" if not args.dmu else "best makespan any method found in this run"
    rows = []
    if args.resume and out_path.exists():
        with out_path.open() as handle:
            rows = [dict(row, gap_pct=None if row["gap_pct"] == "" else float(row["gap_pct"]), wall_s=float(row["wall_s"]))
                    for row in csv.DictReader(handle)]
    done = {row["instance"] for row in rows}
    with out_path.open("a" if rows else "w", newline="") as handle:
        writer = csv.DictWriter(handle, ["instance", "size", "method", "objective", "best_known", "gap_pct", "wall_s"])
        if not rows:
            writer.writeheader()
        for inst in instances:
            if inst.name in done:
                continue
            problem = inst.load()
            results = learned_results(problem, args.samples, directions, args.lite_only, justify)
            greedy_wall = next((wall for method, (_, wall) in results.items() if method.startswith("learned greedy")), 0.0)
            results.update(rule_results(problem, both="both" in directions, justified=1 in justify))
            if args.budget:
                results.update(budget_result(problem, args.budget, max(justify)))
            if not args.lite_only:
                results["cpsat at learned-greedy time"] = run(problem, "cpsat", time_limit=max(0.1, greedy_wall), workers=1)
            if args.cpsat_limit > 0 and not args.lite_only:
                hint = get_solver("learned-jobshop").solve(problem, SolveOptions()).schedule
                results[f"cpsat {args.cpsat_limit:g}s from learned"] = run(problem, "cpsat", time_limit=args.cpsat_limit,
                                                                          workers=2, hint=hint)
                results[f"cpsat {args.cpsat_limit:g}s"] = run(problem, "cpsat", time_limit=args.cpsat_limit, workers=2)
            reference = inst.best_known or min(objective for objective, _ in results.values() if objective is not None)
            kind = ("two-set " if getattr(inst, "two_sets", False) else "") if args.dmu else ""
            for method, (objective, wall) in results.items():
                row = {"instance": inst.name, "size": kind + size_class(problem), "method": method, "objective": objective,
                       "best_known": reference, "wall_s": round(wall, 4),
                       "gap_pct": None if objective is None else round(100 * (objective - reference) / reference, 3)}
                writer.writerow(row)
                rows.append(row)
            handle.flush()
            print(f"{inst.name} " + "  ".join(f"{m} {'-' if o is None else format(o, 'g')}" for m, (o, _) in results.items()),
                  flush=True)
    table: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    walls: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        table[row["method"]][row["size"]].append(row["gap_pct"])
        walls[row["method"]][row["size"]].append(row["wall_s"])
    sizes = sorted({row["size"] for row in rows},
                   key=lambda s: (s.startswith("two"), tuple(int(x) for x in s.split()[-1].split("x"))))
    trained = "; ".join(f"{name}: {record['config']['algorithm']}, {record.get('steps_done', record['config']['steps']):,} "
                        f"steps, seed {record['config']['seed']}" for name, record in records.items())
    print(f"\npolicies: {trained}; mean gap (%) to the {reference_name}")
    print("| method | " + " | ".join(sizes) + " | all |")
    print("|---" * (len(sizes) + 2) + "|")
    for method, by_size in table.items():
        print(f"| {method} | " + " | ".join(_mean_gap(by_size[s]) for s in sizes) + f" | {_mean_gap(sum(by_size.values(), []))} |")
    print("\nmean wall seconds per schedule")
    print("| method | " + " | ".join(sizes) + " |")
    for method, by_size in walls.items():
        print(f"| {method} | " + " | ".join(f"{sum(by_size[s]) / len(by_size[s]):.3f}" for s in sizes) + " |")


def _mean_gap(gaps: list[float | None]) -> str:
    """Mean over the runs that found a schedule, saying how many did not."""
    found = [g for g in gaps if g is not None]
    text = f"{sum(found) / len(found):.2f}" if found else "-"
    return text + (f" ({len(gaps) - len(found)} of {len(gaps)} without a schedule)" if len(found) < len(gaps) else "")


if __name__ == "__main__":
    main()
