"""Files made from a finished job: Gantt chart (PNG, SVG, HTML), plots (PNG) and CSV.

Rendered on request from the stored spec and result, so the store keeps only JSON. Figures are
built with matplotlib's object API (no pyplot state), which is safe in the web server's threads.
Plots are chosen from the shape of the result, not from its domain, so a new simulation domain
gets its plots without changes here: a `samples` dict of number lists gives a latency CDF, and
every other dict or list of numbers gives a bar chart.
"""

from __future__ import annotations

import csv
import io
import numbers
from typing import Any

from schedlab.core.errors import SchedlabError
from schedlab.service.jobs import problem_of

GANTT_MEDIA = {"png": "image/png", "svg": "image/svg+xml", "html": "text/html"}


class ArtifactUnavailable(SchedlabError):
    """The job has no such file (wrong kind of job, or an empty result)."""


def gantt(kind: str, spec: dict, result: dict, fmt: str) -> bytes:
    """The solved schedule as a Gantt chart in `fmt` (png, svg or html)."""
    from schedlab.core.schedule import Schedule
    from schedlab.viz.gantt import gantt_figure, gantt_html

    if kind != "solve":
        raise ArtifactUnavailable(f"a {kind} job has no Gantt chart; only solve jobs do")
    if fmt not in GANTT_MEDIA:
        raise ArtifactUnavailable(f"unknown Gantt format {fmt!r}; known: {', '.join(GANTT_MEDIA)}")
    if not result.get("schedule"):
        raise ArtifactUnavailable("the job found no schedule")
    problem, _ = problem_of(spec)
    schedule = Schedule.from_records(result["schedule"], "result")
    title = f"{problem.name}: {result.get('solver')} (objective {result.get('objective'):g})"
    if fmt == "html":
        return gantt_html(problem, schedule, title).encode()
    return _save(gantt_figure(problem, schedule, title), fmt)


def _save(fig, fmt: str = "png") -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=100, bbox_inches="tight")
    return buf.getvalue()


def _is_numbers(values: Any) -> bool:
    return isinstance(values, list) and len(values) > 0 and all(isinstance(v, numbers.Real) for v in values)


def _bar_series(result: dict) -> dict[str, tuple[list[str], list[float]]]:
    """Every dict of numbers (label -> value) and list of numbers (index -> value) in a result."""
    series = {}
    for key, value in result.items():
        if key == "samples":
            continue
        if isinstance(value, dict) and value and all(isinstance(v, numbers.Real) for v in value.values()):
            series[key] = ([str(k) for k in value], [float(v) for v in value.values()])
        elif _is_numbers(value) and len(value) <= 200:
            series[key] = ([str(i) for i in range(len(value))], [float(v) for v in value])
    return series


def plot_names(kind: str, result: dict) -> list[str]:
    """The plots this job's result supports."""
    if kind == "solve":
        return ["objective"] if result.get("objective_curve") else []
    if kind == "sweep":
        return ["gaps"] if result.get("rows") else []
    names = ["latency"] if any(_is_numbers(v) for v in (result.get("samples") or {}).values()) else []
    return names + list(_bar_series(result))


def plot(kind: str, result: dict, name: str) -> bytes:
    """One plot as PNG bytes; `name` is one of `plot_names(kind, result)`."""
    from matplotlib.figure import Figure

    known = plot_names(kind, result)
    if name not in known:
        raise ArtifactUnavailable(f"no plot {name!r} for this job; available: {', '.join(known) or 'none'}")
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    if name == "objective":
        _objective_curve(ax, result)
    elif name == "gaps":
        _sweep_gaps(ax, result["rows"])
    elif name == "latency":
        _latency_cdf(ax, result["samples"])
    else:
        labels, values = _bar_series(result)[name]
        ax.bar(range(len(values)), values, color="#4c78a8")
        ax.set_xticks(range(len(values)), labels, rotation=45 if len(labels) > 8 else 0, fontsize=8)
        ax.set_title(name)
    fig.tight_layout()
    return _save(fig)


def _objective_curve(ax, result: dict) -> None:
    times = [t for t, _ in result["objective_curve"]]
    values = [v for _, v in result["objective_curve"]]
    end = max(result.get("runtime_s") or times[-1], times[-1])
    ax.step(times + [end], values + [values[-1]], where="post", label="incumbent")
    if result.get("best_known") is not None:
        ax.axhline(result["best_known"], color="#2ca02c", linestyle="--", label="best known")
    if result.get("lower_bound") is not None:
        ax.axhline(result["lower_bound"], color="#d62728", linestyle=":", label="lower bound")
    ax.set_xlabel("seconds")
    ax.set_ylabel("objective")
    ax.legend(fontsize=8)


def _latency_cdf(ax, samples: dict) -> None:
    import numpy as np

    for key, values in samples.items():
        if _is_numbers(values):
            xs = np.sort(np.asarray(values, dtype=float))
            ax.plot(xs, np.arange(1, len(xs) + 1) / len(xs), label=key)
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.set_xlabel("seconds")
    ax.set_ylabel("fraction of requests")
    ax.legend(fontsize=8)


def _sweep_gaps(ax, rows: list[dict]) -> None:
    by_solver: dict[str, list[float]] = {}
    for row in rows:
        if row.get("gap_pct") is not None:
            by_solver.setdefault(row["solver"], []).append(row["gap_pct"])
    solvers = sorted(by_solver)
    ax.bar(range(len(solvers)), [sum(by_solver[s]) / len(by_solver[s]) for s in solvers], color="#4c78a8")
    ax.set_xticks(range(len(solvers)), solvers, fontsize=8)
    ax.set_ylabel("mean gap to best known (%)")


def result_csv(kind: str, result: dict) -> str:
    """Solve: one row per scheduled task; sweep: one row per run; simulate: name,value per scalar metric."""
    buf = io.StringIO()
    if kind == "solve":
        records = [{**r, "resources": " ".join(map(str, r.get("resources", [])))} for r in result.get("schedule", [])]
        _write_rows(buf, records, ["job", "task", "mode", "resources", "start", "end"])
    elif kind == "sweep":
        rows = result.get("rows", [])
        _write_rows(buf, rows, list(rows[0]) if rows else ["suite", "instance", "solver"])
    else:
        writer = csv.writer(buf)
        writer.writerow(["metric", "value"])
        for key, value in result.items():
            if isinstance(value, (numbers.Real, str)) or value is None:
                writer.writerow([key, value])
    return buf.getvalue()


def _write_rows(buf: io.StringIO, rows: list[dict], fields: list[str]) -> None:
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
