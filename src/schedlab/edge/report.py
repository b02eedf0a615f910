"""HTML report of a drone run: the edge accelerator's timeline and on-time rate per task type."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from schedlab.viz.figures import metrics_table_rows, png_base64  # noqa: E402


def _png(fig) -> str:
    return png_base64(fig, dpi=90)


def write_drone_report(path: str | Path, sim, metrics: dict, window_s: float = 20.0) -> None:
    names = [t.name for t in sim.s.types]
    colors = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(14, 1.8))
    for ttype, start, end in sim.edge_spans:
        if start <= window_s:
            ax.barh(0, min(end, window_s) - start, left=start, color=colors(ttype), edgecolor="black", linewidth=0.2)
    ax.set_yticks([0], ["edge"])
    ax.set_xlabel(f"time (s), first {window_s:g} s")
    ax.legend(
        handles=[plt.Rectangle((0, 0), 1, 1, color=colors(k)) for k in range(len(names))],
        labels=names,
        fontsize=7,
        loc="upper right",
        ncol=len(names),
    )
    timeline = _png(fig)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(names, [metrics["on_time_by_type"][n] for n in names], color=[colors(k) for k in range(len(names))])
    ax.set_ylabel("on-time fraction")
    ax.tick_params(axis="x", labelrotation=20)
    bars = _png(fig)
    rows = metrics_table_rows(metrics)
    Path(path).write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>drones: {metrics['policy']}</title></head><body>"
        f"<h1>Drone inference: {html.escape(metrics['policy'])}</h1><h2>Edge accelerator</h2>"
        f"<img src='data:image/png;base64,{timeline}'><h2>On time by task type</h2>"
        f"<img src='data:image/png;base64,{bars}'><h2>Metrics</h2><table>{rows}</table></body></html>"
    )
