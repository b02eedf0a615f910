"""Files made from a finished job: Gantt chart (PNG, SVG, HTML), plots (PNG), HTML report and CSV.

Rendered on request from the stored spec and result, so the store keeps only JSON. Figures are
built with matplotlib's object API (no pyplot state), which is safe in the web server's threads.
A simulation's plots come from its `SimResult` shape, never from its domain: samples give CDFs,
series give time plots, each breakdown a bar chart, spans a Gantt chart; a new domain gets all
of them with no change here.
"""

from __future__ import annotations

import csv
import io
import numbers

from schedlab.core.errors import SchedlabError
from schedlab.service.jobs import problem_of

GANTT_MEDIA = {"png": "image/png", "svg": "image/svg+xml", "html": "text/html"}


class ArtifactUnavailable(SchedlabError):
    """The job has no such file (wrong kind of job, or an empty result)."""


def _sim_result(result: dict):
    from schedlab.sim.result import SimResult

    return SimResult.from_dict(result)


def gantt(kind: str, spec: dict, result: dict, fmt: str, store=None) -> bytes:
    """The solved schedule (or a simulation's timeline) as a Gantt chart in `fmt` (png, svg or html)."""
    if fmt not in GANTT_MEDIA:
        raise ArtifactUnavailable(f"unknown Gantt format {fmt!r}; known: {', '.join(GANTT_MEDIA)}")
    if kind == "simulate":
        return _simulation_gantt(result, fmt)
    if kind != "solve":
        raise ArtifactUnavailable(f"a {kind} job has no Gantt chart")
    if not result.get("schedule"):
        raise ArtifactUnavailable("the job found no schedule")
    from schedlab.core.result import schedule_from_records
    from schedlab.viz.gantt import gantt_figure, gantt_html

    problem, _ = problem_of(spec, store)
    schedule = schedule_from_records(problem, result["schedule"], "result")
    title = f"{problem.name}: {result.get('solver')} (objective {result.get('objective'):g})"
    if fmt == "html":
        return gantt_html(problem, schedule, title).encode()
    return _save(gantt_figure(problem, schedule, title), fmt)


def _simulation_gantt(result: dict, fmt: str) -> bytes:
    from schedlab.sim.report import gantt_figure

    sim = _sim_result(result)
    if not sim.spans:
        raise ArtifactUnavailable("this simulation recorded no timeline")
    fig = gantt_figure(sim.spans, f"{sim.domain}: {sim.policy}")
    if fmt == "html":
        from schedlab.sim.report import png_base64

        return f"<!doctype html><html><body><img src='data:image/png;base64,{png_base64(fig)}'></body></html>".encode()
    return _save(fig, fmt)


def report_html(kind: str, result: dict) -> bytes:
    if kind != "simulate":
        raise ArtifactUnavailable(f"a {kind} job has no simulation report")
    from schedlab.sim.report import render

    return render(_sim_result(result)).encode()


def _save(fig, fmt: str = "png") -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=100, bbox_inches="tight")
    return buf.getvalue()


def _is_numbers(values) -> bool:
    return isinstance(values, list) and len(values) > 0 and all(isinstance(v, numbers.Real) for v in values)


def plot_names(kind: str, result: dict) -> list[str]:
    """The plots this job's result supports."""
    if kind == "solve":
        return ["objective"] if result.get("objective_curve") else []
    if kind == "sweep":
        return ["gaps"] if result.get("rows") else []
    names = ["cdf"] if any(_is_numbers(v) for v in (result.get("samples") or {}).values()) else []
    names += ["series"] if result.get("series") else []
    names += [k for k, v in (result.get("breakdowns") or {}).items() if v]
    return names


def plot(kind: str, result: dict, name: str) -> bytes:
    """One plot as PNG bytes; `name` is one of `plot_names(kind, result)`."""
    from matplotlib.figure import Figure

    known = plot_names(kind, result)
    if name not in known:
        raise ArtifactUnavailable(f"no plot {name!r} for this job; available: {', '.join(known) or 'none'}")
    if kind == "simulate":
        from schedlab.sim.report import breakdown_figure, cdf_figure, series_figure

        sim = _sim_result(result)
        if name == "cdf":
            return _save(cdf_figure(sim.samples))
        if name == "series":
            return _save(series_figure(sim))
        return _save(breakdown_figure(name, sim.breakdowns[name]))
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    if name == "objective":
        _objective_curve(ax, result)
    else:
        _sweep_gaps(ax, result["rows"])
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
    """Solve: one row per scheduled task; sweep: one row per run; simulate: metric,value,unit per metric."""
    buf = io.StringIO()
    if kind == "solve":
        records = [{**r, "resources": " ".join(map(str, r.get("resources", [])))} for r in result.get("schedule", [])]
        _write_rows(buf, records, ["job", "task", "mode", "resources", "start", "end"])
    elif kind == "sweep":
        rows = result.get("rows", [])
        _write_rows(buf, rows, list(rows[0]) if rows else ["suite", "instance", "solver"])
    else:
        writer = csv.writer(buf)
        writer.writerow(["metric", "value", "unit"])
        units = result.get("units") or {}
        for key, value in (result.get("metrics") or {}).items():
            writer.writerow([key, value, units.get(key, "")])
    return buf.getvalue()


def _write_rows(buf: io.StringIO, rows: list[dict], fields: list[str]) -> None:
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
