"""Train the CASTILLO output-length predictor, evaluate it, and bundle it with a test trace.

Reads ../shared/data/llm/castillo_lengths.jsonl.gz (not shipped). Writes
src/schedlab/llm/data/length_predictor.npz, src/schedlab/llm/data/castillo_test.jsonl.gz (the
test-split prompts of the models schedlab's catalog serves) and
benchmarks/results/llm_length_predictor.md.

    .venv/bin/python tools/train_length_predictor.py
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from schedlab.llm.predictor import BUCKETS, bucket, train

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "llm" / "castillo_lengths.jsonl.gz"
SERVED = {
    "meta-llama/Llama-3.1-8B-Instruct": "llama-3-8b",
    "mistralai/Mistral-7B-Instruct-v0.3": "mistral-7b",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mixtral-8x7b",
    "meta-llama/Llama-3.3-70B-Instruct": "llama-3-70b",
}


def main() -> int:
    rows = [json.loads(line) for line in gzip.open(SOURCE, "rt")]
    by_split = defaultdict(list)
    for r in rows:
        by_split[r["split"]].append(r)
    train_only = train(by_split["train"])
    predictor = train(by_split["train"] + by_split["validate"])
    (ROOT / "src/schedlab/llm/data/length_predictor.npz").write_bytes(predictor.save())
    lines = []
    for label, pred_model, fit_rows in (
        ("train", train_only, by_split["train"]),
        ("train+validate (shipped)", predictor, by_split["train"] + by_split["validate"]),
    ):
        model_mean = defaultdict(list)
        for r in fit_rows:
            model_mean[r["model"]].append(np.mean(r["output_tokens"]))
        model_mean = {m: float(np.mean(v)) for m, v in model_mean.items()}
        rows_t = by_split["test"]
        truth = np.array([np.mean(r["output_tokens"]) for r in rows_t])
        pred = np.array([pred_model.predict(r["prompt_head"], r["input_tokens"], r["model"], r["dataset"]) for r in rows_t])
        base = np.array([model_mean[r["model"]] for r in rows_t])
        tb = np.array([bucket(t) for t in truth])
        acc = float(np.mean(np.array([bucket(p) for p in pred]) == tb))
        acc_base = float(np.mean(np.array([bucket(b) for b in base]) == tb))
        rho = float(np.corrcoef(np.argsort(np.argsort(pred)), np.argsort(np.argsort(truth)))[0, 1])
        lines.append(
            f"| {label} | {len(truth)} | {np.mean(np.abs(pred - truth)):.1f} | {np.mean(np.abs(base - truth)):.1f} "
            f"| {acc:.1%} | {acc_base:.1%} | {rho:.3f} |"
        )
    test = [r for r in by_split["test"] if r["model"] in SERVED]
    with gzip.open(ROOT / "src/schedlab/llm/data/castillo_test.jsonl.gz", "wt", compresslevel=9) as f:
        for r in test:
            f.write(
                json.dumps(
                    {
                        "model": SERVED[r["model"]],
                        "dataset": r["dataset"],
                        "source_model": r["model"],
                        "input_tokens": r["input_tokens"],
                        "output_tokens": r["output_tokens"],
                        "prompt_head": r["prompt_head"],
                    }
                )
                + "\n"
            )
    report = (
        "# CASTILLO output-length predictor\n\n"
        "Command: `.venv/bin/python tools/train_length_predictor.py`. Ridge regression (L2 = 10) on hashed word\n"
        "uni/bigrams of the first 300 prompt characters, log input length, model, dataset and model x dataset;\n"
        "fitted to log(mean output length over each prompt's ten samples); evaluated on the test split against\n"
        "that mean. The shipped train split has no DollyDataset or ShareGPT prompts (the test split does), so\n"
        "the shipped predictor is fitted on train+validate; the train-only fit is shown for the record.\n"
        "Baseline: the per-model mean output length of the same fitting rows.\n"
        f"Buckets: {', '.join(f'[{a},{b})' for a, b in zip(BUCKETS, BUCKETS[1:] + (None,), strict=True))}.\n\n"
        "| fitted on | test prompts | MAE (tokens) | baseline MAE | bucket accuracy | baseline bucket accuracy | Spearman rho |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n" + "\n".join(lines) + "\n"
    )
    (ROOT / "benchmarks/results/llm_length_predictor.md").write_text(report)
    print(report)
    print(f"bundled {len(test)} test prompts for {sorted(set(SERVED.values()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
