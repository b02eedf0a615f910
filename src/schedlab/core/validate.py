"""One feasibility validator for every schedule any solver produces."""

from __future__ import annotations

from collections import defaultdict

from schedlab.core.errors import SchedlabError
from schedlab.core.model import Problem
from schedlab.core.schedule import Schedule, ScheduledTask


class InfeasibleScheduleError(SchedlabError):
    """A schedule violates a constraint of its problem."""


def first_violation(problem: Problem, schedule: Schedule) -> str | None:  # noqa: C901
    """Return a sentence naming the first violated constraint, or None if the schedule is feasible.

    The one entry point for every problem type: other models (the DAG model) check their own schedules.
    """
    if not isinstance(problem, Problem):
        return problem.first_violation(schedule)
    n = len(problem.tasks)
    placed: dict[int, ScheduledTask] = {}
    for s in schedule:
        if not 0 <= s.task < n:
            return f"task index {s.task} does not exist (the problem has {n} tasks)"
        if s.task in placed:
            return f"task {s.task} ({problem.tasks[s.task].name}) is scheduled twice"
        placed[s.task] = s
    missing = [t for t in range(n) if t not in placed]
    if missing:
        return f"task {missing[0]} ({problem.tasks[missing[0]].name}) is not scheduled ({len(missing)} missing)"

    for t, s in placed.items():
        task = problem.tasks[t]
        if not 0 <= s.mode < len(task.modes):
            return f"task {t} ({task.name}): mode {s.mode} does not exist"
        duration = task.modes[s.mode].duration
        if s.start < 0:
            return f"task {t} ({task.name}) starts at negative time {s.start}"
        if s.end - s.start != duration:
            return f"task {t} ({task.name}): runs {s.end - s.start} time units, its mode {s.mode} takes {duration}"
        if task.job is not None:
            job = problem.jobs[task.job]
            if s.start < job.release:
                return f"task {t} ({task.name}) starts at {s.start}, before its job's release {job.release}"
            if job.deadline is not None and s.end > job.deadline:
                return f"task {t} ({task.name}) ends at {s.end}, after its job's deadline {job.deadline}"

    occupied_until = {t: s.end for t, s in placed.items()}
    for p in problem.precedences:
        a, b = placed[p.before], placed[p.after]
        if p.no_wait and b.start != a.end + p.lag:
            return (f"no-wait precedence {p.before} -> {p.after}: task {p.after} starts at {b.start}, "
                    f"must start exactly at {a.end + p.lag}")
        if b.start < a.end + p.lag:
            return (f"precedence {p.before} -> {p.after} (lag {p.lag}): task {p.after} starts at {b.start}, "
                    f"before {a.end + p.lag}")
        if p.blocking:
            occupied_until[p.before] = max(occupied_until[p.before], b.start)

    uses: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)  # resource -> (start, end, demand, task)
    for t, s in placed.items():
        mode = problem.tasks[t].modes[s.mode]
        end = occupied_until[t]
        if end <= s.start:
            continue
        for r, d in zip(mode.resources, mode.demands, strict=True):
            if d > 0:
                uses[r].append((s.start, end, d, t))

    for r, items in sorted(uses.items()):
        res = problem.resources[r]
        for a, b in res.unavailable:
            for start, end, _, t in items:
                if start < b and a < end:
                    return f"task {t} uses {res.name} during [{start}, {end}), which overlaps its downtime [{a}, {b})"
        if res.capacity == 1:
            items.sort()
            for (_, e1, _, t1), (s2, _, _, t2) in zip(items, items[1:], strict=False):
                setup = problem.setup_lookup.get((r, t1, t2), 0)
                if s2 < e1 + setup:
                    extra = f" plus setup {setup}" if setup else ""
                    return f"{res.name}: task {t2} starts at {s2} while task {t1} occupies it until {e1}{extra}"
        else:
            events = sorted([(s, d, t) for s, _, d, t in items] + [(e, -d, t) for _, e, d, t in items],
                            key=lambda x: (x[0], x[1]))
            load = 0
            for moment, delta, t in events:
                load += delta
                if load > res.capacity:
                    return f"{res.name}: load {load} exceeds capacity {res.capacity} at time {moment} (task {t})"
    return None


def check_schedule(problem: Problem, schedule: Schedule) -> None:
    """Raise InfeasibleScheduleError naming the first violated constraint."""
    violation = first_violation(problem, schedule)
    if violation is not None:
        raise InfeasibleScheduleError(f"{problem.name}: {violation}")
