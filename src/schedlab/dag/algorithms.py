"""Registry of static DAG scheduling algorithms (name -> function(problem) -> DagSchedule)."""

from __future__ import annotations

from collections.abc import Callable

from schedlab.core.registry import Registry
from schedlab.dag import heuristics
from schedlab.dag.model import DagProblem
from schedlab.dag.schedule import DagSchedule

DAG_ALGORITHMS: Registry[Callable[[DagProblem], DagSchedule]] = Registry("DAG algorithm")
DAG_ALGORITHMS.register("heft", heuristics.heft, "upward rank order, earliest finish time with insertion")
DAG_ALGORITHMS.register("cpop", heuristics.cpop, "critical path on one processor, the rest by EFT")
DAG_ALGORITHMS.register("peft", heuristics.peft, "optimistic cost table lookahead")
DAG_ALGORITHMS.register("lookahead-heft", heuristics.lookahead_heft, "HEFT scoring processors by the children's finish")
DAG_ALGORITHMS.register("met", heuristics.met, "minimum execution time processor")
DAG_ALGORITHMS.register("etf", heuristics.etf, "earliest start among ready task/processor pairs")
DAG_ALGORITHMS.register("minmin", heuristics.minmin, "earliest finish among ready tasks")
