"""The general offline scheduling model: validated once at construction, frozen afterwards.

In the spirit of PyJobShop's ProblemData, but every index, duration and capacity is checked
when the problem is built, and the problem cannot be mutated afterwards.  Times are integers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from types import MappingProxyType
from typing import Any, ClassVar

from schedlab.core.errors import ModelError


@dataclass(frozen=True)
class Resource:
    """A machine (capacity 1, disjunctive) or a renewable resource with a capacity."""

    name: str
    capacity: int = 1
    unavailable: tuple[tuple[int, int], ...] = ()  # [start, end) windows with no capacity

    @property
    def is_machine(self) -> bool:
        return self.capacity == 1


@dataclass(frozen=True)
class Mode:
    """One way to execute a task: a duration and the demand it places on each resource."""

    duration: int
    resources: tuple[int, ...] = ()
    demands: tuple[int, ...] = ()


@dataclass(frozen=True)
class Task:
    name: str
    modes: tuple[Mode, ...]
    job: int | None = None


@dataclass(frozen=True)
class Job:
    """A group of tasks with the data that completion-based objectives need."""

    name: str
    tasks: tuple[int, ...] = ()
    release: int = 0
    due: int | None = None
    deadline: int | None = None
    weight: int = 1


@dataclass(frozen=True)
class Precedence:
    """``start(after) >= end(before) + lag``; equality when ``no_wait``.

    ``blocking`` means the resources of ``before`` stay occupied until ``after`` starts
    (no buffer between the two machines).
    """

    before: int
    after: int
    lag: int = 0
    no_wait: bool = False
    blocking: bool = False


@dataclass(frozen=True)
class SetupTime:
    """Sequence-dependent setup on a resource when ``after`` directly follows ``before``."""

    resource: int
    before: int
    after: int
    duration: int


OBJECTIVE_TERMS = (
    "makespan",
    "total_completion",
    "weighted_completion",
    "total_tardiness",
    "weighted_tardiness",
    "max_lateness",
    "tardy_jobs",
    "weighted_tardy_jobs",
    "total_earliness",
)


@dataclass(frozen=True)
class Objective:
    """A weighted sum of the standard objective terms (all integer weights, minimised)."""

    makespan: int = 0
    total_completion: int = 0
    weighted_completion: int = 0
    total_tardiness: int = 0
    weighted_tardiness: int = 0
    max_lateness: int = 0
    tardy_jobs: int = 0
    weighted_tardy_jobs: int = 0
    total_earliness: int = 0

    @classmethod
    def of(cls, name: str) -> Objective:
        if name not in OBJECTIVE_TERMS:
            raise ModelError(f"unknown objective {name!r}; known: {', '.join(OBJECTIVE_TERMS)}")
        return cls(**{name: 1})

    def terms(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def describe(self) -> str:
        parts = [name if w == 1 else f"{w}*{name}" for name, w in self.terms().items()]
        return " + ".join(parts) or "none"

    @property
    def needs_due_dates(self) -> bool:
        due_terms = {"total_tardiness", "weighted_tardiness", "max_lateness", "tardy_jobs",
                     "weighted_tardy_jobs", "total_earliness"}
        return bool(due_terms & set(self.terms()))


MAKESPAN = Objective(makespan=1)

FEATURES = {
    "multi_mode": "alternative modes",
    "setups": "sequence-dependent setups",
    "blocking": "blocking",
    "no_wait": "no-wait",
    "downtime": "resource downtime",
    "release_dates": "release dates",
    "deadlines": "job deadlines",
    "time_lags": "time lags",
    "negative_lags": "maximal time lags",
    "cumulative": "capacities or demands > 1",
    "zero_durations": "zero durations",
}


@dataclass(frozen=True)
class Problem:
    """A validated, immutable scheduling problem.

    ``kind`` names the problem class it came from (``jobshop``, ``fjsp``, ``rcpsp``,
    ``single_machine``, ``flowshop``, ``general``, ...) so that specialised solvers can
    recognise it; every solver must still respect the general constraints.
    """

    name: str
    resources: tuple[Resource, ...]
    tasks: tuple[Task, ...]
    jobs: tuple[Job, ...] = ()
    precedences: tuple[Precedence, ...] = ()
    setups: tuple[SetupTime, ...] = ()
    objective: Objective = MAKESPAN
    kind: str = "general"
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        _check(self)

    def __reduce__(self):
        """Pickle as the constructor call (read-only views and caches are rebuilt on load)."""
        return (Problem, (self.name, self.resources, self.tasks, self.jobs, self.precedences, self.setups,
                          self.objective, self.kind, dict(self.metadata)))

    # ---- derived structure (computed once, read-only) ----------------------------------
    @cached_property
    def successors(self) -> tuple[tuple[Precedence, ...], ...]:
        out: list[list[Precedence]] = [[] for _ in self.tasks]
        for p in self.precedences:
            out[p.before].append(p)
        return tuple(tuple(x) for x in out)

    @cached_property
    def predecessors(self) -> tuple[tuple[Precedence, ...], ...]:
        out: list[list[Precedence]] = [[] for _ in self.tasks]
        for p in self.precedences:
            out[p.after].append(p)
        return tuple(tuple(x) for x in out)

    @cached_property
    def setup_lookup(self) -> Mapping[tuple[int, int, int], int]:
        return MappingProxyType({(s.resource, s.before, s.after): s.duration for s in self.setups})

    @cached_property
    def topological_order(self) -> tuple[int, ...]:
        order = _topological_order(len(self.tasks), self.precedences)
        assert order is not None  # checked at construction
        return tuple(order)

    @property
    def is_machine_problem(self) -> bool:
        """Every mode uses exactly one capacity-1 resource with demand 1 (shop problems)."""
        return self._machine_problem

    @cached_property
    def _machine_problem(self) -> bool:
        for task in self.tasks:
            for mode in task.modes:
                if len(mode.resources) != 1 or mode.demands != (1,):
                    return False
                if self.resources[mode.resources[0]].capacity != 1:
                    return False
        return True

    @property
    def has_blocking(self) -> bool:
        return any(p.blocking for p in self.precedences)

    @property
    def has_no_wait(self) -> bool:
        return any(p.no_wait for p in self.precedences)

    @property
    def has_unavailability(self) -> bool:
        return any(r.unavailable for r in self.resources)

    problem_type: ClassVar[str] = "scheduling"  # what solvers declare they take (the DAG model is "dag")

    def features(self) -> frozenset[str]:
        """The optional model features this problem uses (names in FEATURES); solvers declare which they handle."""
        return self._features

    @cached_property
    def _features(self) -> frozenset[str]:
        found = set()
        if any(len(t.modes) > 1 for t in self.tasks):
            found.add("multi_mode")
        if self.setups:
            found.add("setups")
        if self.has_blocking:
            found.add("blocking")
        if self.has_no_wait:
            found.add("no_wait")
        if self.has_unavailability:
            found.add("downtime")
        if any(j.release for j in self.jobs):
            found.add("release_dates")
        if any(j.deadline is not None for j in self.jobs):
            found.add("deadlines")
        if any(p.lag > 0 for p in self.precedences):
            found.add("time_lags")
        if any(p.lag < 0 for p in self.precedences):
            found.add("negative_lags")
        if any(r.capacity > 1 for r in self.resources) or any(d > 1 for t in self.tasks for m in t.modes for d in m.demands):
            found.add("cumulative")
        if any(m.duration == 0 for t in self.tasks for m in t.modes):
            found.add("zero_durations")
        return frozenset(found)

    def job_of(self, task: int) -> int | None:
        return self.tasks[task].job

    def horizon(self) -> int:
        """A safe upper bound on any sensible schedule's end: serial execution of everything."""
        total = max((j.release for j in self.jobs), default=0)
        for task in self.tasks:
            total += max(m.duration for m in task.modes)
        total += sum(max(p.lag, 0) for p in self.precedences)
        by_after: dict[tuple[int, int], int] = {}
        for s in self.setups:
            key = (s.resource, s.after)
            by_after[key] = max(by_after.get(key, 0), s.duration)
        total += sum(by_after.values())
        total += sum(b - a for r in self.resources for a, b in r.unavailable)
        total += max((b for r in self.resources for _, b in r.unavailable), default=0)
        return total + max((j.due for j in self.jobs if j.due is not None), default=0)

    def with_objective(self, objective: Objective) -> Problem:
        return Problem(self.name, self.resources, self.tasks, self.jobs, self.precedences,
                       self.setups, objective, self.kind, dict(self.metadata))

    def with_metadata(self, **extra: Any) -> Problem:
        return Problem(self.name, self.resources, self.tasks, self.jobs, self.precedences,
                       self.setups, self.objective, self.kind, {**self.metadata, **extra})


def _topological_order(n: int, precedences: Sequence[Precedence]) -> list[int] | None:
    indeg = [0] * n
    succ: list[list[int]] = [[] for _ in range(n)]
    for p in precedences:
        succ[p.before].append(p.after)
        indeg[p.after] += 1
    stack = [i for i in range(n - 1, -1, -1) if indeg[i] == 0]
    order: list[int] = []
    while stack:
        i = stack.pop()
        order.append(i)
        for j in succ[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                stack.append(j)
    return order if len(order) == n else None


def _check(problem: Problem) -> None:  # noqa: C901 - one flat list of checks reads best
    n_res, n_tasks, n_jobs = len(problem.resources), len(problem.tasks), len(problem.jobs)
    if n_tasks == 0:
        raise ModelError(f"{problem.name}: a problem needs at least one task")
    names = set()
    for r, res in enumerate(problem.resources):
        if res.capacity < 1:
            raise ModelError(f"resource {r} ({res.name}): capacity must be >= 1, got {res.capacity}")
        if res.name in names:
            raise ModelError(f"resource {r}: duplicate resource name {res.name!r}")
        names.add(res.name)
        for a, b in res.unavailable:
            if not 0 <= a < b:
                raise ModelError(f"resource {r} ({res.name}): unavailability window [{a}, {b}) is empty or negative")
    for t, task in enumerate(problem.tasks):
        if not task.modes:
            raise ModelError(f"task {t} ({task.name}): needs at least one mode")
        if task.job is not None and not 0 <= task.job < n_jobs:
            raise ModelError(f"task {t} ({task.name}): job index {task.job} out of range 0..{n_jobs - 1}")
        for k, mode in enumerate(task.modes):
            if mode.duration < 0:
                raise ModelError(f"task {t} ({task.name}) mode {k}: negative duration {mode.duration}")
            if len(mode.resources) != len(mode.demands):
                raise ModelError(f"task {t} ({task.name}) mode {k}: resources and demands differ in length")
            if len(set(mode.resources)) != len(mode.resources):
                raise ModelError(f"task {t} ({task.name}) mode {k}: a resource is listed twice")
            for r, d in zip(mode.resources, mode.demands, strict=True):
                if not 0 <= r < n_res:
                    raise ModelError(f"task {t} ({task.name}) mode {k}: resource {r} out of range 0..{n_res - 1}")
                if d < 0:
                    raise ModelError(f"task {t} ({task.name}) mode {k}: negative demand {d}")
                if d > problem.resources[r].capacity:
                    raise ModelError(
                        f"task {t} ({task.name}) mode {k}: demand {d} exceeds capacity "
                        f"{problem.resources[r].capacity} of {problem.resources[r].name}")
    for j, job in enumerate(problem.jobs):
        if job.release < 0:
            raise ModelError(f"job {j} ({job.name}): negative release date {job.release}")
        if job.weight < 0:
            raise ModelError(f"job {j} ({job.name}): negative weight {job.weight}")
        for t in job.tasks:
            if not 0 <= t < n_tasks:
                raise ModelError(f"job {j} ({job.name}): task {t} out of range")
            if problem.tasks[t].job != j:
                raise ModelError(f"job {j} ({job.name}): task {t} does not name this job")
    for t, task in enumerate(problem.tasks):
        if task.job is not None and t not in problem.jobs[task.job].tasks:
            raise ModelError(f"task {t} ({task.name}): job {task.job} does not list it")
    for p in problem.precedences:
        if not (0 <= p.before < n_tasks and 0 <= p.after < n_tasks) or p.before == p.after:
            raise ModelError(f"precedence {p.before} -> {p.after}: bad task index")
        if p.blocking and p.no_wait:
            raise ModelError(f"precedence {p.before} -> {p.after}: blocking and no_wait exclude each other")
    if _topological_order(n_tasks, problem.precedences) is None:
        raise ModelError(f"{problem.name}: the precedence graph has a cycle")
    for s in problem.setups:
        if not 0 <= s.resource < n_res or not (0 <= s.before < n_tasks and 0 <= s.after < n_tasks):
            raise ModelError(f"setup {s}: index out of range")
        if s.duration < 0:
            raise ModelError(f"setup {s}: negative duration")
        if problem.resources[s.resource].capacity != 1:
            raise ModelError(f"setup on {problem.resources[s.resource].name}: setups need a machine (capacity 1)")
    if problem.objective.needs_due_dates and not any(j.due is not None for j in problem.jobs):
        raise ModelError(f"{problem.name}: objective {problem.objective.describe()} needs jobs with due dates")
    if not problem.objective.terms():
        raise ModelError(f"{problem.name}: the objective has no term")


class ProblemBuilder:
    """Builds a Problem step by step; each ``add_*`` returns the new index."""

    def __init__(self, name: str = "problem", kind: str = "general") -> None:
        self.name = name
        self.kind = kind
        self.resources: list[Resource] = []
        self.tasks: list[Task] = []
        self.jobs: list[Job] = []
        self._job_tasks: list[list[int]] = []
        self.precedences: list[Precedence] = []
        self.setups: list[SetupTime] = []
        self.objective = MAKESPAN
        self.metadata: dict[str, Any] = {}

    def add_resource(self, name: str | None = None, capacity: int = 1,
                     unavailable: Sequence[tuple[int, int]] = ()) -> int:
        self.resources.append(Resource(name or f"R{len(self.resources)}", capacity,
                                       tuple((int(a), int(b)) for a, b in unavailable)))
        return len(self.resources) - 1

    def add_machine(self, name: str | None = None, unavailable: Sequence[tuple[int, int]] = ()) -> int:
        return self.add_resource(name or f"M{len(self.resources)}", 1, unavailable)

    def add_job(self, name: str | None = None, release: int = 0, due: int | None = None,
                deadline: int | None = None, weight: int = 1) -> int:
        self.jobs.append(Job(name or f"J{len(self.jobs)}", (), release, due, deadline, weight))
        self._job_tasks.append([])
        return len(self.jobs) - 1

    def add_task(self, modes: Sequence[Mode] | Sequence[tuple[int, int]], job: int | None = None,
                 name: str | None = None) -> int:
        """Modes are Mode objects, or (machine, duration) pairs for shop problems."""
        built = tuple(m if isinstance(m, Mode) else Mode(int(m[1]), (int(m[0]),), (1,)) for m in modes)
        index = len(self.tasks)
        self.tasks.append(Task(name or f"T{index}", built, job))
        if job is not None:
            if not 0 <= job < len(self.jobs):
                raise ModelError(f"task {index}: job {job} does not exist")
            self._job_tasks[job].append(index)
        return index

    def add_precedence(self, before: int, after: int, lag: int = 0, no_wait: bool = False,
                       blocking: bool = False) -> None:
        self.precedences.append(Precedence(before, after, lag, no_wait, blocking))

    def add_setup(self, resource: int, before: int, after: int, duration: int) -> None:
        self.setups.append(SetupTime(resource, before, after, duration))

    def set_objective(self, objective: Objective | str) -> None:
        self.objective = Objective.of(objective) if isinstance(objective, str) else objective

    def build(self) -> Problem:
        jobs = tuple(Job(j.name, tuple(ts), j.release, j.due, j.deadline, j.weight)
                     for j, ts in zip(self.jobs, self._job_tasks, strict=True))
        return Problem(self.name, tuple(self.resources), tuple(self.tasks), jobs,
                       tuple(self.precedences), tuple(self.setups), self.objective, self.kind,
                       dict(self.metadata))
