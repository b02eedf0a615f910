"""A self-contained HTML report: a results table and one Gantt chart per solved problem."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from schedlab.core.model import Problem
from schedlab.core.result import Result
from schedlab.viz.gantt import gantt_svg

STYLE = """
body { font-family: sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin-bottom: 24px; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th { background: #f3f3f3; } td.l, th.l { text-align: left; }
.gantt rect.bar:hover { stroke-width: 2; }
"""


@dataclass(frozen=True)
class ReportEntry:
    problem: Problem
    result: Result
    best_known: float | None = None
    note: str = ""


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}"


def render_report(title: str, entries: Sequence[ReportEntry], intro: str = "") -> str:
    rows = []
    for e in entries:
        r = e.result
        gap = r.gap_to(e.best_known)
        rows.append(
            f"<tr><td class='l'>{html.escape(e.problem.name)}</td><td class='l'>{html.escape(e.problem.kind)}</td>"
            f"<td class='l'>{html.escape(e.problem.objective.describe())}</td><td class='l'>{html.escape(r.solver)}</td>"
            f"<td class='l'>{r.status.value}</td><td>{_fmt(r.objective)}</td><td>{_fmt(r.lower_bound)}</td>"
            f"<td>{_fmt(e.best_known)}</td><td>{_fmt(gap, 2)}</td><td>{r.runtime_s:.3f}</td></tr>"
        )
    table = (
        "<table><tr><th class='l'>instance</th><th class='l'>class</th><th class='l'>objective function</th>"
        "<th class='l'>solver</th><th class='l'>status</th><th>objective</th><th>lower bound</th>"
        "<th>best known</th><th>gap %</th><th>time s</th></tr>" + "".join(rows) + "</table>"
    )
    charts = []
    for e in entries:
        if e.result.schedule is not None:
            charts.append(
                f"<h3>{html.escape(e.problem.name)} &mdash; {html.escape(e.result.solver)}, "
                f"objective {_fmt(e.result.objective)}</h3>"
                f"{('<p>' + html.escape(e.note) + '</p>') if e.note else ''}"
                f"{gantt_svg(e.problem, e.result.schedule)}"
            )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>"
        f"{table}{''.join(charts)}</body></html>"
    )


def write_report(path: str | Path, title: str, entries: Sequence[ReportEntry], intro: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(title, entries, intro))
    return path
