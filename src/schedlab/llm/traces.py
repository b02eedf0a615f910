"""Request traces: bundled Azure 2023 traces, Azure-format CSV files and synthetic streams.

A trace file is CSV with a header. Accepted layouts:
- Azure: `TIMESTAMP,ContextTokens,GeneratedTokens` (timestamps as `YYYY-MM-DD HH:MM:SS.fffffff`
  or as seconds);
- vidur: `arrived_at,num_prefill_tokens,num_decode_tokens` (seconds).
Timestamps must not decrease; token counts must be positive integers (a request generates at
least one token). Any violation raises ParseError with the file and line.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
from collections.abc import Iterable
from datetime import datetime
from importlib import resources
from pathlib import Path

import numpy as np

from schedlab.core.errors import ParseError, UnknownNameError, excerpt
from schedlab.llm.request import Request
from schedlab.sim.workload import gamma_arrivals, poisson_arrivals, rescale_arrivals

LAYOUTS = (
    ("TIMESTAMP", "ContextTokens", "GeneratedTokens"),
    ("arrived_at", "num_prefill_tokens", "num_decode_tokens"),
)
_SECONDS = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
BUNDLED = {"azure-conv": "azure_conv.csv.gz", "azure-code": "azure_code.csv.gz",
           "arxiv-summarization": "arxiv_summarization.csv.gz"}  # lengths only: one request per second
MAX_TRACE_BYTES = int(os.environ.get("SCHEDLAB_MAX_TRACE_MB", "512")) * 1024 * 1024


def _timestamp(text: str, path: str, line: int) -> float:
    text = text.strip()
    if _SECONDS.fullmatch(text):
        return float(text)
    try:
        main, _, frac = text.partition(".")
        base = datetime.strptime(main, "%Y-%m-%d %H:%M:%S").timestamp()
        return base + (float("0." + frac) if frac else 0.0)
    except ValueError:
        raise ParseError(path, line, f"a timestamp (seconds or YYYY-MM-DD HH:MM:SS.fff), got {text!r}") from None


def _positive_int(text: str, column: str, path: str, line: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ParseError(path, line, f"an integer in column {column}, got {text!r}") from None
    if value < 1:
        raise ParseError(path, line, f"a positive token count in column {column}, got {value}")
    return value


def parse_trace(text: str, path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival offsets (seconds from the first request), prompt and output token counts."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ParseError(path, 1, "a header line " + " or ".join(",".join(lay) for lay in LAYOUTS)) from None
    for layout in LAYOUTS:
        if all(col in header for col in layout):
            idx = [header.index(col) for col in layout]
            break
    else:
        raise ParseError(path, 1, "columns " + " or ".join(",".join(lay) for lay in LAYOUTS) + f", got {','.join(header)}")
    times, prompts, outputs = [], [], []
    last = -np.inf
    for line, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) <= max(idx):
            raise ParseError(path, line, f"{len(header)} columns, got {len(row)}")
        t = _timestamp(row[idx[0]], path, line)
        if t < last:
            raise ParseError(path, line, f"non-decreasing timestamps, got {row[idx[0]].strip()} after an earlier later one")
        last = t
        times.append(t)
        prompts.append(_positive_int(row[idx[1]], layout[1], path, line))
        outputs.append(_positive_int(row[idx[2]], layout[2], path, line))
    if not times:
        raise ParseError(path, 2, "at least one request")
    t = np.array(times)
    return t - t[0], np.array(prompts, dtype=np.int64), np.array(outputs, dtype=np.int64)


def load_trace(name_or_path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A bundled trace by name (azure-conv, azure-code, arxiv-summarization) or a CSV file."""
    if name_or_path in BUNDLED:
        data = resources.files("schedlab.llm").joinpath("data/" + BUNDLED[name_or_path]).read_bytes()
        return parse_trace(gzip.decompress(data).decode(), name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        raise UnknownNameError(f"no trace file {excerpt(name_or_path, 200)!r}; bundled traces: {', '.join(sorted(BUNDLED))}")
    if path.stat().st_size > MAX_TRACE_BYTES:
        raise ParseError(str(path), None, f"a trace of at most {MAX_TRACE_BYTES // (1024 * 1024)} MB "
                         "(set SCHEDLAB_MAX_TRACE_MB to raise the limit)")
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return parse_trace(raw.decode(), str(path))


def trace_requests(
    name_or_path: str, n: int | None = None, qps: float | None = None, arrivals: str = "trace", cv: float = 1.0, seed: int = 0
) -> list[Request]:
    """Requests from a trace: its own timestamps (optionally rescaled to `qps`) or fresh
    Poisson/Gamma arrivals at `qps`; `n` larger than the trace tiles it, each copy starting
    where the previous one ended."""
    offsets, prompts, outputs = load_trace(name_or_path)
    count = n if n is not None else len(offsets)
    reps = -(-count // len(offsets))
    if reps > 1:
        span = offsets[-1] + (offsets[-1] / max(len(offsets) - 1, 1))
        offsets = np.concatenate([offsets + k * span for k in range(reps)])
        prompts = np.tile(prompts, reps)
        outputs = np.tile(outputs, reps)
    offsets, prompts, outputs = offsets[:count], prompts[:count], outputs[:count]
    if arrivals == "trace":
        times = rescale_arrivals(offsets, rate=qps) if qps else offsets
    elif arrivals == "poisson":
        times = poisson_arrivals(_need(qps), count, seed) - 0.0
    elif arrivals == "gamma":
        times = gamma_arrivals(_need(qps), cv, count, seed)
    else:
        raise UnknownNameError(f"unknown arrival process {arrivals!r}; known: trace, poisson, gamma")
    return make_requests(times, prompts, outputs)


def _need(qps: float | None) -> float:
    if not qps:
        raise ValueError("Poisson and Gamma arrivals need a request rate (--qps)")
    return qps


def make_requests(times: Iterable[float], prompts: Iterable[int], outputs: Iterable[int]) -> list[Request]:
    return [Request(i, float(t), int(p), int(o)) for i, (t, p, o) in enumerate(zip(times, prompts, outputs, strict=True))]
