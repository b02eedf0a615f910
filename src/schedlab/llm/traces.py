"""Request traces: bundled Azure 2023 traces, Azure-format CSV files and synthetic streams.

A trace file is CSV with a header. Accepted layouts:
- Azure: `TIMESTAMP,ContextTokens,GeneratedTokens` (timestamps as `YYYY-MM-DD HH:MM:SS.fffffff`
  or as seconds);
- vidur: `arrived_at,num_prefill_tokens,num_decode_tokens` (seconds).
A Mooncake trace is JSON lines (`.jsonl`, optionally gzipped): `timestamp` (milliseconds),
`input_length`, `output_length` and `hash_ids`, the ids of the prompt's 512-token prefix-cache
blocks (equal ids at a position mean equal prompts up to the end of that block).
Timestamps must not decrease; token counts must be positive integers (a request generates at
least one token). Any violation raises ParseError with the file and line.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
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
           "arxiv-summarization": "arxiv_summarization.csv.gz",  # lengths only: one request per second
           "openchat-sharegpt4": "openchat_sharegpt4.csv.gz",  # lengths only: one request per second
           "mooncake-conv": "mooncake_conversation.jsonl.gz", "mooncake-synthetic": "mooncake_synthetic.jsonl.gz"}
MOONCAKE_KEYS = ("timestamp", "input_length", "output_length", "hash_ids")
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


def parse_mooncake(text: str, path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, ...]]]:
    """Arrival offsets (seconds), prompt and output tokens and prefix-block ids of a Mooncake trace."""
    times, prompts, outputs, hashes = [], [], [], []
    last = -np.inf
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ParseError(path, line, f"a JSON object per line ({exc.msg})") from None
        if not isinstance(row, dict) or any(k not in row for k in MOONCAKE_KEYS):
            raise ParseError(path, line, "an object with " + ", ".join(MOONCAKE_KEYS))
        t = row["timestamp"]
        if not isinstance(t, (int, float)) or isinstance(t, bool) or t < last:
            raise ParseError(path, line, f"a non-decreasing timestamp in milliseconds, got {excerpt(str(t), 40)}")
        last = t
        ids = row["hash_ids"]
        if not isinstance(ids, list) or not all(isinstance(h, int) and not isinstance(h, bool) for h in ids):
            raise ParseError(path, line, "hash_ids as a list of integers")
        times.append(t / 1000.0)
        prompts.append(_positive_int(str(row["input_length"]), "input_length", path, line))
        outputs.append(_positive_int(str(row["output_length"]), "output_length", path, line))
        hashes.append(tuple(ids))
    if not times:
        raise ParseError(path, 1, "at least one request")
    t = np.array(times)
    return t - t[0], np.array(prompts, dtype=np.int64), np.array(outputs, dtype=np.int64), hashes


def load_trace(name_or_path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A bundled trace by name (see BUNDLED), a CSV file or a Mooncake JSON-lines file."""
    return load_trace_with_prefixes(name_or_path)[:3]


def load_trace_with_prefixes(name_or_path: str):
    """Like `load_trace`, plus each request's prefix-block ids (None for traces without them)."""
    if name_or_path in BUNDLED:
        data = resources.files("schedlab.llm").joinpath("data/" + BUNDLED[name_or_path]).read_bytes()
        return _parse(gzip.decompress(data).decode(), name_or_path, BUNDLED[name_or_path])
    path = Path(name_or_path)
    if not path.is_file():
        raise UnknownNameError(f"no trace file {excerpt(name_or_path, 200)!r}; bundled traces: {', '.join(sorted(BUNDLED))}")
    if path.stat().st_size > MAX_TRACE_BYTES:
        raise ParseError(str(path), None, f"a trace of at most {MAX_TRACE_BYTES // (1024 * 1024)} MB "
                         "(set SCHEDLAB_MAX_TRACE_MB to raise the limit)")
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            raise ParseError(str(path), None, "a gzip file (the name ends in .gz)") from None
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise ParseError(str(path), None, "a UTF-8 text file") from None
    return _parse(text, str(path), path.name)


def _parse(text: str, path: str, filename: str):
    if ".jsonl" in filename or text.lstrip().startswith("{"):
        return parse_mooncake(text, path)
    return (*parse_trace(text, path), None)


def trace_requests(
    name_or_path: str, n: int | None = None, qps: float | None = None, arrivals: str = "trace", cv: float = 1.0, seed: int = 0
) -> list[Request]:
    """Requests from a trace: its own timestamps (optionally rescaled to `qps`) or fresh
    Poisson/Gamma arrivals at `qps`; `n` larger than the trace tiles it, each copy starting
    where the previous one ended."""
    offsets, prompts, outputs, hashes = load_trace_with_prefixes(name_or_path)
    count = n if n is not None else len(offsets)
    reps = -(-count // len(offsets))
    if reps > 1:
        span = offsets[-1] + (offsets[-1] / max(len(offsets) - 1, 1))
        offsets = np.concatenate([offsets + k * span for k in range(reps)])
        prompts = np.tile(prompts, reps)
        outputs = np.tile(outputs, reps)
        if hashes is not None:  # each copy gets its own block ids: a tiled trace repeats shapes, not contents
            shift = 1 + max((max(h) for h in hashes if h), default=0)
            hashes = [tuple(x + k * shift for x in h) for k in range(reps) for h in hashes]
    offsets, prompts, outputs = offsets[:count], prompts[:count], outputs[:count]
    if arrivals == "trace":
        times = rescale_arrivals(offsets, rate=qps) if qps else offsets
    elif arrivals == "poisson":
        times = poisson_arrivals(_need(qps), count, seed) - 0.0
    elif arrivals == "gamma":
        times = gamma_arrivals(_need(qps), cv, count, seed)
    else:
        raise UnknownNameError(f"unknown arrival process {arrivals!r}; known: trace, poisson, gamma")
    reqs = make_requests(times, prompts, outputs)
    if hashes is not None:
        for r, h in zip(reqs, hashes, strict=False):
            r.prefix_hashes = h
    return reqs


def _need(qps: float | None) -> float:
    if not qps:
        raise ValueError("Poisson and Gamma arrivals need a request rate (--qps)")
    return qps


def make_requests(times: Iterable[float], prompts: Iterable[int], outputs: Iterable[int]) -> list[Request]:
    return [Request(i, float(t), int(p), int(o)) for i, (t, p, o) in enumerate(zip(times, prompts, outputs, strict=True))]
