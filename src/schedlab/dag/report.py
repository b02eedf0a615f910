"""Gantt chart of a DAG schedule: one row per processor (PNG or HTML with an embedded PNG)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from schedlab.dag.model import DagProblem  # noqa: E402
from schedlab.dag.schedule import DagSchedule  # noqa: E402


def gantt_figure(problem: DagProblem, schedule: DagSchedule, title: str = ""):
    fig, ax = plt.subplots(figsize=(10, 0.6 * problem.n_processors + 1.2))
    colors = plt.get_cmap("tab20")
    for i, (p, s, f) in enumerate(zip(schedule.processor, schedule.start, schedule.finish, strict=True)):
        ax.barh(p, f - s, left=s, color=colors(i % 20), edgecolor="black", linewidth=0.4)
        if f - s > schedule.makespan / 60:
            ax.text((s + f) / 2, p, str(i), ha="center", va="center", fontsize=7)
    names = problem.processor_names or tuple(f"P{p}" for p in range(problem.n_processors))
    ax.set_yticks(range(problem.n_processors), names)
    ax.invert_yaxis()
    ax.set_xlabel("time")
    ax.set_title(title or f"{problem.name}: {schedule.algorithm}, makespan {schedule.makespan:g}")
    return fig


def write_dag_gantt(path: str | Path, problem: DagProblem, schedule: DagSchedule) -> None:
    fig = gantt_figure(problem, schedule)
    path = Path(path)
    if path.suffix == ".png":
        fig.savefig(path, dpi=100, bbox_inches="tight")
    else:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        path.write_text(
            f"<!doctype html><html><body><img src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'>"
            "</body></html>"
        )
    plt.close(fig)
