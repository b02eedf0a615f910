"""``auto``: the default solver, a portfolio that uses both cores.

1. Dispatching rules give a schedule in milliseconds (the best of a few rules; with
   ``params={"learned": 1}`` the learned job-shop dispatcher joins them).
2. Where a local search exists for the problem class, a short CP-SAT probe first settles the
   small instances (proved optimal), then two searches with different seeds run in two
   processes for most of the time.
3. CP-SAT, warm-started from the best schedule so far (solution hint; its LNS workers then
   work around it), uses the remaining time with both workers and supplies a lower bound.
   Problems without a local search give CP-SAT the whole budget after the rules.
4. Makespan problems small enough for a time-indexed encoding (projects such as PSPLIB
   j30/j60) run, after the probe, CP-SAT beside ``ti-sat``: CP-SAT finds schedules, ``ti-sat``
   tries to refute "makespan <= best - 1" with clause learning over time points, which proves
   optima on which the interval model's bound stalls.  Whichever finishes the proof stops the
   other.  Single-mode projects first run the ``ga`` search on both cores for half the budget
   (param ``search_share``; ``stall_restarts=K`` ends it early once K restarts in a row found
   nothing better, off by default: on 30 j120 instances at 10 s no K did better than run-to-run
   noise, ``benchmarks/results/rcpsp_portfolio.md``).  After the GA, projects of more than 100
   activities (PSPLIB j120) and those too large for the time-indexed model give CP-SAT both
   cores alone (param ``proofs``: 1 forces ``ti-sat`` beside it, 0 leaves it out).

The best schedule of all phases is returned; every phase's schedule goes through the same
evaluator.  Time-limited runs depend on the machine's speed, so they are not bit-for-bit
reproducible; each phase is seeded.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait

from schedlab.core.model import Problem
from schedlab.core.processes import die_with_parent
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule
from schedlab.core.validate import first_violation
from schedlab.solvers.base import SOLVERS, SolveOptions, StopToken, get_solver, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase
from schedlab.solvers.time_indexed import literal_count, windows

SEARCH_SHARE = 0.8  # of the time limit, given to the local searches when one applies
PROBE_SHARE, PROBE_LIMIT = 0.05, 2.0  # the CP-SAT probe before a local search
FIRST_RULES = ("rules:mwkr", "rules:fcfs", "rules:mor", "rules:lft", "rules:atc", "rules:mdd", "rules:edd")
# The first that supports the problem is used (tabu-n7 beat tabu's N5 on Taillard at equal time; CP-SAT beats fbi on projects).
LOCAL_SEARCHES = ("ig", "tabu-n7", "tabu-fjsp", "ils", "ga")
# Searches after which CP-SAT still runs beside ti-sat (projects: the GA finds schedules, the pair proves them),
# with the share of the time limit the search gets.
SEARCH_THEN_PROOFS = {"ga": 0.5}
# Beyond this many activities ti-sat's proofs no longer pay for the core they take from CP-SAT after the GA: on PSPLIB
# j120 at 10 s, CP-SAT alone was better on 11 of 55 instances and worse on 3 (j60's 62 activities keep the proofs).
PROOF_TASKS_AFTER_SEARCH = 100
TIME_INDEXED_LITERALS = 200_000  # largest time-indexed model (at the incumbent's makespan) worth running beside CP-SAT


def _run_search(problem: Problem, solver: str, time_limit: float, seed: int, hint: Schedule | None,
                params: dict[str, int]) -> tuple[list[tuple[int, int, int, int]], float | None]:
    result = get_solver(solver).solve(problem, SolveOptions(time_limit=time_limit, seed=seed, workers=1, hint=hint,
                                                            params=params))
    assert result.schedule is not None
    return [(s.task, s.mode, s.start, s.end) for s in result.schedule], result.lower_bound


def local_search_for(problem: Problem) -> str | None:
    for name in LOCAL_SEARCHES:
        if name in SOLVERS and get_solver(name).unsupported(problem) is None:
            return name
    return None


class _Incumbent:
    """The best result so far, the best bound, and a log of which phase improved when."""

    def __init__(self, problem: Problem, options: SolveOptions) -> None:
        self.problem = problem
        self.options = options
        self.started = time.perf_counter()
        self.best: Result | None = None
        self.bound: float | None = None
        self.notes: list[str] = []

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def consider(self, result: Result, phase: str) -> None:
        if result.lower_bound is not None and not phase.startswith("rules"):
            self.bound = max(self.bound or result.lower_bound, result.lower_bound)
        if result.status is Status.OPTIMAL and result.objective is not None:
            self.bound = result.objective
        if result.schedule is None or (self.best is not None and result.objective >= self.best.objective):
            return
        self.best = result
        self.notes.append(f"{phase}:{result.objective:g}@{self.elapsed():.2f}s")
        if self.options.on_incumbent:
            self.options.on_incumbent(float(result.objective), self.bound, self.elapsed())

    @property
    def proved(self) -> bool:
        return self.best is not None and self.bound is not None and self.best.objective <= self.bound

    def result(self, name: str) -> Result:
        if self.best is None:
            return Result(self.problem.name, name, Status.UNKNOWN, None, self.bound, self.elapsed(),
                          self.options.seed, None, {"phases": self.notes})
        status = Status.OPTIMAL if self.proved else Status.FEASIBLE
        return schedule_result(self.problem, name, self.best.schedule, status, self.bound, self.elapsed(),
                               self.options.seed, phases=self.notes, best_phase=self.best.solver)


def wants_proofs(problem: Problem, search: str | None, params: dict) -> bool:
    """Whether ``ti-sat`` runs beside the final CP-SAT phase (where its model fits); param ``proofs`` overrides."""
    if search is not None and search not in SEARCH_THEN_PROOFS:
        return False
    big = search is not None and len(problem.tasks) > PROOF_TASKS_AFTER_SEARCH  # CP-SAT then needs both cores
    return bool(int(params.get("proofs", not big)))


def _time_indexed_fits(state: _Incumbent) -> bool:
    problem = state.problem
    if get_solver("ti-sat").unsupported(problem) is not None or state.best is None:
        return False
    return literal_count(windows(problem), int(state.best.objective)) <= TIME_INDEXED_LITERALS


class AutoPortfolio(SolverBase):
    name = "auto"
    capabilities = Capabilities(problem_types=frozenset({"scheduling", "dag"}))

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        if problem.problem_type == "dag":
            from schedlab.solvers.dag import solve_dag_auto

            return solve_dag_auto(problem, options, self.name)
        from schedlab.solvers.warmup import warm_up

        warm_up(["rules:mwkr", local_search_for(problem) or ""])  # kernels loaded before the clock and before forking
        state = _Incumbent(problem, options)
        # params={"learned": 1}: the learned dispatcher joins the starting rules (it costs the PyTorch import); the
        # ensemble of lite networks, the best greedy one and about as fast as a rule.
        starters = FIRST_RULES + (("learned-jobshop-ensemble",) if options.params.get("learned") else ())
        for rule in starters:
            solver = get_solver(rule)
            if solver.unsupported(problem) is None:
                state.consider(solver.solve(problem, options), rule)
        search = local_search_for(problem)
        proofs = wants_proofs(problem, search, options.params) and _time_indexed_fits(state)
        if (search is not None or proofs) and options.time_limit >= 2.0:
            self._cpsat(state, min(PROBE_LIMIT, PROBE_SHARE * options.time_limit), "cpsat-probe")
        if search is not None and not state.proved:
            share = float(options.params.get("search_share", SEARCH_THEN_PROOFS.get(search, SEARCH_SHARE)))
            self._search(state, search, options.time_limit * share - state.elapsed())
        remaining = options.time_limit - state.elapsed()
        if proofs and remaining > 0.05 and not state.proved:
            self._cpsat_beside_proofs(state, remaining)
        elif remaining > 0.05 and not state.proved:
            exact = self._cpsat(state, remaining, "cpsat")
            if exact.status is Status.INFEASIBLE:
                return Result(problem.name, self.name, Status.INFEASIBLE, None, None, state.elapsed(), options.seed,
                              None, {"phases": state.notes})
        return state.result(self.name)

    @staticmethod
    def _cpsat(state: _Incumbent, time_limit: float, phase: str) -> Result:
        options = state.options
        hint = state.best.schedule if state.best is not None else None
        result = get_solver("cpsat").solve(state.problem, SolveOptions(time_limit=time_limit, seed=options.seed,
                                                                       workers=options.workers, hint=hint))
        state.consider(result, phase)
        return result

    @staticmethod
    def _cpsat_beside_proofs(state: _Incumbent, time_limit: float) -> None:
        """CP-SAT and ``ti-sat`` in two threads (both release the GIL while searching), sharing the incumbent."""
        options = state.options
        hint = state.best.schedule if state.best is not None else None
        stop = StopToken()
        live: list[float | None] = [state.best.objective if state.best is not None else None]

        def improved(objective: float, bound: float | None, elapsed: float) -> None:
            live[0] = objective if live[0] is None else min(live[0], objective)

        exact = SolveOptions(time_limit=time_limit, seed=options.seed, workers=options.workers,
                             hint=hint, on_incumbent=improved, stop=stop)
        proof = SolveOptions(time_limit=time_limit, seed=options.seed, workers=1, hint=hint, stop=stop,
                             upper_bound=lambda: live[0], params={"lower_bound": state.bound or 0})
        with ThreadPoolExecutor(max_workers=2) as pool:
            phases = {pool.submit(get_solver("cpsat").solve, state.problem, exact): "cpsat",
                      pool.submit(get_solver("ti-sat").solve, state.problem, proof): "ti-sat"}
            pending = set(phases)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()
                    state.consider(result, phases[future])
                    finished_proof = result.lower_bound is not None and live[0] is not None \
                        and result.lower_bound >= live[0]
                    if phases[future] == "cpsat" or result.status is Status.OPTIMAL or finished_proof:
                        stop.stop()

    @staticmethod
    def _search(state: _Incumbent, search: str, budget: float) -> None:
        if budget <= 0:
            return
        options = state.options
        seeds = [options.seed * 2 + k for k in range(max(1, options.workers))]
        hint = state.best.schedule if state.best is not None else None
        params: dict[str, int] = {}
        if search == "ga":
            if int(options.params.get("stall_restarts", -1)) >= 0:
                params["stall_restarts"] = int(options.params["stall_restarts"])
            if state.bound is not None:
                params["lower_bound"] = int(state.bound)  # the probe's bound: the GA stops when it reaches it
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(seeds), mp_context=context, initializer=die_with_parent) as pool:
            futures = [pool.submit(_run_search, state.problem, search, budget, s, hint, params) for s in seeds]
            for seed, future in zip(seeds, futures, strict=True):
                items, lb = future.result()
                schedule = Schedule.from_records([{"task": t, "mode": m, "start": s, "end": e} for t, m, s, e in items])
                if first_violation(state.problem, schedule) is not None:
                    state.notes.append(f"{search}#{seed}:rejected-invalid")  # never hand on a bad schedule
                    continue
                state.consider(schedule_result(state.problem, f"{search}#{seed}", schedule, Status.FEASIBLE, lb, 0.0,
                                               seed), f"{search}#{seed}")


SOLVERS.register("auto", AutoPortfolio, "portfolio: rules, then local search on both cores, then CP-SAT warm-started")
