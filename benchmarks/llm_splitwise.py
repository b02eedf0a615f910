"""Splitwise's claim rerun: disaggregated prompt/token pools against the best homogeneous
colocated cluster at equal (or 20% lower) cost, and at equal cost and power.

Llama-2-70B, TP 8 per machine (a DGX), Azure conv and code traces (Splitwise's own), Poisson
arrivals (seed 0), 2,000 requests per probe. Capacity = highest rate whose run keeps P90 TTFT
<= 1 s and P99 TBT <= 100 ms (capacity_search, 3% tolerance). Costs and power per GPU from the
catalog (H100 = 2.16x an A100's price, 700 W vs 400 W: Splitwise's ratios). Only *maximal* pool
options are measured (no machine of either GPU could be added within the budget), since adding
machines never lowers capacity. Latencies are cost-model predictions, not GPU measurements.

    .venv/bin/python benchmarks/llm_splitwise.py     # -> benchmarks/results/llm_splitwise.md
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from schedlab.llm.capacity import CapacityTargets
from schedlab.llm.domain import LLM, LLMParams, run_serving
from schedlab.llm.metrics import SLO
from schedlab.llm.provision import PoolOption, capacity_of, options_within

ROOT = Path(__file__).resolve().parents[1]
TP = 8
TARGETS = CapacityTargets(p90_ttft_s=1.0, p99_tbt_s=0.1)
# DistServe's goodput: the highest rate at which 90% of requests meet both their TTFT and TPOT SLO
GOODPUT = CapacityTargets(min_slo_attainment=0.9)
GOODPUT_SLO = SLO(ttft_s=1.0, tpot_s=0.1)


def runner(trace: str, requests: int, slo: SLO | None = None):
    def run_at(values: dict, qps: float) -> dict:
        values = dict(values)
        policy = LLM.make_policy(values.pop("policy"))
        params = LLMParams(**{**LLMParams().__dict__, "model": "llama-2-70b", "tp": TP, "gpu": "a100",
                              "trace": trace, "requests": requests, "arrivals": "poisson", **values})
        return run_serving(params, policy, 0, qps=qps, slo=slo).metrics

    return run_at


def maximal(options: list[PoolOption], max_cost: float, max_power: float | None) -> list[PoolOption]:
    """Options to which no A100 or H100 machine can be added (in any pool) within the budget."""
    def fits(o: PoolOption) -> bool:
        return o.cost(TP) <= max_cost + 1e-9 and (max_power is None or o.power(TP) <= max_power + 1e-9)

    def grown(o: PoolOption) -> list[PoolOption]:
        out = []
        if o.prompt is None:
            out.append(PoolOption(None, (o.token[0] + 1, o.token[1]), o.policy))
        else:
            out.append(PoolOption((o.prompt[0] + 1, o.prompt[1]), o.token, o.policy))
            out.append(PoolOption(o.prompt, (o.token[0] + 1, o.token[1]), o.policy))
        return out

    return [o for o in options if not any(fits(g) for g in grown(o))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-machines", type=int, default=4, help="H100 machines of the reference cluster")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--traces", nargs="+", default=["azure-conv", "azure-code"])
    parser.add_argument("--goodput", action="store_true",
                        help="DistServe's definition: 90%% of requests within TTFT 1 s and TPOT 100 ms (else P90 TTFT "
                             "and P99 TBT targets); writes llm_splitwise_goodput.md")
    args = parser.parse_args()
    targets = GOODPUT if args.goodput else TARGETS
    definition = ("Capacity here is DistServe's goodput: the highest rate at which at least 90% of requests meet "
                  "TTFT <= 1 s and TPOT <= 100 ms; per GPU it is that divided by the GPUs." if args.goodput else "")
    lines = ["# Splitwise: disaggregated pools vs the best colocated cluster", "", __doc__.split("\n\n")[1].replace("\n", " "),
             "", definition,
             "", f"Command: `.venv/bin/python benchmarks/llm_splitwise.py{' --goodput' if args.goodput else ''}`. "
             "Reference cluster: {args.baseline_machines} "
             "H100 machines; budgets are its cost (and power).", ""]
    for trace in args.traces:
        run_at = runner(trace, args.requests, GOODPUT_SLO if args.goodput else None)
        ref_cost = args.baseline_machines * TP * 2.16
        ref_power = args.baseline_machines * TP * 700.0
        started = time.time()
        measured: dict[PoolOption, float] = {}

        def cap(o: PoolOption, measured: dict = measured, run_at=run_at) -> float:
            if o not in measured:
                measured[o] = capacity_of(o, run_at, targets, start_qps=1.0)
            return measured[o]

        rows = []
        for label, cost, power in (("cost of the reference", ref_cost, None),
                                   ("80% of its cost", 0.8 * ref_cost, None),
                                   ("its cost and power", ref_cost, ref_power)):
            options = maximal(options_within(TP, ("a100", "h100"), cost, power, max_machines=16), cost, power)
            colocated = [o for o in options if o.prompt is None]
            split = [o for o in options if o.prompt is not None]
            best_c = max(colocated, key=lambda o: (cap(o), -o.cost(TP)))
            best_s = max(split, key=lambda o: (cap(o), -o.cost(TP)))
            rows.append((label, best_c, cap(best_c), best_s, cap(best_s)))
            print(label, best_c.label(), cap(best_c), best_s.label(), cap(best_s), flush=True)
        ref = max((o for o in measured if o.prompt is None and o.token == (args.baseline_machines, "h100")),
                  key=lambda o: measured[o], default=None)
        ref_qps = measured[ref] if ref is not None else cap(PoolOption(None, (args.baseline_machines, "h100"), "sarathi"))
        lines += [f"## {trace}", "",
                  f"Reference: {args.baseline_machines} x H100 machines, best colocated policy: {ref_qps:.2f} requests/s "
                  f"(cost {ref_cost:.0f} A100-GPU-hour units, power {ref_power / 1000:.1f} kW).", "",
                  "| budget | best colocated | its capacity | per GPU | best Splitwise | its capacity | per GPU | cost | "
                  "power | Splitwise / reference | Splitwise / best colocated |",
                  "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
        for label, oc, qc, os_, qs in rows:
            lines.append(f"| {label} | {oc.label()} | {qc:.2f} | {qc / oc.gpus(TP):.3f} | {os_.label()} | {qs:.2f} | "
                         f"{qs / os_.gpus(TP):.3f} | {os_.cost(TP):.0f} | {os_.power(TP) / 1000:.1f} kW | "
                         f"{qs / ref_qps:.2f}x | {qs / qc:.2f}x |")
        lines += ["", f"{len(measured)} pool options measured in {time.time() - started:.0f} s.", ""]
    out = ROOT / "benchmarks" / "results" / ("llm_splitwise_goodput.md" if args.goodput else "llm_splitwise.md")
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
