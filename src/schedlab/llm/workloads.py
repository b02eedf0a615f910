"""Building request streams for a run: traces, the CASTILLO prompt set, and length predictions."""

from __future__ import annotations

import gzip
import json
from importlib import resources

import numpy as np

from schedlab.core.errors import UnknownNameError
from schedlab.llm.predictor import bundled_predictor
from schedlab.llm.request import Request
from schedlab.llm.traces import BUNDLED, trace_requests
from schedlab.sim.workload import gamma_arrivals, poisson_arrivals

PREDICTORS = ("none", "oracle", "castillo", "mean")
# agents: multi-turn programs (schedlab.llm.programs), text2sql: multi-stage queries (schedlab.llm.workflows);
# for both, qps is programs or queries per second and requests their number
TRACES = (*BUNDLED, "castillo", "agents", "text2sql")


def castillo_requests(
    model: str, n: int | None, qps: float, arrivals: str = "poisson", cv: float = 1.0, seed: int = 0
) -> list[Request]:
    """CASTILLO test-split prompts of `model` (or of every served model when it has none),
    each with one of its ten sampled output lengths (picked by `seed`), arriving at `qps`."""
    data = resources.files("schedlab.llm").joinpath("data/castillo_test.jsonl.gz").read_bytes()
    rows = [json.loads(line) for line in gzip.decompress(data).decode().splitlines()]
    own = [r for r in rows if r["model"] == model]
    rows = own or rows
    rng = np.random.default_rng(seed)
    count = n or len(rows)
    picks = rng.integers(0, len(rows), size=count) if count > len(rows) else rng.permutation(len(rows))[:count]
    times = gamma_arrivals(qps, cv, count, seed + 1) if arrivals == "gamma" else poisson_arrivals(qps, count, seed + 1)
    out = []
    for i, (t, k) in enumerate(zip(times, picks, strict=True)):
        r = rows[int(k)]
        sample = int(r["output_tokens"][int(rng.integers(0, len(r["output_tokens"])))])
        out.append(
            Request(
                i,
                float(t),
                int(r["input_tokens"]),
                max(sample, 1),
                text=r["prompt_head"],
                model_name=r["source_model"],
                dataset=r["dataset"],
            )
        )
    return out


def build_requests(
    trace: str, model: str, n: int | None, qps: float | None, arrivals: str = "trace", cv: float = 1.0, seed: int = 0
) -> list[Request]:
    if trace == "castillo":
        if not qps:
            raise ValueError("the castillo prompt set has no timestamps; give --qps")
        return castillo_requests(model, n, qps, "gamma" if arrivals == "gamma" else "poisson", cv, seed)
    return trace_requests(trace, n, qps, arrivals, cv, seed)


def attach_predictions(requests: list[Request], predictor: str) -> None:
    """Fill `predicted_output`: the truth (oracle), the CASTILLO model, or the workload mean."""
    if predictor == "none":
        return
    if predictor == "oracle":
        for r in requests:
            r.predicted_output = float(r.output_tokens)
    elif predictor == "mean":
        mean = float(np.mean([r.output_tokens for r in requests])) if requests else 0.0
        for r in requests:
            r.predicted_output = mean
    elif predictor == "castillo":
        model = bundled_predictor()
        for r in requests:
            r.predicted_output = model.predict(r.text, r.prompt_tokens, r.model_name, r.dataset)
    else:
        raise UnknownNameError(f"unknown predictor {predictor!r}; known: {', '.join(PREDICTORS)}")
