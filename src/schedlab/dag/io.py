"""DAG instances as JSON.

{"kind": "dag", "name": "...",
 "processors": ["cpu0", "gpu0"],                 # optional names; the count comes from "cost"
 "cost": [[14, 16], [13, 19], ...],              # tasks x processors; null = cannot run there
 "edges": [[0, 1, 18], ...],                     # from, to, data (communication cost with unit bandwidth)
 "latency": [[0, 1], [1, 0]], "bandwidth": [[1, 1], [1, 1]]}   # optional
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from schedlab.core.errors import ModelError, ParseError
from schedlab.dag.model import DagProblem


def is_dag_json(text: str) -> bool:
    head = text.lstrip()[:4000]
    return head.startswith("{") and '"kind"' in head and '"dag"' in head


def parse_dag(text: str, path: str) -> DagProblem:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(path, exc.lineno, f"valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or data.get("kind") != "dag":
        raise ParseError(path, 1, 'a JSON object with "kind": "dag"')
    for key in ("cost", "edges"):
        if key not in data:
            raise ParseError(path, None, f'a "{key}" entry')
    try:
        cost = [[math.inf if c is None else float(c) for c in row] for row in data["cost"]]
        names = data.get("processors") or ()
        if names and any(len(row) != len(names) for row in cost):
            raise ParseError(path, None, f"every cost row to have {len(names)} entries, one per processor")
        if len({len(row) for row in cost}) > 1:
            raise ParseError(path, None, "cost rows of equal length (one entry per processor)")
        edges = [(int(e[0]), int(e[1]), float(e[2])) for e in data["edges"]]
        return DagProblem.build(
            cost,
            edges,
            latency=data.get("latency"),
            bandwidth=data.get("bandwidth"),
            name=data.get("name", Path(path).stem),
            processor_names=names,
            task_names=data.get("tasks") or (),
        )
    except ModelError as exc:
        raise ParseError(path, None, f"a valid DAG: {exc}") from None
    except (TypeError, ValueError, IndexError) as exc:
        raise ParseError(path, None, f"numeric cost rows and [from, to, data] edges ({exc})") from None


def read_dag(path: str | Path) -> DagProblem:
    return parse_dag(Path(path).read_text(), str(path))


def dag_to_json(problem: DagProblem) -> str:
    return json.dumps(
        {
            "kind": "dag",
            "name": problem.name,
            "processors": list(problem.processor_names) or None,
            "cost": [[None if not math.isfinite(c) else c for c in row] for row in problem.cost.tolist()],
            "edges": [list(e) for e in problem.edges],
            "latency": problem.latency.tolist(),
            "bandwidth": problem.bandwidth.tolist(),
        }
    )
