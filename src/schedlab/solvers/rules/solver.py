"""``rules:<name>`` and ``rules-parallel:<name>`` solvers: a dispatching rule inside a
schedule-generation scheme (Giffler-Thompson for machine problems, serial or parallel SGS
for resource-constrained ones)."""

from __future__ import annotations

import time

import numpy as np

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase
from schedlab.solvers.rules.arrays import RuleArrays, build_arrays
from schedlab.solvers.rules.kernels import giffler_thompson
from schedlab.solvers.rules.priorities import RULES
from schedlab.solvers.rules.sgs import parallel_sgs, serial_sgs

MAX_SETUP_ENTRIES = 50_000_000
NO_PROGRAM = (np.zeros(0, np.int64), np.zeros(0, np.float64))


def run_giffler_thompson(problem: Problem, rule: int, seed: int, program: tuple[np.ndarray, np.ndarray] | None = None,
                         arrays: RuleArrays | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Giffler-Thompson with a rule code, or with a postfix priority program (rule PROGRAM_RULE)."""
    a = arrays if arrays is not None else build_arrays(problem)
    n_machines = len(problem.resources)
    down_ptr = np.zeros(n_machines + 1, np.int64)
    down_start, down_end = [], []
    for r, res in enumerate(problem.resources):
        windows = sorted(res.unavailable)
        down_ptr[r + 1] = down_ptr[r] + len(windows)
        down_start += [w[0] for w in windows]
        down_end += [w[1] for w in windows]
    n = len(problem.tasks)
    if problem.setups:
        setup = np.zeros((n_machines, n, n), np.int64)
        for s in problem.setups:
            setup[s.resource, s.before, s.after] = s.duration
    else:
        setup = np.zeros((1, 1, 1), np.int64)
    random_key = np.random.default_rng(seed).random(n)
    return giffler_thompson(rule, a.mode_ptr, a.mode_machine, a.mode_dur, a.succ_ptr, a.succ_idx, a.succ_lag,
                            a.pred_count, a.release, a.task_job, a.due, a.weight, a.task_min_dur, a.job_work,
                            a.job_ops, random_key, a.lft, a.lst, a.mts, a.grpw, n_machines, down_ptr,
                            np.array(down_start, np.int64), np.array(down_end, np.int64), setup,
                            bool(problem.setups), *(program or NO_PROGRAM))


# Rules cannot guarantee deadlines or maximal lags, and schedule neither blocking nor no-wait links.
RULE_CAPABILITIES = Capabilities().without("blocking", "no_wait", "negative_lags", "deadlines")


class RuleSolver(SolverBase):
    def __init__(self, rule: str, scheme: str) -> None:
        self.rule = rule
        self.scheme = scheme  # "auto" (GT or serial SGS) or "parallel"
        self.name = f"rules:{rule}" if scheme == "auto" else f"rules-parallel:{rule}"
        self.capabilities = RULE_CAPABILITIES if scheme == "auto" else RULE_CAPABILITIES.without("setups")

    def limits(self, problem: Problem) -> str | None:
        if problem.setups and not problem.is_machine_problem:
            return "sequence-dependent setups are handled by rules only in machine problems (Giffler-Thompson)"
        if problem.setups and len(problem.resources) * len(problem.tasks) ** 2 > MAX_SETUP_ENTRIES:
            return "too many tasks for the dense setup matrix of the rule kernel"
        return None

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        code = RULES[self.rule][0]
        if self.scheme == "auto" and problem.is_machine_problem:
            starts, modes = run_giffler_thompson(problem, code, options.seed)
            scheme = "giffler-thompson"
        else:
            arrays = build_arrays(problem)
            random_key = np.random.default_rng(options.seed).random(len(problem.tasks))
            sgs = parallel_sgs if self.scheme == "parallel" else serial_sgs
            starts, modes = sgs(problem, arrays, code, random_key)
            scheme = "parallel-sgs" if self.scheme == "parallel" else "serial-sgs"
        items = [ScheduledTask(t, int(modes[t]), int(starts[t]),
                               int(starts[t]) + problem.tasks[t].modes[int(modes[t])].duration)
                 for t in range(len(problem.tasks))]
        elapsed = time.perf_counter() - started
        return schedule_result(problem, self.name, Schedule(items), Status.FEASIBLE, None, elapsed, options.seed,
                               scheme=scheme)


def _register() -> None:
    for rule, (_, description) in RULES.items():
        SOLVERS.register(f"rules:{rule}", lambda r=rule: RuleSolver(r, "auto"),
                         f"dispatching rule: {description} (Giffler-Thompson / serial SGS)")
        SOLVERS.register(f"rules-parallel:{rule}", lambda r=rule: RuleSolver(r, "parallel"),
                         f"dispatching rule: {description} (parallel SGS, non-delay)")


_register()
