"""Where a benchmark writes: recorded results are never overwritten by a partial run.

A full run writes the canonical file (a re-measurement replaces the record); a run on a subset
(some instances, fewer requests) writes a new file stamped with the time, unless `--overwrite`;
an explicit tag whose file exists is refused unless `--overwrite`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def result_path(stem: str, suffix: str, *, subset: bool, tag: str = "", default_tag: str = "",
                overwrite: bool = False) -> Path:
    RESULTS.mkdir(exist_ok=True)
    if tag:
        path = RESULTS / f"{stem}_{tag}{suffix}"
        if path.exists() and not overwrite:
            raise SystemExit(f"{path} holds recorded results; pass --overwrite to replace them, or choose another --tag")
        return path
    name = f"{stem}_{default_tag}" if default_tag else stem
    if subset and not overwrite:
        return RESULTS / f"{name}_subset_{time.strftime('%Y%m%d-%H%M%S')}{suffix}"
    return RESULTS / f"{name}{suffix}"


def finished_instances(rows: list[dict]) -> set[str]:
    """Instances of a side-by-side run with a row from both solvers (one stopped between the two is redone)."""
    solvers: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        solvers[row["instance"]].add(row["solver"])
    return {name for name, seen in solvers.items() if len(seen) == 2}
