"""Bundle a length-only request trace (vidur / Sarathi-Serve `processed_traces` CSV) as a schedlab trace.

The sources list prompt and output token counts per request (`num_prefill_tokens,num_decode_tokens`,
Llama-2 tokenizer) and have no timestamps, so `arrived_at` is the row index (one request per second);
runs use `--arrivals poisson --qps R` (or rescale with `--qps`). Output layout:
`arrived_at,num_prefill_tokens,num_decode_tokens`, gzip.

Sarathi-Serve's two evaluation traces:
- arxiv-summarization: ../shared/data/llm/vidur/arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv
  (MIT, microsoft/vidur) -> src/schedlab/llm/data/arxiv_summarization.csv.gz
- openchat-sharegpt4: data/processed_traces/sharegpt_8k_filtered_stats_llama2_tokenizer.csv of
  microsoft/sarathi-serve (Apache-2.0; commit 72339db) -> src/schedlab/llm/data/openchat_sharegpt4.csv.gz

Run: .venv/bin/python tools/bundle_length_trace.py SOURCE.csv TARGET.csv.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
from pathlib import Path


def bundle(source: Path, target: Path) -> int:
    """Write `target` from `source`; returns the number of requests."""
    with source.open() as handle:
        rows = list(csv.DictReader(handle))
    with gzip.open(target, "wt", compresslevel=9, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["arrived_at", "num_prefill_tokens", "num_decode_tokens"])
        for i, row in enumerate(rows):
            writer.writerow([i, row["num_prefill_tokens"], row["num_decode_tokens"]])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    print(f"wrote {args.target} ({bundle(args.source, args.target)} requests)")


if __name__ == "__main__":
    main()
