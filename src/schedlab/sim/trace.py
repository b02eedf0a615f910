"""Chrome trace (Perfetto) export: spans and counters written as trace-event JSON.

Open the file at ui.perfetto.dev or chrome://tracing. Times are given to the recorder in
simulation seconds and written in microseconds, as the format expects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class ChromeTrace:
    """Collects complete ("X") events and counter ("C") samples; `write` saves them."""

    def __init__(self, max_events: int = 2_000_000) -> None:
        self.events: list[dict[str, Any]] = []
        self.max_events = max_events
        self.dropped = 0
        self._names: dict[tuple[int, int | None], str] = {}

    def name_track(self, pid: int, name: str, tid: int | None = None) -> None:
        """Label a process (tid None) or a thread row."""
        self._names[(pid, tid)] = name

    def _room(self) -> bool:
        if len(self.events) >= self.max_events:
            self.dropped += 1
            return False
        return True

    def span(self, name: str, start: float, end: float, pid: int = 0, tid: int = 0, **args: Any) -> None:
        if self._room():
            event = {"name": name, "ph": "X", "ts": start * 1e6, "dur": max(end - start, 0.0) * 1e6, "pid": pid, "tid": tid}
            if args:
                event["args"] = args
            self.events.append(event)

    def counter(self, name: str, time: float, pid: int = 0, **values: float) -> None:
        if self._room():
            self.events.append({"name": name, "ph": "C", "ts": time * 1e6, "pid": pid, "args": values})

    def to_dict(self) -> dict[str, Any]:
        meta = []
        for (pid, tid), name in sorted(self._names.items(), key=lambda kv: (kv[0][0], -1 if kv[0][1] is None else kv[0][1])):
            if tid is None:
                meta.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": name}})
            else:
                meta.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": name}})
        return {"traceEvents": meta + self.events, "displayTimeUnit": "ms", "otherData": {"dropped_events": self.dropped}}

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict()))
