"""Run vidur (inside its own venv) and report its simulation CPU time and latency metrics.

Plots are turned off (plotly's image export needs Chrome, which this machine lacks); the CSV
metrics vidur writes are kept. Prints one JSON line: cpu seconds of the simulation loop (the
execution-time predictor's one-off training is excluded and reported separately) and the
P50/P90/P99 of TTFT and TBT read from vidur's own metric files.

    .bench-venvs/vidur/bin/python benchmarks/peers/vidur_runner.py OUT_DIR -- <vidur CLI arguments>
"""

from __future__ import annotations

import glob
import json
import sys
import time

import numpy as np
import pandas as pd
import plotly.basedatatypes

plotly.basedatatypes.BaseFigure.write_image = lambda *args, **kwargs: None  # plots off

from vidur.config import SimulationConfig  # noqa: E402
from vidur.simulator import Simulator  # noqa: E402


def main() -> int:
    out_dir = sys.argv[1]
    sys.argv = ["vidur", *sys.argv[3:], "--metrics_config_output_dir", out_dir]
    config = SimulationConfig.create_from_cli_args()
    t0 = time.process_time()
    sim = Simulator(config)
    setup = time.process_time() - t0
    write_output = sim._write_output
    sim._write_output = lambda: None
    t1 = time.process_time()
    sim.run()
    loop = time.process_time() - t1
    write_output()
    found = glob.glob(f"{out_dir}/**/request_metrics.csv", recursive=True)
    if len(found) != 1:
        raise SystemExit(f"expected one request_metrics.csv under {out_dir}, found {len(found)}")
    requests = pd.read_csv(found[0])
    ttft = requests["prefill_e2e_time"].to_numpy()
    tbt_files = glob.glob(f"{out_dir}/**/decode_token_execution_plus_preemption_time.csv", recursive=True)
    out = {"requests": len(requests), "setup_cpu_s": setup, "loop_cpu_s": loop}
    for q in (50, 90, 99):
        out[f"ttft.p{q}"] = float(np.percentile(ttft, q))
    if tbt_files:
        cdf = pd.read_csv(tbt_files[0])
        col = [c for c in cdf.columns if c != "cdf"][0]
        for q in (50, 90, 99):
            out[f"tbt.p{q}"] = float(np.interp(q / 100, cdf["cdf"], cdf[col]))
    tpot = requests["decode_time_execution_plus_preemption_normalized"].to_numpy()
    for q in (50, 90, 99):
        out[f"tpot.p{q}"] = float(np.nanpercentile(tpot, q))
    out["e2e.p50"] = float(np.percentile(requests["request_e2e_time"], 50))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
