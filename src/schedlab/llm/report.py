"""HTML report of a serving run: latency CDFs and the batch-size time series."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from schedlab.llm.metrics import ServingMetrics  # noqa: E402
from schedlab.viz.figures import metrics_table_rows, png_base64  # noqa: E402


def _png(fig) -> str:
    return png_base64(fig, dpi=100)


def write_report(path: str | Path, title: str, metrics: dict, serving: ServingMetrics) -> None:
    samples = serving.samples or {}
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
    for ax, name in zip(axes, ("ttft", "tpot", "e2e"), strict=True):
        values = np.sort(np.array(samples.get(name, [])))
        if values.size:
            ax.plot(values, np.arange(1, values.size + 1) / values.size)
        ax.set_xlabel(f"{name.upper()} (s)")
        ax.set_ylabel("fraction of requests")
        ax.grid(alpha=0.3)
    cdf = _png(fig)
    fig, ax = plt.subplots(figsize=(14, 3))
    ax.plot(serving.batch_size.times, serving.batch_size.values, lw=0.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("sequences in batch")
    ax.grid(alpha=0.3)
    series = _png(fig)
    rows = metrics_table_rows(metrics)
    Path(path).write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:2px 10px;border-bottom:1px solid #ddd}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><h2>Latency CDFs</h2><img src='data:image/png;base64,{cdf}'>"
        f"<h2>Batch size over time</h2><img src='data:image/png;base64,{series}'>"
        f"<h2>Metrics</h2><table>{rows}</table></body></html>"
    )
