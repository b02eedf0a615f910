"""Gantt charts as inline SVG (hover shows task details) or PNG via matplotlib."""

from __future__ import annotations

import colorsys
import html
import math
from pathlib import Path

from schedlab.core.errors import SchedlabError
from schedlab.core.model import Problem
from schedlab.core.schedule import Schedule


def _colour(key: int) -> str:
    hue = (key * 0.618033988749895) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.62, 0.55)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def gantt_rows(problem: Problem, schedule: Schedule) -> tuple[list[str], list[tuple[int, int, int, int, int]]]:
    """Rows and bars (row, start, end, colour key, task): machines for shops and DAGs, tasks otherwise."""
    bars = []
    if problem.problem_type == "dag":
        labels = list(problem.processor_names or (f"P{p}" for p in range(problem.n_processors)))
        for t, (p, start, end) in enumerate(zip(schedule.processor, schedule.start, schedule.finish, strict=True)):
            bars.append((p, start, end, t, t))
        return labels, bars
    if problem.is_machine_problem:
        labels = [r.name for r in problem.resources]
        for s in schedule:
            mode = problem.tasks[s.task].modes[s.mode]
            job = problem.tasks[s.task].job
            bars.append((mode.resources[0], s.start, s.end, job if job is not None else s.task, s.task))
    else:
        order = sorted(schedule, key=lambda s: (s.start, s.task))
        labels = [problem.tasks[s.task].name for s in order]
        for row, s in enumerate(order):
            bars.append((row, s.start, s.end, s.task, s.task))
    return labels, bars


def _tip(problem: Problem, schedule: Schedule, t: int, start, end) -> str:
    if problem.problem_type == "dag":
        name = problem.task_names[t] if problem.task_names else f"task {t}"
        return f"{name} | start {start:g} end {end:g}"
    s = schedule.by_task()[t]
    task = problem.tasks[t]
    job = problem.jobs[task.job].name if task.job is not None else "-"
    res = ", ".join(problem.resources[r].name for r in task.modes[s.mode].resources) or "-"
    return f"{task.name} | job {job} | mode {s.mode} | {res} | start {start} end {end}"


def _makespan(schedule) -> float:
    span = schedule.makespan
    return span() if callable(span) else span


def gantt_svg(problem: Problem, schedule: Schedule, width: int = 1100, row_height: int = 18) -> str:
    labels, bars = gantt_rows(problem, schedule)
    horizon = max(math.ceil(_makespan(schedule)), 1)
    left, top = 90, 24
    plot_w = width - left - 20
    height = top + row_height * len(labels) + 30
    scale = plot_w / horizon
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">']
    step = _tick_step(horizon)
    for tick in range(0, horizon + 1, step):
        x = left + tick * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 26}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" fill="#555">{tick}</text>')
    for row, label in enumerate(labels):
        y = top + row * row_height
        parts.append(f'<text x="{left - 6}" y="{y + row_height * 0.7:.1f}" text-anchor="end">{html.escape(label)}</text>')
    for row, start, end, key, t in bars:
        tip = _tip(problem, schedule, t, start, end)
        x, w = left + start * scale, max((end - start) * scale, 1.0)
        y = top + row * row_height + 2
        parts.append(f'<rect class="bar" x="{x:.2f}" y="{y}" width="{w:.2f}" height="{row_height - 4}" '
                     f'fill="{_colour(key)}" stroke="#333" stroke-width="0.4" data-task="{t}" data-start="{start}" '
                     f'data-end="{end}"><title>{html.escape(tip)}</title></rect>')
    parts.append(f'<text x="{left}" y="{height - 8}" fill="#333">makespan {_makespan(schedule):g}</text></svg>')
    return "".join(parts)


def _tick_step(horizon: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if horizon / step <= 12:
            return step
    return max(1, horizon // 10)


def gantt_html(problem: Problem, schedule: Schedule, title: str = "") -> str:
    """A standalone HTML page holding the SVG chart."""
    heading = html.escape(title or problem.name)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{heading}</title></head>"
            f"<body><h2>{heading}</h2>{gantt_svg(problem, schedule)}</body></html>")


def gantt_figure(problem: Problem, schedule: Schedule, title: str = ""):
    """A matplotlib Figure (object API, no pyplot state, so safe off the main thread)."""
    from matplotlib.figure import Figure

    labels, bars = gantt_rows(problem, schedule)
    fig = Figure(figsize=(12, max(2.5, 0.28 * len(labels) + 1)))
    ax = fig.subplots()
    for row, start, end, key, _ in bars:
        ax.barh(row, end - start, left=start, height=0.8, color=_colour(key), edgecolor="#333", linewidth=0.4)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("time")
    ax.set_title(title or f"{problem.name} (makespan {_makespan(schedule):g})")
    fig.tight_layout()
    return fig


def write_gantt(path: str | Path, problem: Problem, schedule: Schedule, title: str = "") -> None:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(gantt_html(problem, schedule, title))
    elif suffix in (".png", ".svg", ".pdf"):
        gantt_figure(problem, schedule, title).savefig(path, dpi=110)
    else:
        raise SchedlabError(f"{path}: a Gantt chart is written as .html, .png, .svg or .pdf")
