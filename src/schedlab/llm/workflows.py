"""Multi-stage LLM workflows with deadlines: text-to-SQL as HexGen-Text2SQL schedules it.

A query is a chain of stages, each a set of LLM calls that run in parallel; a stage ends when
all its calls have finished and the next stage starts then. The text-to-SQL shape (CHESS-style)
is: schema linking (one call over the database schema), candidate generation (`candidates`
parallel calls), self-correction (rounds ~ Geometric, at most `max_rounds`, one call each) and
evaluation (one call). Token counts are LogNormal around the stated means (sigma 0.4). Every
query has a deadline `deadline_s` after its arrival. These shapes are stated here, not taken
from a released trace.

Calls carry what HexGen's local scheduler reads: the query's deadline, how many stages are
left after this one, and the query's arrival.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from schedlab.llm.request import Request
from schedlab.sim.engine import Simulator
from schedlab.sim.metrics import QuantileSketch
from schedlab.sim.workload import poisson_arrivals


@dataclass(frozen=True)
class Text2SQLWorkload:
    schema_tokens: float = 3000.0
    schema_output: float = 120.0
    candidates: int = 3
    candidate_prompt: float = 1500.0
    candidate_output: float = 150.0
    mean_rounds: float = 1.5
    max_rounds: int = 5
    correction_prompt: float = 2000.0
    correction_output: float = 150.0
    eval_prompt: float = 1200.0
    eval_output: float = 40.0
    deadline_s: float = 20.0


@dataclass
class Query:
    id: int
    arrival: float
    deadline: float
    stages: list[list[tuple[int, int]]]  # per stage: (prompt, output) of each parallel call
    finish: float = math.nan
    failed: bool = False


def _draw(rng: np.random.Generator, mean: float) -> int:
    return max(1, int(rng.lognormal(math.log(mean) - 0.08, 0.4)))


def generate_queries(n: int, qps: float, workload: Text2SQLWorkload, seed: int) -> list[Query]:
    rng = np.random.default_rng([seed, 41])
    w = workload
    queries = []
    for qid, t in enumerate(poisson_arrivals(qps, n, seed)):
        stages = [[(_draw(rng, w.schema_tokens), _draw(rng, w.schema_output))],
                  [(_draw(rng, w.candidate_prompt), _draw(rng, w.candidate_output)) for _ in range(w.candidates)]]
        rounds = min(w.max_rounds, int(rng.geometric(1.0 / (1.0 + w.mean_rounds))) - 1)
        stages += [[(_draw(rng, w.correction_prompt), _draw(rng, w.correction_output))] for _ in range(rounds)]
        stages.append([(_draw(rng, w.eval_prompt), _draw(rng, w.eval_output))])
        queries.append(Query(qid, float(t), float(t) + w.deadline_s, stages))
    return queries


@dataclass
class WorkflowDriver:
    """Starts each query's stages in turn and records query latencies and deadlines met."""

    queries: list[Query]
    sim: Simulator
    send: Callable[[Request], None]
    next_id: int = 0
    latency: QuantileSketch = field(default_factory=QuantileSketch)
    met: int = 0
    sent: list[Request] = field(default_factory=list)
    _left: dict[int, int] = field(default_factory=dict)  # query -> calls of its current stage not finished

    @property
    def total_turns(self) -> int:
        return sum(len(stage) for q in self.queries for stage in q.stages)

    def start(self) -> None:
        for q in self.queries:
            self.sim.schedule_at(q.arrival, self._start_stage, (q, 0))

    def _start_stage(self, arg: tuple[Query, int]) -> None:
        query, k = arg
        calls = query.stages[k]
        self._left[query.id] = len(calls)
        for prompt, output in calls:
            req = Request(self.next_id, self.sim.now, prompt, output)
            self.next_id += 1
            req.extra.update(query=query.id, stage=k, stages_left=len(query.stages) - k - 1, deadline=query.deadline,
                             program_arrival=query.arrival)
            self.sent.append(req)
            self.send(req)

    def on_done(self, req: Request, rejected: bool = False) -> None:
        query = self.queries[req.extra["query"]]
        if query.failed:
            return
        if rejected:
            query.failed = True
            return
        self._left[query.id] -= 1
        if self._left[query.id]:
            return
        k = req.extra["stage"]
        if k + 1 < len(query.stages):
            self._start_stage((query, k + 1))
            return
        query.finish = req.finish
        latency = query.finish - query.arrival
        self.latency.add(latency)
        self.met += query.finish <= query.deadline

    def metrics(self) -> dict:
        done = self.latency.count
        span = max((q.finish for q in self.queries if not math.isnan(q.finish)), default=math.nan) - min(
            (q.arrival for q in self.queries), default=0.0)
        out = {"queries": len(self.queries), "queries_finished": done,
               "queries_failed": sum(q.failed for q in self.queries),
               "deadline_attainment": self.met / done if done else math.nan,
               "query_throughput": done / span if done and span > 0 else math.nan}
        for key, value in self.latency.summary((0.5, 0.95, 0.99)).items():
            out[f"query_latency.{key}"] = value
        return out
