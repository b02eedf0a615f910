"""The result of a solve: objective, bound, status, time, seed and the schedule."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from schedlab.core.errors import SchedlabError
from schedlab.core.model import Problem
from schedlab.core.schedule import Schedule


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Result:
    problem: str
    solver: str
    status: Status
    objective: float | None
    lower_bound: float | None
    runtime_s: float
    seed: int
    schedule: Schedule | None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def has_schedule(self) -> bool:
        return self.schedule is not None

    def gap_to(self, reference: float | None) -> float | None:
        """Relative gap (in %) of the objective to a reference value such as a best-known one."""
        if self.objective is None or reference is None or reference == 0:
            return None
        return 100.0 * (self.objective - reference) / reference

    def to_dict(self, problem: Problem) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "solver": self.solver,
            "status": self.status.value,
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "runtime_s": round(self.runtime_s, 6),
            "seed": self.seed,
            "objective_function": problem.objective.describe(),
            "stats": self.stats,
            "schedule": self.schedule.to_records(problem) if self.schedule is not None else [],
        }

    def write_json(self, path: str | Path, problem: Problem) -> None:
        Path(path).write_text(json.dumps(self.to_dict(problem), indent=1))


def schedule_from_records(problem: Problem, records: list[dict[str, Any]], source: str = "schedule"):
    """A schedule of the problem's own type from result JSON rows (other models read their own rows)."""
    if not isinstance(problem, Problem):
        try:
            return problem.schedule_from_records(records)
        except (KeyError, TypeError, ValueError) as exc:
            raise SchedlabError(f"{source}: schedule entries need task, mode (the processor), start and end: {exc}") from None
    return Schedule.from_records(records, source)


def load_schedule_json(path: str | Path, problem: Problem | None = None) -> Schedule:
    """Read the schedule of a result.json (or a bare list of schedule entries) for `problem`."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SchedlabError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise SchedlabError(f"{path}:{exc.lineno}: expected JSON ({exc.msg})") from None
    records = data.get("schedule") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise SchedlabError(f"{path}: expected a result object with a 'schedule' list")
    if problem is not None:
        return schedule_from_records(problem, records, str(path))
    return Schedule.from_records(records, str(path))
