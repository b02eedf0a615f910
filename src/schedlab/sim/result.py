"""`SimResult`: the one result type of every online simulation.

Scalar metrics with units, per-key breakdowns (by user, by task type), samples for CDFs, time
series, and spans (resource, start, end, label) for Gantt charts and Chrome traces. The CLI,
the service, the dashboard and the generic report read only this.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Span:
    """One busy interval on a resource (a replica iteration, a task on a core, a job on a PE)."""

    resource: str
    start: float
    end: float
    label: str = ""
    group: str = ""  # spans of one group share a colour (a user, a job, a task type)


@dataclass
class Series:
    """A time series (thinned by the simulator to a plottable size)."""

    times: list[float]
    values: list[float]
    unit: str = ""


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None, NumPy scalars become Python numbers."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return str(value)


def json_safe(value: Any) -> Any:
    """`value` with NaN/inf replaced by None (JSON has no NaN; the service stores and serves JSON)."""
    return _clean(value)


@dataclass
class SimResult:
    domain: str
    policy: str
    seed: int
    params: dict[str, Any]
    metrics: dict[str, Any] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    breakdowns: dict[str, dict[str, float]] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    runtime_s: float = 0.0  # CPU seconds the simulation took
    headline: tuple[str, ...] = ()  # the metrics a one-line summary shows

    def metric(self, name: str, value: Any, unit: str = "") -> None:
        self.metrics[name] = value
        if unit:
            self.units[name] = unit

    def summary_line(self) -> str:
        """`policy sarathi: ttft.p50 0.123 s, ...` from the headline metrics."""
        parts = []
        for name in self.headline or tuple(self.metrics)[:6]:
            value = self.metrics.get(name)
            unit = self.units.get(name, "")
            parts.append(f"{name} {_fmt(value)}{' ' + unit if unit else ''}")
        return f"{self.domain} / {self.policy} (seed {self.seed}): " + ", ".join(parts)

    def to_dict(self, *, max_spans: int | None = None, max_samples: int | None = None) -> dict[str, Any]:
        spans = self.spans if max_spans is None else self.spans[:max_spans]
        samples = self.samples if max_samples is None else {k: v[:max_samples] for k, v in self.samples.items()}
        return json_safe({
            "domain": self.domain,
            "policy": self.policy,
            "seed": self.seed,
            "params": self.params,
            "runtime_s": round(self.runtime_s, 6),
            "metrics": self.metrics,
            "units": self.units,
            "breakdowns": self.breakdowns,
            "samples": samples,
            "series": {k: {"times": s.times, "values": s.values, "unit": s.unit} for k, s in self.series.items()},
            "spans": [[s.resource, s.start, s.end, s.label, s.group] for s in spans],
            "spans_total": len(self.spans),
            "headline": list(self.headline),
        })

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimResult:
        return cls(
            data["domain"], data["policy"], data["seed"], data.get("params", {}),
            {k: (math.nan if v is None else v) for k, v in data.get("metrics", {}).items()},
            data.get("units", {}), data.get("breakdowns", {}), data.get("samples", {}),
            {k: Series(s["times"], s["values"], s.get("unit", "")) for k, s in data.get("series", {}).items()},
            [Span(*s) for s in data.get("spans", [])], data.get("runtime_s", 0.0), tuple(data.get("headline", ())),
        )

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1))

    def to_chrome_trace(self) -> dict[str, Any]:
        """Spans as complete events (one track per resource) and series as counters; open in ui.perfetto.dev."""
        tracks = {r: i for i, r in enumerate(dict.fromkeys(s.resource for s in self.spans))}
        events: list[dict[str, Any]] = [
            {"name": "thread_name", "ph": "M", "pid": 0, "tid": tid, "args": {"name": name}} for name, tid in tracks.items()
        ]
        for s in self.spans:
            events.append({"name": s.label or s.group or "busy", "ph": "X", "ts": s.start * 1e6,
                           "dur": max(s.end - s.start, 0.0) * 1e6, "pid": 0, "tid": tracks[s.resource],
                           "args": {"group": s.group}})
        for name, series in self.series.items():
            for t, v in zip(series.times, series.values, strict=True):
                events.append({"name": name, "ph": "C", "ts": t * 1e6, "pid": 1, "args": {name: v}})
        return {"traceEvents": json_safe(events), "displayTimeUnit": "ms"}

    def write_chrome_trace(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_chrome_trace()))


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
