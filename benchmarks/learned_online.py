"""The seed papers' learned online schedulers against their baselines, with the shipped weights.

    .venv/bin/python benchmarks/learned_online.py mec   # GMORL: preference-conditioned front vs weighted greedy
    .venv/bin/python benchmarks/learned_online.py soc   # DeepSoCS: learned ordering vs HEFT, ETF, MET
    .venv/bin/python benchmarks/learned_online.py iot   # RL+ACO: RL, ACO, hybrid vs RR, least-loaded, min-min

Each writes `benchmarks/results/learned_<name>.md`. The seeds evaluated are not the training ones
(training draws its episode seeds from a generator seeded by `schedlab train --seed`; the SoC
job templates of seeds 0-4 are never trained on, training uses template seeds from 100 up).
`--weights FILE` evaluates another trained file instead of the shipped one.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from schedlab.learn.decide import ScorerDecider

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks/results"


def _record(path: Path) -> str:
    import torch

    record = torch.load(path, map_location="cpu", weights_only=True)["record"]
    c = record["config"]
    return (f"weights `{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}`: {record['steps_done']:,} steps, "
            f"seed {c['seed']}, {record['train_seconds']:.0f} s of training")


def bench_mec(weights: Path, seeds: int) -> str:
    from schedlab.edge.mec import MEC_POLICIES, Weighted, hypervolume, pareto_front, simulate_mec
    from schedlab.learn.mec import LearnedMEC

    decider = ScorerDecider(weights, "mec")
    grid = [round(0.1 * k, 1) for k in range(11)]

    def point(make) -> tuple[float, float]:
        runs = [simulate_mec(make(), seed=s) for s in range(seeds)]
        return statistics.mean(r["delay.mean"] for r in runs), statistics.mean(r["energy.mean"] for r in runs)

    greedy = {w: point(lambda w=w: Weighted(weight=w)) for w in grid}
    learned = {w: point(lambda w=w: LearnedMEC(decider, weight=w)) for w in grid}
    singles = {name: point(lambda name=name: MEC_POLICIES.get(name)())
               for name in ("local", "greedy-delay", "greedy-energy", "random")}
    ref_d, ref_e = singles["local"]  # objectives in units of the device-only policy's; reference 1.1 x that point

    def normalised(points):
        return [(d / ref_d, e / ref_e) for d, e in points]

    reference = (1.1, 1.1)
    hv_greedy = hypervolume(normalised(greedy.values()), reference)
    hv_learned = hypervolume(normalised(learned.values()), reference)
    hv_singles = hypervolume(normalised([singles["greedy-delay"], singles["greedy-energy"]]), reference)
    hv_both = hypervolume(normalised(list(greedy.values()) + list(learned.values())), reference)
    lines = [
        "# GMORL: one preference-conditioned offloading policy vs the weighted greedy\n",
        f"Command: `.venv/bin/python benchmarks/learned_online.py mec`. Default `mec` scenario (30 users x 100 tasks,\n"
        f"0.5 tasks/s each, local 1.5 GHz, servers 2/4/8 GHz), seeds 0-{seeds - 1} (mean over seeds); the preference\n"
        f"weight w on delay swept 0, 0.1, ..., 1 for both the learned policy and the weighted greedy. {_record(weights)}.\n",
        "| w | weighted greedy delay (s) | energy (J) | learned delay (s) | energy (J) | scalarised cost, learned vs greedy |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for w in grid:
        (gd, ge), (ld, le) = greedy[w], learned[w]
        g_cost = w * gd / ref_d + (1 - w) * ge / ref_e
        l_cost = w * ld / ref_d + (1 - w) * le / ref_e
        lines.append(f"| {w} | {gd:.3f} | {ge:.3f} | {ld:.3f} | {le:.3f} | {100 * (l_cost / g_cost - 1):+.1f}% |")
    lines += [
        "\nSingle-objective baselines (delay s, energy J): "
        + ", ".join(f"{k} ({d:.3f}, {e:.3f})" for k, (d, e) in singles.items()) + ".\n",
        "Hypervolume (minimising mean delay and mean device energy, each in units of the device-only policy's "
        f"({ref_d:.3f} s, {ref_e:.3f} J); reference point (1.1, 1.1), so a point slower or hungrier than running "
        "everything on the device adds nothing; the largest possible value is 1.21):\n",
        "| front | points on the front | hypervolume | vs weighted greedy |",
        "|---|---:|---:|---:|",
        f"| weighted greedy (11 weights) | {len(pareto_front(normalised(greedy.values())))} | {hv_greedy:.4f} | - |",
        f"| learned, one policy (11 weights) | {len(pareto_front(normalised(learned.values())))} | {hv_learned:.4f} "
        f"| {100 * (hv_learned / hv_greedy - 1):+.1f}% |",
        f"| single-objective greedies (2 points) | 2 | {hv_singles:.4f} | {100 * (hv_singles / hv_greedy - 1):+.1f}% |",
        f"| union of learned and greedy | - | {hv_both:.4f} | {100 * (hv_both / hv_greedy - 1):+.1f}% |",
    ]
    return "\n".join(lines)


def bench_soc(weights: Path, seeds: int, jobs: int, first: int = 0, tag: str = "") -> str:
    from schedlab.dag.online import simulate_soc
    from schedlab.learn.soc import LearnedSoC

    decider = ScorerDecider(weights, "soc")
    lines = [
        "# DeepSoCS: learned task ordering (ETF mapping) vs HEFT, ETF and MET on the SoC\n",
        f"Command: `.venv/bin/python benchmarks/learned_online.py soc{f' --first-seed {first}' if first else ''}{tag}`. "
        f"Default SoC (2 big, 4 little cores, GPU-like,\n"
        f"DSP-like), job templates of seeds {first}-{first + seeds - 1} (never trained on), {jobs} Poisson jobs per run "
        f"at the default\n"
        f"rate, log-normal execution-time noise sigma as given; mean over seeds. {_record(weights)}.\n",
        "| noise | policy | mean job latency | P95 job latency | vs HEFT (mean) | vs ETF (mean) | wall s |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for noise in (0.0, 0.2, 0.5):
        rows = {}
        for name in ("heft", "etf", "met", "learned-deepsocs"):
            started = time.perf_counter()
            runs = [simulate_soc(LearnedSoC(decider) if name == "learned-deepsocs" else name, jobs=jobs, noise=noise,
                                 seed=s) for s in range(first, first + seeds)]
            rows[name] = (statistics.mean(r["latency.mean"] for r in runs),
                          statistics.mean(r["latency.p95"] for r in runs), time.perf_counter() - started)
        for name, (mean, p95, wall) in rows.items():
            lines.append(f"| {noise} | {name} | {mean:.1f} | {p95:.1f} | {100 * (mean / rows['heft'][0] - 1):+.1f}% "
                         f"| {100 * (mean / rows['etf'][0] - 1):+.1f}% | {wall:.1f} |")
    return "\n".join(lines)


def bench_iot(weights: Path, seeds: int) -> str:
    from schedlab.edge.iot import IOT_POLICIES, simulate_iot
    from schedlab.learn.iot import PENALTY, LearnedACO, LearnedIoT

    decider = ScorerDecider(weights, "iot")
    makers = {name: (lambda name=name: IOT_POLICIES.get(name)()) for name in ("round-robin", "least-loaded", "min-min",
                                                                               "aco")}
    makers["learned-rl"] = lambda: LearnedIoT(decider)
    makers["aco-rl"] = lambda: LearnedACO(decider)  # candidates: the learned top 2 per task
    keys = ("response.mean", "response.p95", "sla_violation_rate", "utilization", "energy_kj")
    results, walls = {}, {}
    for name, make in makers.items():
        started = time.perf_counter()
        runs = [simulate_iot(make(), seed=s) for s in range(seeds)]
        results[name] = {k: statistics.mean(r[k] for r in runs) for k in keys}
        walls[name] = time.perf_counter() - started
    lines = [
        "# RL + ACO for IoT task allocation vs round-robin, least-loaded and min-min\n",
        f"Command: `.venv/bin/python benchmarks/learned_online.py iot`. Default `iot` scenario (6 nodes 500-2000 MIPS,\n"
        f"30 streams x 0.12 tasks/s for 600 s, batches every 1 s), seeds 0-{seeds - 1}, mean over seeds. {_record(weights)}.\n",
        "The column *response + SLA penalty* is mean response plus 20 s times the SLA miss rate: per task, the "
        "objective ACO, the learned policy and the hybrid all minimise (ACO counts time from the batch, not the "
        "arrival).\n",
        "| policy | response mean (s) | P95 (s) | SLA violations | response + SLA penalty (s) | utilization | energy (kJ) "
        "| wall s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in results.items():
        lines.append(f"| {name} | {m['response.mean']:.3f} | {m['response.p95']:.3f} | {100 * m['sla_violation_rate']:.1f}% "
                     f"| {m['response.mean'] + PENALTY * m['sla_violation_rate']:.3f} "
                     f"| {100 * m['utilization']:.1f}% | {m['energy_kj']:.1f} | {walls[name]:.1f} |")
    best = min(("round-robin", "least-loaded", "min-min"), key=lambda n: results[n]["response.mean"])
    lines.append("\nRelative to round-robin and to the best classic baseline by mean response "
                 f"({best}); paper: response -18.4%, utilization +12.7%, energy -9.3% for the hybrid:\n")
    lines.append("| policy | response vs RR | vs best | utilization vs RR | energy vs RR | energy vs best |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    rr, b = results["round-robin"], results[best]
    for name in ("aco", "learned-rl", "aco-rl"):
        m = results[name]
        lines.append(f"| {name} | {100 * (m['response.mean'] / rr['response.mean'] - 1):+.1f}% "
                     f"| {100 * (m['response.mean'] / b['response.mean'] - 1):+.1f}% "
                     f"| {100 * (m['utilization'] / rr['utilization'] - 1):+.1f}% "
                     f"| {100 * (m['energy_kj'] / rr['energy_kj'] - 1):+.1f}% "
                     f"| {100 * (m['energy_kj'] / b['energy_kj'] - 1):+.1f}% |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=("mec", "soc", "iot"))
    parser.add_argument("--weights", type=Path, help="a trained file (default: the shipped one)")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=1000, help="SoC jobs per run")
    parser.add_argument("--first-seed", type=int, default=0, help="SoC: first seed of the range evaluated")
    parser.add_argument("--tag", default="", help="suffix for the result file")
    args = parser.parse_args()
    from schedlab.learn.decide import POLICY_DIR

    weights = (args.weights or POLICY_DIR / f"{args.which}.pt").resolve()
    started = time.perf_counter()
    if args.which == "mec":
        report = bench_mec(weights, args.seeds or 3)
    elif args.which == "soc":
        report = bench_soc(weights, args.seeds or 5, args.jobs, args.first_seed,
                           f" --tag {args.tag}" if args.tag else "")
    else:
        report = bench_iot(weights, args.seeds or 5)
    report += f"\n\nTotal wall time {time.perf_counter() - started:.0f} s on this two-core machine.\n"
    out = RESULTS / f"learned_{args.which}{args.tag}.md"
    out.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
