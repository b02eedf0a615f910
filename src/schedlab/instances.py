"""Resolve an INSTANCE argument: a file in any supported format, or a bundled instance name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schedlab.core.model import Problem
from schedlab.problems.formats.registry import read_problem


@dataclass(frozen=True)
class LoadedInstance:
    problem: Problem
    best_known: float | None
    lower_bound: float | None
    source: str


def load_instance(spec: str, fmt: str | None = None) -> LoadedInstance:
    path = Path(spec)
    if path.exists() or fmt is not None or path.suffix:
        return LoadedInstance(read_problem(path, fmt), None, None, str(path))
    from schedlab.bench.suites import find_instance

    inst = find_instance(spec)
    return LoadedInstance(inst.load(), inst.best_known, inst.lower_bound, f"bundled:{inst.name}")
