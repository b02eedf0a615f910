"""Heterogeneous DAG scheduling: model, list heuristics (HEFT family), exact CP-SAT, generators, online SoC simulation."""

from schedlab.dag.model import DagProblem
from schedlab.dag.schedule import DagSchedule, first_violation, metrics

__all__ = ["DagProblem", "DagSchedule", "first_violation", "metrics"]
