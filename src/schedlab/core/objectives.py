"""Objective functions over a schedule; one definition used by every solver and the validator."""

from __future__ import annotations

from schedlab.core.model import OBJECTIVE_TERMS, Problem
from schedlab.core.schedule import Schedule


def job_completions(problem: Problem, schedule: Schedule) -> list[int]:
    """Completion time of each job: the end of its last task (0 for a job without tasks)."""
    ends = [0] * len(problem.jobs)
    for s in schedule:
        job = problem.tasks[s.task].job
        if job is not None and s.end > ends[job]:
            ends[job] = s.end
    return ends


def objective_terms(problem: Problem, schedule: Schedule) -> dict[str, int]:
    """Every standard objective term of the schedule (tardiness terms skip jobs with no due date)."""
    completions = job_completions(problem, schedule)
    due_jobs = [(j, c) for j, c in zip(problem.jobs, completions, strict=True) if j.due is not None]
    lateness = [c - j.due for j, c in due_jobs]  # type: ignore[operator]
    values = {
        "makespan": schedule.makespan(),
        "total_completion": sum(completions),
        "weighted_completion": sum(j.weight * c for j, c in zip(problem.jobs, completions, strict=True)),
        "total_tardiness": sum(max(0, x) for x in lateness),
        "weighted_tardiness": sum(j.weight * max(0, x) for (j, _), x in zip(due_jobs, lateness, strict=True)),
        "max_lateness": max(lateness, default=0),
        "tardy_jobs": sum(1 for x in lateness if x > 0),
        "weighted_tardy_jobs": sum(j.weight for (j, _), x in zip(due_jobs, lateness, strict=True) if x > 0),
        "total_earliness": sum(max(0, -x) for x in lateness),
    }
    assert set(values) == set(OBJECTIVE_TERMS)
    return values


def evaluate(problem: Problem, schedule: Schedule) -> int:
    """The problem's weighted objective for this schedule (other models evaluate their own schedules)."""
    if not isinstance(problem, Problem):
        return problem.evaluate(schedule)
    terms = objective_terms(problem, schedule)
    return sum(weight * terms[name] for name, weight in problem.objective.terms().items())
