"""One HTML report for every simulation domain, drawn from a `SimResult` alone.

Sections appear when the result has what they show: a metrics table (with units), CDFs of the
samples, the time series, a Gantt chart of the spans (the first part of a long run), bar charts
of the breakdowns, then whatever extra views the domain declares. Figures use matplotlib's
object API (no pyplot state), so reports can be drawn from the service's threads.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from schedlab.sim.result import SimResult, Span

STYLE = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
         "td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}td.v{text-align:right}")
MAX_GANTT_SPANS = 4000


def png_base64(fig: Figure, dpi: int = 90) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _img(fig: Figure) -> str:
    return f"<img src='data:image/png;base64,{png_base64(fig)}'>"


def _value(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.4g}" if isinstance(v, float) else html.escape(str(v))


def metrics_table(result: SimResult) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td class='v'>{_value(v)}</td><td>{html.escape(result.units.get(k, ''))}</td></tr>"
        for k, v in result.metrics.items())
    return f"<table><tr><th>metric</th><th>value</th><th>unit</th></tr>{rows}</table>"


def cdf_figure(samples: dict[str, Sequence[float]], units: str = "") -> Figure:
    fig = Figure(figsize=(12, 3.4))
    names = [k for k, v in samples.items() if len(v)]
    axes = fig.subplots(1, max(len(names), 1), squeeze=False)[0]
    for ax, name in zip(axes, names, strict=False):
        values = np.sort(np.asarray(samples[name], dtype=float))
        ax.plot(values, np.arange(1, values.size + 1) / values.size)
        ax.set_xlabel(name + (f" ({units})" if units else ""))
        ax.set_ylabel("fraction")
        ax.grid(alpha=0.3)
    return fig


def series_figure(result: SimResult) -> Figure:
    fig = Figure(figsize=(12, 2.6 * len(result.series)))
    axes = fig.subplots(len(result.series), 1, squeeze=False)[:, 0]
    for ax, (name, series) in zip(axes, result.series.items(), strict=True):
        ax.plot(series.times, series.values, lw=0.7)
        ax.set_ylabel(name + (f" ({series.unit})" if series.unit else ""), fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("time")
    return fig


def gantt_figure(spans: Sequence[Span], title: str = "") -> Figure:
    """Rows are resources (first-seen order), colours are groups; only the first MAX_GANTT_SPANS spans."""
    shown = sorted(spans, key=lambda s: s.start)[:MAX_GANTT_SPANS]
    rows = list(dict.fromkeys(s.resource for s in sorted(spans, key=lambda s: s.resource)))
    row_of = {r: i for i, r in enumerate(rows)}
    groups = list(dict.fromkeys(s.group for s in shown))
    colour = {g: i % 20 for i, g in enumerate(groups)}
    fig = Figure(figsize=(12, min(0.3 * len(rows) + 1.4, 14)))
    ax = fig.subplots()
    import matplotlib

    cmap = matplotlib.colormaps["tab20"]
    for s in shown:
        ax.barh(row_of[s.resource], s.end - s.start, left=s.start, color=cmap(colour[s.group]), linewidth=0)
    ax.set_yticks(range(len(rows)), rows, fontsize=7 if len(rows) > 20 else 9)
    ax.invert_yaxis()
    end = max((s.end for s in shown), default=0.0)
    ax.set_xlabel(f"time (first {len(shown)} of {len(spans)} spans, to {end:.4g})" if len(shown) < len(spans) else "time")
    if title:
        ax.set_title(title)
    if len(groups) <= 12:
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=cmap(colour[g])) for g in groups], labels=groups, fontsize=7, loc="upper right")
    return fig


def breakdown_figure(name: str, values: dict[str, float]) -> Figure:
    fig = Figure(figsize=(7, 3.2))
    ax = fig.subplots()
    labels = list(values)
    ax.bar(range(len(labels)), [v if v is not None else math.nan for v in values.values()], color="#4c78a8")
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 6 else 0, fontsize=8, ha="right")
    ax.set_title(name)
    return fig


def render(result: SimResult, title: str | None = None, extra: Sequence[tuple[str, str]] = ()) -> str:
    title = title or f"{result.domain}: {result.policy} (seed {result.seed})"
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p>{html.escape(result.summary_line())}</p>",
             "<h2>Metrics</h2>", metrics_table(result)]
    params = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in result.params.items())
    parts += ["<h2>Parameters</h2>", f"<table>{params}</table>"]
    if any(len(v) for v in result.samples.values()):
        parts += ["<h2>Distributions (CDF)</h2>", _img(cdf_figure(result.samples))]
    if result.series:
        parts += ["<h2>Over time</h2>", _img(series_figure(result))]
    if result.spans:
        parts += ["<h2>Timeline</h2>", _img(gantt_figure(result.spans))]
    for name, values in result.breakdowns.items():
        if values:
            parts += [f"<h2>{html.escape(name)}</h2>", _img(breakdown_figure(name, values))]
    for heading, body in extra:
        parts += [f"<h2>{html.escape(heading)}</h2>", body]
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")


def write_report(path: str | Path, result: SimResult, title: str | None = None,
                 extra: Sequence[tuple[str, str]] = ()) -> None:
    Path(path).write_text(render(result, title, extra))
