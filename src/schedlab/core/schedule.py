"""The schedule vocabulary shared by every solver (and later every simulator)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from schedlab.core.errors import SchedlabError
from schedlab.core.model import Problem


@dataclass(frozen=True)
class ScheduledTask:
    """One task placed in time: which mode it runs in, and when."""

    task: int
    mode: int
    start: int
    end: int


class Schedule(Sequence[ScheduledTask]):
    """An immutable list of scheduled tasks, kept sorted by (start, task)."""

    def __init__(self, items: Iterable[ScheduledTask]) -> None:
        self._items = tuple(sorted(items, key=lambda s: (s.start, s.task)))

    @classmethod
    def from_arrays(cls, starts: Sequence[int], modes: Sequence[int], durations: Sequence[int]) -> Schedule:
        return cls(ScheduledTask(t, int(m), int(s), int(s) + int(d))
                   for t, (s, m, d) in enumerate(zip(starts, modes, durations, strict=True)))

    def __getitem__(self, index):  # type: ignore[override]
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[ScheduledTask]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schedule) and self._items == other._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Schedule({len(self)} tasks)"

    def by_task(self) -> dict[int, ScheduledTask]:
        return {s.task: s for s in self._items}

    def makespan(self) -> int:
        return max((s.end for s in self._items), default=0)

    def to_records(self, problem: Problem) -> list[dict[str, Any]]:
        """The JSON form: ``{job, task, mode, resources, start, end}`` (plus the task name)."""
        out = []
        for s in self._items:
            task = problem.tasks[s.task]
            mode = task.modes[s.mode]
            out.append({"job": task.job, "task": s.task, "name": task.name, "mode": s.mode,
                        "resources": list(mode.resources), "start": s.start, "end": s.end})
        return out

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]], source: str = "schedule") -> Schedule:
        items = []
        for i, rec in enumerate(records):
            try:
                items.append(ScheduledTask(int(rec["task"]), int(rec.get("mode", 0)),
                                           int(rec["start"]), int(rec["end"])))
            except (KeyError, TypeError, ValueError) as exc:
                raise SchedlabError(
                    f"{source}: schedule entry {i} needs integer task, start, end (and mode): {exc}") from None
        return cls(items)
