"""``milp-positional``: the positional-assignment MIP for one machine (HiGHS).

``x[j,k] = 1`` when job j is in position k; ``C_k`` is the completion of position k.  For
total tardiness this is exactly the formulation of the SMTT heuristic-discovery paper
(``T_k >= C_k - sum_j d_j x[j,k]``); weights and completion terms use per-job variables linked
with big-M constraints.  Release dates, deadlines and precedences are not modelled.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase
from schedlab.solvers.milp import _quiet_highs
from schedlab.solvers.search.smwt_ils import SUPPORTED_TERMS

MAX_JOBS = 600


class PositionalMilp(SolverBase):
    name = "milp-positional"
    capabilities = Capabilities(shapes=frozenset({"single_machine"}), features=frozenset({"zero_durations"}),
                                objectives=frozenset(SUPPORTED_TERMS))

    def limits(self, problem: Problem) -> str | None:
        if len(problem.jobs) > MAX_JOBS:
            return f"more than {MAX_JOBS} jobs"
        return None

    def solve(self, problem: Problem, options: SolveOptions) -> Result:  # noqa: C901 - one model, built inline
        started = time.perf_counter()
        terms = problem.objective.terms()
        n = len(problem.jobs)
        p = [problem.tasks[j.tasks[0]].modes[0].duration for j in problem.jobs]
        d = [j.due if j.due is not None else sum(p) for j in problem.jobs]
        w = [j.weight for j in problem.jobs]
        a = [terms.get("total_tardiness", 0) + terms.get("weighted_tardiness", 0) * w[j] for j in range(n)]
        b = [terms.get("total_completion", 0) + terms.get("weighted_completion", 0) * w[j] for j in range(n)]
        uniform = len(set(a)) == 1 and not any(b)
        horizon = float(sum(p))
        h = _quiet_highs()
        h.setOptionValue("time_limit", float(options.time_limit))
        h.setOptionValue("random_seed", int(options.seed))
        h.setOptionValue("mip_rel_gap", 0.0)
        inf = highspy.kHighsInf
        x = [[h.addVariable(0, 1, 0.0) for _ in range(n)] for _ in range(n)]  # x[j][k]
        for j in range(n):
            for k in range(n):
                h.changeColIntegrality(x[j][k], highspy.HighsVarType.kInteger)
        c = [h.addVariable(0, horizon, 0.0) for _ in range(n)]
        for j in range(n):
            h.addRow(1, 1, n, np.array([x[j][k] for k in range(n)], np.int32), np.ones(n))
        for k in range(n):
            h.addRow(1, 1, n, np.array([x[j][k] for j in range(n)], np.int32), np.ones(n))
        for k in range(n):  # C_k = C_{k-1} + sum_j p_j x_jk
            cols = [c[k]] + [x[j][k] for j in range(n)] + ([c[k - 1]] if k else [])
            vals = [1.0] + [-float(p[j]) for j in range(n)] + ([-1.0] if k else [])
            h.addRow(0, 0, len(cols), np.array(cols, np.int32), np.array(vals))
        if uniform:
            for k in range(n):  # T_k >= C_k - sum_j d_j x_jk
                t = h.addVariable(0, inf, float(a[0]))
                cols = [t, c[k]] + [x[j][k] for j in range(n)]
                vals = [1.0, -1.0] + [float(d[j]) for j in range(n)]
                h.addRow(0, inf, len(cols), np.array(cols, np.int32), np.array(vals))
        else:
            for j in range(n):  # job completion C'_j >= C_k - M (1 - x_jk)
                cj = h.addVariable(0, horizon, float(b[j]))
                for k in range(n):
                    h.addRow(-horizon, inf, 3, np.array([cj, c[k], x[j][k]], np.int32),
                             np.array([1.0, -1.0, -horizon]))
                if a[j]:
                    t = h.addVariable(0, inf, float(a[j]))
                    h.addRow(-float(d[j]), inf, 2, np.array([t, cj], np.int32), np.array([1.0, -1.0]))
        h.run()
        info = h.getInfo()
        model_status = h.getModelStatus()
        elapsed = time.perf_counter() - started
        bound = float(np.ceil(info.mip_dual_bound - 1e-6)) if np.isfinite(info.mip_dual_bound) else None
        if info.primal_solution_status != 2:
            return Result(problem.name, self.name, Status.UNKNOWN, None, bound, elapsed, options.seed, None, {})
        values = h.getSolution().col_value
        order = sorted(range(n), key=lambda j: max(range(n), key=lambda k: values[x[j][k]]))
        items, t = [], 0
        for j in order:
            items.append(ScheduledTask(problem.jobs[j].tasks[0], 0, t, t + p[j]))
            t += p[j]
        status = Status.OPTIMAL if model_status == highspy.HighsModelStatus.kOptimal else Status.FEASIBLE
        return schedule_result(problem, self.name, Schedule(items), status, bound, elapsed, options.seed)


SOLVERS.register("milp-positional", PositionalMilp, "positional-assignment MIP with HiGHS (single machine)")
