"""Bundle vidur's arxiv-summarization request lengths (Sarathi-Serve's long-prompt trace) as a schedlab trace.

Reads ../shared/data/llm/vidur/arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv (prompt and
output token counts, Llama-2 tokenizer; MIT, microsoft/vidur) and writes
src/schedlab/llm/data/arxiv_summarization.csv.gz in the `arrived_at,num_prefill_tokens,num_decode_tokens`
layout. The source has no timestamps: `arrived_at` is the row index (one request per second), so runs
use `--arrivals poisson --qps R` (or rescale with `--qps`).

Run: .venv/bin/python tools/bundle_arxiv_trace.py
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "llm" / "vidur" / "arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv"
TARGET = ROOT / "src" / "schedlab" / "llm" / "data" / "arxiv_summarization.csv.gz"


def main() -> None:
    with SOURCE.open() as handle:
        rows = list(csv.DictReader(handle))
    with gzip.open(TARGET, "wt", compresslevel=9, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["arrived_at", "num_prefill_tokens", "num_decode_tokens"])
        for i, row in enumerate(rows):
            writer.writerow([i, row["num_prefill_tokens"], row["num_decode_tokens"]])
    print(f"wrote {TARGET} ({len(rows)} requests)")


if __name__ == "__main__":
    main()
