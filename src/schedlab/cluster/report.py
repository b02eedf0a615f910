"""HTML report of a cluster run: executor Gantt chart (colour = user) and response time by size class."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from schedlab.cluster.model import SIZE_CLASSES  # noqa: E402
from schedlab.cluster.sim import ClusterSim  # noqa: E402
from schedlab.viz.figures import metrics_table_rows, png_base64  # noqa: E402


def _png(fig) -> str:
    return png_base64(fig, dpi=90)


def write_cluster_report(path: str | Path, sim: ClusterSim, metrics: dict, title: str) -> None:
    users = sorted({u for _, _, u, _, _ in sim.spans})
    colors = {u: plt.get_cmap("tab10")(i % 10) for i, u in enumerate(users)}
    fig, ax = plt.subplots(figsize=(14, max(3.0, 0.12 * sim.cores)))
    for core, _, user, start, end in sim.spans:
        ax.barh(core, end - start, left=start, color=colors[user], linewidth=0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("executor core")
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=colors[u]) for u in users], labels=users, loc="upper right", fontsize=7)
    gantt = _png(fig)
    fig, ax = plt.subplots(figsize=(6, 3))
    names = [n for n, _, _ in SIZE_CLASSES]
    ax.bar(names, [metrics[f"response_time.{n}.mean"] for n in names], color="#4a7")
    ax.set_ylabel("mean response time (s)")
    bars = _png(fig)
    rows = metrics_table_rows(metrics)
    Path(path).write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><h2>Executors</h2><img src='data:image/png;base64,{gantt}'>"
        f"<h2>Response time by job size</h2><img src='data:image/png;base64,{bars}'>"
        f"<h2>Metrics</h2><table>{rows}</table></body></html>"
    )
