"""Multi-turn agent programs: LLM call, tool call, next LLM call carrying the grown context.

A program is a chain of turns. Turn k's prompt is the whole context so far (task prompt, every
earlier output and tool result); when its output is done, the program waits for a tool call of
known type and random duration, and then sends turn k+1. Each program's context is a chain of
prefix blocks with its own ids, so a replica with prefix caching can reuse the KV of the
previous turn if it is still resident (or pinned: Continuum).

The generator (`AgentWorkload`) draws, per program: turns ~ 1 + Geometric (mean `mean_turns`,
at most `max_turns`); the task prompt ~ LogNormal (mean `task_tokens`, sigma 0.5); per turn the
output ~ LogNormal (mean `output_tokens`, sigma 0.6) and the tool result ~ LogNormal (mean
`tool_result_tokens`, sigma 0.6); each tool call is *fast* with probability `fast_tool_share`
(duration Exponential, mean `fast_tool_s`) or *slow* (LogNormal, mean `slow_tool_s`, sigma 1).
These are SWE-bench-like shapes stated here, not fitted to a released trace.
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

PROGRAM_ID_STRIDE = 1_000_000  # block j of program p is named p * stride + j


@dataclass(frozen=True)
class ToolType:
    name: str
    median_s: float
    p90_s: float


@dataclass(frozen=True)
class AgentWorkload:
    mean_turns: float = 8.0
    max_turns: int = 30
    task_tokens: float = 3000.0
    output_tokens: float = 200.0
    tool_result_tokens: float = 400.0
    fast_tool_share: float = 0.7
    fast_tool_s: float = 1.0
    slow_tool_s: float = 10.0

    def tool_types(self) -> tuple[ToolType, ToolType]:
        slow_mu = math.log(self.slow_tool_s) - 0.5  # LogNormal(mu, 1) with this mean
        return (ToolType("fast", self.fast_tool_s * math.log(2), self.fast_tool_s * math.log(10)),
                ToolType("slow", math.exp(slow_mu), math.exp(slow_mu + 1.2816)))


@dataclass
class Turn:
    prompt_tokens: int
    output_tokens: int
    tool: ToolType | None  # the tool called after this turn (None: the program ends)
    tool_s: float


@dataclass
class Program:
    id: int
    arrival: float
    turns: list[Turn]
    finish: float = math.nan
    failed: bool = False


def _lognormal(rng: np.random.Generator, mean: float, sigma: float) -> float:
    return float(rng.lognormal(math.log(mean) - sigma * sigma / 2, sigma))


def generate_programs(n: int, qps: float, workload: AgentWorkload, seed: int) -> list[Program]:
    rng = np.random.default_rng([seed, 31])
    fast, slow = workload.tool_types()
    programs = []
    for pid, t in enumerate(poisson_arrivals(qps, n, seed)):
        count = min(workload.max_turns, int(rng.geometric(1.0 / max(workload.mean_turns, 1.0))))
        context = max(1, int(_lognormal(rng, workload.task_tokens, 0.5)))
        turns = []
        for k in range(count):
            out = max(1, int(_lognormal(rng, workload.output_tokens, 0.6)))
            if k == count - 1:
                turns.append(Turn(context, out, None, 0.0))
                break
            is_fast = rng.random() < workload.fast_tool_share
            if is_fast:
                tool, dur = fast, float(rng.exponential(workload.fast_tool_s))
            else:
                tool, dur = slow, float(rng.lognormal(math.log(workload.slow_tool_s) - 0.5, 1.0))
            turns.append(Turn(context, out, tool, dur))
            context += out + max(1, int(_lognormal(rng, workload.tool_result_tokens, 0.6)))
        programs.append(Program(pid, float(t), turns))
    return programs


@dataclass
class ProgramDriver:
    """Sends each program's turns: the first at the program's arrival, each next one when the
    previous turn finished and its tool call returned. Collects job completion times."""

    programs: list[Program]
    sim: Simulator
    send: Callable[[Request], None]
    block_tokens: int
    next_id: int = 0
    done: int = 0
    jct: QuantileSketch = field(default_factory=QuantileSketch)
    by_turns: dict[str, QuantileSketch] = field(default_factory=dict)
    sent: list[Request] = field(default_factory=list)

    @property
    def total_turns(self) -> int:
        return sum(len(p.turns) for p in self.programs)

    def start(self) -> None:
        for program in self.programs:
            self.sim.schedule_at(program.arrival, self._send_turn, (program, 0))

    def _send_turn(self, arg: tuple[Program, int]) -> None:
        program, k = arg
        turn = program.turns[k]
        blocks = -(-(turn.prompt_tokens + turn.output_tokens) // self.block_tokens)
        base = program.id * PROGRAM_ID_STRIDE
        req = Request(self.next_id, self.sim.now, turn.prompt_tokens, turn.output_tokens,
                      prefix_hashes=tuple(range(base, base + blocks)))
        self.next_id += 1
        self.sent.append(req)
        req.extra.update(program=program.id, program_arrival=program.arrival, turn=k, tool=turn.tool)
        self.send(req)

    def on_done(self, req: Request, rejected: bool = False) -> None:
        program = self.programs[req.extra["program"]]
        k = req.extra["turn"]
        if rejected:
            program.failed = True
            self.done += 1
            return
        turn = program.turns[k]
        if k + 1 < len(program.turns):
            self.sim.schedule(turn.tool_s, self._send_turn, (program, k + 1))
            return
        program.finish = req.finish
        self.done += 1
        jct = program.finish - program.arrival
        self.jct.add(jct)
        n = len(program.turns)
        bucket = "1" if n == 1 else "2-4" if n <= 4 else "5-9" if n <= 9 else "10-19" if n <= 19 else "20+"
        self.by_turns.setdefault(bucket, QuantileSketch()).add(jct)

    def metrics(self) -> dict:
        out = {"programs": len(self.programs), "programs_finished": self.jct.count,
               "programs_failed": sum(p.failed for p in self.programs)}
        for key, value in self.jct.summary((0.5, 0.9)).items():
            out[f"jct.{key}"] = value
        for bucket, sketch in sorted(self.by_turns.items(), key=lambda kv: int(kv[0].split("-")[0].rstrip("+"))):
            out[f"jct_turns_{bucket}.mean"] = sketch.mean
        return out
